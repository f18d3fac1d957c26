import { describe, expect, it } from 'vitest';
import { ErpMalformedResponseError } from './erp-http.client.js';
import { isStockFeedCursor, parseStockFeedPage } from './erp-stock-feed.client.js';

describe('parseStockFeedPage', () => {
  it('accepts a page that moves the cursor past its items', () => {
    const page = parseStockFeedPage({ items: [{ id: 3 }, { id: 4 }], hasMore: true, nextCursor: '4' }, '2');
    expect(page).toEqual({ items: [{ id: 3 }, { id: 4 }], hasMore: true, nextCursor: '4' });
  });

  it('accepts an empty page that leaves the cursor where it was', () => {
    expect(parseStockFeedPage({ items: [], hasMore: false, nextCursor: '9' }, '9').nextCursor).toBe('9');
  });

  it.each([
    ['not an object', []],
    ['no items array', { items: null, hasMore: false, nextCursor: '1' }],
    ['no boolean hasMore', { items: [], hasMore: 'no', nextCursor: '1' }],
    ['a numeric nextCursor', { items: [], hasMore: false, nextCursor: 1 }],
    ['a cursor moving backwards', { items: [], hasMore: false, nextCursor: '4' }],
    ['items without moving the cursor', { items: [{ id: 6 }], hasMore: false, nextCursor: '5' }],
  ])('refuses %s (never skip, never loop)', (_case, body) => {
    expect(() => parseStockFeedPage(body, '5')).toThrow(ErpMalformedResponseError);
  });
});

describe('isStockFeedCursor', () => {
  it.each([
    ['0', true],
    ['42', true],
    ['007', false],
    ['-1', false],
    ['9007199254740993', false],
    ['', false],
  ])('%s -> %s', (value, expected) => {
    expect(isStockFeedCursor(value)).toBe(expected);
  });
});
