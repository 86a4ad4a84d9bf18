/** Time-based one-time passwords (RFC 6238, 30 s, 6 digits, SHA-1: what authenticator apps expect). */
import * as OTPAuth from 'otpauth';
import { randomBase32 } from '../../platform/ids.js';
import { hashToken } from '../../platform/crypto.js';

export function createTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Kopek',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function totpUri(secret: string, label: string): string {
  return totpFor(secret, label).toString();
}

const PERIOD_MS = 30_000;

/**
 * Accepts the current code and one step either side, for clocks that drift. Returns the time step the
 * code belongs to, so the caller can refuse a step already used (a code works once), or undefined.
 */
export function matchTotpStep(secret: string, code: string, now: Date): bigint | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor(secret, 'check').validate({ token, timestamp: now.getTime(), window: 1 });
  if (delta === null) return undefined;
  return BigInt(Math.floor(now.getTime() / PERIOD_MS) + delta);
}

/** True when the code matches a step later than the last one accepted. */
export function isFreshTotpStep(step: bigint | undefined, lastStep: bigint | null): step is bigint {
  return step !== undefined && (lastStep === null || step > lastStep);
}

export function generateTotp(secret: string, now: Date): string {
  return totpFor(secret, 'check').generate({ timestamp: now.getTime() });
}

export function createRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => `${randomBase32(5)}-${randomBase32(5)}`);
}

export function hashRecoveryCode(code: string): string {
  return hashToken(code.trim().toLowerCase());
}
