import { describe, expect, it } from 'vitest';
import { parseStockFeedRecord } from './stock-feed-record.js';

const valid = { id: 42, item: 'TSHIRT-RED-M', location: 'WH-EAST', quantityOnHand: 17, lastModified: '2026-11-27T05:00:00Z' };

describe('parseStockFeedRecord', () => {
  it('accepts a well-formed record', () => {
    expect(parseStockFeedRecord(valid)).toEqual({
      ok: true,
      change: { feedId: '42', sku: 'TSHIRT-RED-M', locationId: 'WH-EAST', onHand: 17, changedAt: new Date('2026-11-27T05:00:00Z') },
    });
  });

  it('accepts a numeric string id and zero on hand', () => {
    const result = parseStockFeedRecord({ ...valid, id: '7', quantityOnHand: 0 });
    expect(result.ok && result.change.feedId).toBe('7');
    expect(result.ok && result.change.onHand).toBe(0);
  });

  it.each([
    ['a non-object', 'garbage', 'record is not a JSON object'],
    ['a missing id', { ...valid, id: undefined }, 'id must be a positive integer sequence number'],
    ['a fractional quantity', { ...valid, quantityOnHand: 1.5 }, 'quantityOnHand 1.5 is not an integer'],
    ['a quantity as string', { ...valid, quantityOnHand: '3' }, 'quantityOnHand "3" is not an integer'],
    ['an id beyond a safe integer', { ...valid, id: '9007199254740993' }, 'id must be a positive integer sequence number'],
    ['a zero id', { ...valid, id: 0 }, 'id must be a positive integer sequence number'],
    ['an empty SKU', { ...valid, item: '' }, 'item (SKU) "" is not a valid SKU'],
    ['a missing location', { ...valid, location: ' ' }, 'location is missing'],
    ['an overlong location', { ...valid, location: 'L'.repeat(65) }, 'location is longer than 64 characters'],
    ['a bad timestamp', { ...valid, lastModified: 'yesterday' }, 'lastModified "yesterday" is not a timestamp'],
  ])('rejects %s with a reason', (_case, raw, reason) => {
    const result = parseStockFeedRecord(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(reason);
  });

  it('keeps a negative on-hand (an ERP with negative inventory): rejecting it would leave a stale positive figure', () => {
    const result = parseStockFeedRecord({ ...valid, quantityOnHand: -2 });
    expect(result.ok && result.change.onHand).toBe(-2);
  });

  it('keeps the feed id of a rejected record so the cursor can move past it', () => {
    const result = parseStockFeedRecord({ ...valid, quantityOnHand: null });
    expect(!result.ok && result.feedId).toBe('42');
  });
});
