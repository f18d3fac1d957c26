import { Events } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { onEventBatch } from './event-consumers.js';

describe('onEventBatch', () => {
  it('takes autocommit only with dedupe by versions: an inbox row must commit with the effect', () => {
    const handle = async () => {};
    expect(() => onEventBatch(Events.erp.stockChanged, handle, { autocommit: true })).toThrow('autocommit needs dedupe: versions');
    expect(onEventBatch(Events.erp.stockChanged, handle, { autocommit: true, dedupe: 'versions' })).toMatchObject({
      mode: 'batch',
      dedupe: 'versions',
      autocommit: true,
    });
    expect(onEventBatch(Events.erp.stockChanged, handle).autocommit).toBe(false);
  });
});
