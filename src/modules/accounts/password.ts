/** Password hashing with argon2id (library defaults: 19 MiB, 2 passes), and a dummy hash for timing. */
import { hash, verify } from '@node-rs/argon2';

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Verifying against a throwaway hash when the user is unknown keeps both answers equally slow. */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hash('kopek-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
}
