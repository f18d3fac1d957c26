// Telling the mesh's own cancellations from the ERP's. An ERP whose change log also records what
// the integration changes reports the connector's cancellations back through the feed; published
// as erp.order_cancelled they would cancel the same units a second time in orders. The connector
// remembers what it asked per sales order line, and a cancellation from the feed is news only for
// the units those requests do not explain. Pure: the service reads and writes the requests.
import type { OrderFeedLine } from '../order-feed/order-feed-record.js';

/** Units the connector asked the ERP to cancel on one sales order line for one event, and how many the feed reported back. */
export interface CancellationRequest {
  eventId: string;
  erpOrderId: string;
  erpLine: number;
  orderLineId: string | null;
  requestedQuantity: number;
  reportedQuantity: number;
  createdAt: Date;
}

export interface ExplainedCancellation {
  /** The lines (with the units) no request of the connector explains: cancelled in the ERP. */
  unexplained: OrderFeedLine[];
  /** The requests whose reported quantity rose, with the new figure. */
  reported: CancellationRequest[];
}

/**
 * Matches each cancelled line of a feed record to the requests of the same sales order line (by
 * line number, else by the mesh line id the line carries) that the feed has not fully reported
 * yet, oldest first, and counts the units they explain as reported. What is left of the line is
 * the ERP's own cancellation. `requests` are the open requests of the record's sales order.
 */
export function explainCancellation(lines: readonly OrderFeedLine[], requests: readonly CancellationRequest[]): ExplainedCancellation {
  const open = requests
    .map((request) => ({ ...request }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  const changed = new Set<CancellationRequest>();
  const unexplained: OrderFeedLine[] = [];
  for (const line of lines) {
    let left = line.quantity;
    for (const request of open) {
      if (left === 0) break;
      const sameLine =
        line.erpLine !== null ? request.erpLine === line.erpLine : line.orderLineId !== null && request.orderLineId === line.orderLineId;
      const outstanding = request.requestedQuantity - request.reportedQuantity;
      if (!sameLine || outstanding <= 0) continue;
      const taken = Math.min(outstanding, left);
      request.reportedQuantity += taken;
      left -= taken;
      changed.add(request);
    }
    if (left > 0) unexplained.push({ ...line, quantity: left });
  }
  return { unexplained, reported: [...changed] };
}
