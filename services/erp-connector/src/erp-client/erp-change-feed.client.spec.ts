import { describe, expect, it } from 'vitest';
import { ErpMalformedResponseError } from './erp-http.client.js';
import { isChangeFeedCursor, parseChangeFeedPage } from './erp-change-feed.client.js';

describe('parseChangeFeedPage', () => {
  it('accepts a page that moves the cursor past its items', () => {
    const page = parseChangeFeedPage({ items: [{ id: 3 }, { id: 4 }], hasMore: true, nextCursor: '4' }, '2');
    expect(page).toEqual({ items: [{ id: 3 }, { id: 4 }], hasMore: true, nextCursor: '4' });
  });

  it('accepts an empty page that leaves the cursor where it was', () => {
    expect(parseChangeFeedPage({ items: [], hasMore: false, nextCursor: '9' }, '9').nextCursor).toBe('9');
  });

  it.each([
    ['not an object', []],
    ['no items array', { items: null, hasMore: false, nextCursor: '1' }],
    ['no boolean hasMore', { items: [], hasMore: 'no', nextCursor: '1' }],
    ['a numeric nextCursor', { items: [], hasMore: false, nextCursor: 1 }],
    ['a cursor moving backwards', { items: [], hasMore: false, nextCursor: '4' }],
    ['items without moving the cursor', { items: [{ id: 6 }], hasMore: false, nextCursor: '5' }],
  ])('refuses %s (never skip, never loop)', (_case, body) => {
    expect(() => parseChangeFeedPage(body, '5')).toThrow(ErpMalformedResponseError);
  });
});

describe('isChangeFeedCursor', () => {
  it.each([
    ['0', true],
    ['42', true],
    ['007', false],
    ['-1', false],
    ['9007199254740993', false],
    ['', false],
  ])('%s -> %s', (value, expected) => {
    expect(isChangeFeedCursor(value)).toBe(expected);
  });
});
