import { Events, fromTimestamp } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { stockChangeBatchEventId, toStockChangeBatchEvent } from './stock-changed.mapper.js';

const first = { feedId: '42', sku: 'TSHIRT-RED-M', locationId: 'WH-EAST', onHand: 17, changedAt: new Date('2026-11-27T05:00:00Z') };
const second = { feedId: '43', sku: 'TSHIRT-RED-L', locationId: 'WH-WEST', onHand: 3, changedAt: new Date('2026-11-27T04:59:59Z') };

describe('toStockChangeBatchEvent', () => {
  it('carries each change of the page, in feed order, with the feed sequence as version and erp_change_id', () => {
    const event = toStockChangeBatchEvent([first, second]);
    expect(event.definition).toBe(Events.erp.stockChangeBatch);
    expect(event.payload.changes).toMatchObject([
      { erpChangeId: '42', sku: 'TSHIRT-RED-M', locationId: 'WH-EAST', onHand: 17, version: 42 },
      { erpChangeId: '43', sku: 'TSHIRT-RED-L', locationId: 'WH-WEST', onHand: 3, version: 43 },
    ]);
    expect(fromTimestamp(event.payload.changes[0]!.changedAt!)).toEqual(first.changedAt);
    // The oldest change's time: a consumer's event age is that of the oldest fact in the batch.
    expect(event).toMatchObject({ subject: 'erp-feed:42..43', time: second.changedAt });
  });

  it('derives the event id from the feed ids: the same page always gets the same id, another page another', () => {
    expect(toStockChangeBatchEvent([first, second]).id).toBe(stockChangeBatchEventId([first, second]));
    expect(stockChangeBatchEventId([first, second])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stockChangeBatchEventId([first])).not.toBe(stockChangeBatchEventId([first, second]));
  });

  it('refuses an empty batch', () => {
    expect(() => toStockChangeBatchEvent([])).toThrow(/at least one change/);
  });
});
