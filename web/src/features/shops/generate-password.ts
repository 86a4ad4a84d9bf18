/**
 * Random shop passwords: 16 letters and digits from the browser's cryptographic generator, with at
 * least one letter and one digit, since some merchant software rejects passwords without both.
 */
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALPHABET = LETTERS + DIGITS;
const LENGTH = 16;

/** A uniform index below `limit`: bytes past the last whole multiple are rejected to avoid bias. */
function randomIndex(limit: number): number {
  const ceiling = 256 - (256 % limit);
  const byte = new Uint8Array(1);
  for (;;) {
    crypto.getRandomValues(byte);
    const value = byte[0] ?? 0;
    if (value < ceiling) return value % limit;
  }
}

export function generateShopPassword(): string {
  for (;;) {
    let password = '';
    for (let position = 0; position < LENGTH; position += 1)
      password += ALPHABET[randomIndex(ALPHABET.length)];
    // Redrawing a whole password keeps every accepted password equally likely.
    if (/[A-Za-z]/.test(password) && /\d/.test(password)) return password;
  }
}
