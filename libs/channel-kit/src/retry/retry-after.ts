/**
 * Parses a `Retry-After` header into milliseconds to wait: delay-seconds ("120", and the decimal
 * form Shopify's REST API sends, "2.0") or an HTTP date (wait until then, 0 if it has passed).
 * Undefined when absent or unparseable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(headerValue: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (typeof headerValue !== 'string') return undefined;
  const value = headerValue.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date always names a weekday; this keeps bare numbers like "-1" or "1e3" out of Date.parse.
  if (!/^[A-Za-z]{3,9},? /.test(value)) return undefined;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
