import { Events, fromTimestamp } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { stockChangedEventId, toStockChangedEvent } from './stock-changed.mapper.js';

const change = { feedId: '42', sku: 'TSHIRT-RED-M', locationId: 'WH-EAST', onHand: 17, changedAt: new Date('2026-11-27T05:00:00Z') };

describe('toStockChangedEvent', () => {
  it('carries the change with the feed sequence as version and erp_change_id', () => {
    const event = toStockChangedEvent(change);
    expect(event.definition).toBe(Events.erp.stockChanged);
    expect(event.payload).toMatchObject({ erpChangeId: '42', sku: 'TSHIRT-RED-M', locationId: 'WH-EAST', onHand: 17, version: 42 });
    expect(fromTimestamp(event.payload.changedAt!)).toEqual(change.changedAt);
    expect(event).toMatchObject({ subject: 'TSHIRT-RED-M', time: change.changedAt });
  });

  it('derives the event id from the feed id: the same record always gets the same id', () => {
    expect(toStockChangedEvent(change).id).toBe(stockChangedEventId('42'));
    expect(stockChangedEventId('42')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stockChangedEventId('43')).not.toBe(stockChangedEventId('42'));
  });
});
