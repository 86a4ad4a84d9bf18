/**
 * URL encoders and decoders that merchants' libraries apply to signed values (Receipt, ResultUrl2,
 * SuccessUrl2, FailUrl2). Robokassa's documentation signs the URL-encoded text without naming the
 * encoder, so the signature check has to reproduce each common one byte for byte.
 *
 * The encoders differ only on space and on the characters ! ' ( ) * ~:
 * - encodeURIComponent (JavaScript): keeps ! ' ( ) * ~, space is %20;
 * - RFC 3986 (PHP rawurlencode, .NET Uri.EscapeDataString): keeps ~, space is %20;
 * - form (PHP urlencode, the official plugin's choice): keeps only letters, digits and - _ . , space is +.
 * All three write upper-case hex digits. Each returns undefined for text that is not valid UTF-16
 * (a lone surrogate), which no merchant can have signed.
 */

export function encodeUriComponentOrUndefined(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export function encodeRfc3986(text: string): string | undefined {
  return encodeUriComponentOrUndefined(text)?.replace(/[!'()*]/g, percentEncodeAscii);
}

export function encodeForm(text: string): string | undefined {
  return encodeRfc3986(text)?.replace(/~/g, '%7E').replace(/%20/g, '+');
}

/** Percent-decoding once, as a server does with a query value; undefined when the escapes are broken. */
export function decodeUriComponentOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Decoding of application/x-www-form-urlencoded text: '+' is a space, then percent escapes. */
export function decodeFormOrUndefined(text: string): string | undefined {
  return decodeUriComponentOrUndefined(text.replace(/\+/g, ' '));
}

/** A value "looks URL-encoded" when it holds at least one percent escape such as %7B. */
export function looksUrlEncoded(text: string): boolean {
  return /%[0-9A-Fa-f]{2}/.test(text);
}

function percentEncodeAscii(character: string): string {
  return '%' + character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}
