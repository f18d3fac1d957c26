// Cursor pagination for List RPCs (retail.common.v1.PageRequest / PageResponse, AIP-158):
// the page token is the sort key of the last item returned, opaque to the caller.
import { InvalidArgumentError } from '../errors/service-errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The page size to use: 0 or unset = the default; above the maximum = the maximum; negative = INVALID_ARGUMENT. */
export function pageSizeOf(page: { pageSize?: number } | null | undefined): number {
  const requested = page?.pageSize ?? 0;
  if (!Number.isInteger(requested) || requested < 0)
    throw new InvalidArgumentError('invalid_page_size', `page_size must be 0 or more, got ${requested}`);
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

/** A page token for the sort key of the last item of a page. */
export function encodePageToken(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key in a page token, or undefined for the first page (empty token); INVALID_ARGUMENT if it is not one of ours. */
export function decodePageToken(token: string | null | undefined, keyLength: number): (string | number)[] | undefined {
  if (!token) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid = Array.isArray(key) && key.length === keyLength && key.every((part) => typeof part === 'string' || typeof part === 'number');
  if (!valid) throw new InvalidArgumentError('invalid_page_token', 'page_token is not a token this list returned');
  return key as (string | number)[];
}

/**
 * Given `pageSize + 1` rows fetched after the cursor, the page to return and the next token
 * (empty on the last page).
 */
export function pageOf<T>(
  rows: readonly T[],
  pageSize: number,
  keyOf: (row: T) => readonly (string | number)[],
): { items: T[]; nextPageToken: string } {
  if (rows.length <= pageSize) return { items: [...rows], nextPageToken: '' };
  const items = rows.slice(0, pageSize);
  return { items, nextPageToken: encodePageToken(keyOf(items[items.length - 1])) };
}
