import { describe, expect, it } from 'vitest';
import type { OrderFeedLine } from '../order-feed/order-feed-record.js';
import { explainCancellation, type CancellationRequest } from './own-cancellations.js';

function request(eventId: string, erpLine: number, requestedQuantity: number, reportedQuantity = 0, at = 0): CancellationRequest {
  return {
    eventId,
    erpOrderId: '5001',
    erpLine,
    orderLineId: `L${erpLine}`,
    requestedQuantity,
    reportedQuantity,
    createdAt: new Date(at),
  };
}

function line(
  erpLine: number | null,
  quantity: number,
  orderLineId: string | null = erpLine === null ? null : `L${erpLine}`,
): OrderFeedLine {
  return { erpLine, sku: `SKU-${erpLine ?? 'x'}`, quantity, orderLineId };
}

describe('explainCancellation', () => {
  it('recognises the connector’s own cancellation reported back: nothing is left to publish', () => {
    expect(explainCancellation([line(1, 1), line(2, 2)], [request('e1', 1, 1), request('e1', 2, 2)])).toEqual({
      unexplained: [],
      reported: [request('e1', 1, 1, 1), request('e1', 2, 2, 2)],
    });
  });

  it('leaves a cancellation made in the ERP whole', () => {
    expect(explainCancellation([line(1, 2)], [])).toEqual({ unexplained: [line(1, 2)], reported: [] });
    // A request on another line explains nothing here.
    expect(explainCancellation([line(1, 2)], [request('e1', 2, 2)])).toEqual({ unexplained: [line(1, 2)], reported: [] });
  });

  it('keeps only the units the requests do not explain, in either order of arrival', () => {
    // The mesh asked for 1 unit of line 1; the ERP cancels 2 more. Echo first, then the ERP's own:
    const echo = explainCancellation([line(1, 1)], [request('e1', 1, 1)]);
    expect(echo.unexplained).toEqual([]);
    expect(explainCancellation([line(1, 2)], [])).toEqual({ unexplained: [line(1, 2)], reported: [] });
    // The ERP's own reported before the echo (it happened between the connector's read and its change):
    const first = explainCancellation([line(1, 2)], [request('e1', 1, 1)]);
    expect(first.unexplained).toEqual([line(1, 1)]);
    expect(
      explainCancellation(
        [line(1, 1)],
        first.reported.filter((entry) => entry.reportedQuantity < entry.requestedQuantity),
      ),
    ).toEqual({
      unexplained: [line(1, 1)],
      reported: [],
    });
  });

  it('uses the oldest outstanding requests first and skips those already reported', () => {
    const requests = [request('e2', 1, 2, 0, 2000), request('e1', 1, 3, 2, 1000), request('e0', 1, 1, 1, 500)];
    expect(explainCancellation([line(1, 2)], requests)).toEqual({
      unexplained: [],
      reported: [request('e1', 1, 3, 3, 1000), request('e2', 1, 2, 1, 2000)],
    });
  });

  it('matches a line without a line number by the mesh line id it carries, and never a line with neither', () => {
    expect(explainCancellation([line(null, 3, 'L1')], [request('e1', 1, 2)])).toEqual({
      unexplained: [line(null, 1, 'L1')],
      reported: [request('e1', 1, 2, 2)],
    });
    expect(explainCancellation([line(null, 1)], [request('e1', 1, 1)]).unexplained).toEqual([line(null, 1)]);
  });
});
