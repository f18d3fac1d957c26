import { createHmac, timingSafeEqual } from 'node:crypto';

// Shopify-style webhook signatures: base64 HMAC-SHA256 of the raw request body (the bytes as
// received, before any JSON parsing), keyed with the app's secret.

/** The signature a sender puts in the header (used by the sandbox and by tests). */
export function signHmacSha256Base64(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * True when `headerValue` is the signature of `rawBody` under `secret`, or under any of
 * `secret` when several are given (during a secret rotation both are live for a while). The
 * comparison is constant-time; a missing or wrong-length header is false, never a throw.
 */
export function verifyHmacSha256Base64(
  rawBody: Buffer,
  secret: string | readonly string[],
  headerValue: string | null | undefined,
): boolean {
  if (typeof headerValue !== 'string' || headerValue === '') return false;
  const received = Buffer.from(headerValue.trim(), 'utf8');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let valid = false;
  for (const candidate of secrets) {
    if (candidate === '') continue;
    const expected = Buffer.from(signHmacSha256Base64(rawBody, candidate), 'utf8');
    // timingSafeEqual throws on different lengths; the length of a digest is not a secret.
    if (expected.length === received.length && timingSafeEqual(expected, received)) valid = true;
  }
  return valid;
}
