import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, pageOf, pageSizeOf } from './pagination.js';

describe('pagination', () => {
  it('defaults and caps the page size', () => {
    expect(pageSizeOf(undefined)).toBe(50);
    expect(pageSizeOf({ pageSize: 0 })).toBe(50);
    expect(pageSizeOf({ pageSize: 7 })).toBe(7);
    expect(pageSizeOf({ pageSize: 5000 })).toBe(1000);
    expect(() => pageSizeOf({ pageSize: -1 })).toThrow(expect.objectContaining({ reason: 'invalid_page_size' }));
  });

  it('round-trips a sort key through an opaque token', () => {
    const token = encodePageToken(['shopify-us', 'TEE-M', 3]);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, 3)).toEqual(['shopify-us', 'TEE-M', 3]);
    expect(decodePageToken('', 2)).toBeUndefined();
  });

  it.each(['garbage!', encodePageToken(['only-one']), Buffer.from('{"a":1}').toString('base64url')])('rejects token %j', (token) => {
    expect(() => decodePageToken(token, 2)).toThrow(expect.objectContaining({ reason: 'invalid_page_token' }));
  });

  it('returns a page and the token of its last item when more rows exist', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(pageOf(rows, 2, (row) => [row.id])).toEqual({ items: rows.slice(0, 2), nextPageToken: encodePageToken(['b']) });
    expect(pageOf(rows, 3, (row) => [row.id])).toEqual({ items: rows, nextPageToken: '' });
  });
});
