// Which ERP sales order lines a mesh cancellation changes, and to what. Absolute targets, never
// deltas: the same event applied twice (a redelivery) asks for nothing the second time.
import type { ordersEventsV1 } from '@retail-mesh/contracts';
import type { ErpLineChange, ErpSalesOrderLine } from '../erp-client/erp-sales-order.client.js';

/** What is left to ship on an ERP line: nothing once it is closed. */
export function remaining(line: ErpSalesOrderLine): number {
  return line.isClosed ? 0 : Math.max(0, line.quantity - line.quantityFulfilled);
}

/**
 * The ERP line of each mesh order line (by line id): the one carrying its line id (the connector
 * writes it on every line), else the first line of the same SKU not matched yet.
 */
export function matchErpLines(
  meshLines: ReadonlyArray<{ lineId: string; sku: string }>,
  erpLines: readonly ErpSalesOrderLine[],
): Map<string, ErpSalesOrderLine> {
  const matched = new Map<string, ErpSalesOrderLine>();
  const taken = new Set<number>();
  for (const meshLine of meshLines) {
    const byId = erpLines.find((line) => line.orderLineId === meshLine.lineId);
    if (byId) {
      matched.set(meshLine.lineId, byId);
      taken.add(byId.line);
    }
  }
  for (const meshLine of meshLines) {
    if (matched.has(meshLine.lineId)) continue;
    const bySku = erpLines.find((line) => line.orderLineId === null && line.sku === meshLine.sku && !taken.has(line.line));
    if (bySku) {
      matched.set(meshLine.lineId, bySku);
      taken.add(bySku.line);
    }
  }
  return matched;
}

/**
 * Fully cancelled: every ERP line with something left to ship is closed. Otherwise, for each
 * cancelled mesh line, the ERP line keeps `quantity - cancelled_quantity` units (the order's
 * cumulative figure, or at least this event's units): down to what already shipped, the line is
 * closed; above it, its quantity is lowered. Lines already there are left alone.
 */
export function erpLineChanges(
  event: ordersEventsV1.OrderCancelled,
  erpLines: readonly ErpSalesOrderLine[],
): { changes: ErpLineChange[]; unmatched: string[] } {
  const order = event.order;
  if (!order) return { changes: [], unmatched: [] };
  if (event.fullyCancelled) {
    return { changes: erpLines.filter((line) => remaining(line) > 0).map((line) => ({ line: line.line, isClosed: true })), unmatched: [] };
  }
  const matched = matchErpLines(order.lines, erpLines);
  const changes: ErpLineChange[] = [];
  const unmatched: string[] = [];
  for (const cancelled of event.lines) {
    const meshLine = order.lines.find((line) => line.lineId === cancelled.lineId);
    const erpLine = matched.get(cancelled.lineId);
    if (!meshLine || !erpLine) {
      unmatched.push(cancelled.lineId);
      continue;
    }
    if (erpLine.isClosed) continue;
    const target = meshLine.quantity - Math.max(meshLine.cancelledQuantity, cancelled.quantity);
    if (target <= erpLine.quantityFulfilled) changes.push({ line: erpLine.line, isClosed: true });
    else if (target < erpLine.quantity) changes.push({ line: erpLine.line, quantity: target });
  }
  return { changes, unmatched };
}

/** Units the connector asks the ERP to take off one sales order line. */
export interface CancelledUnits {
  erpLine: number;
  /** The mesh order line id the ERP line carries, if any. */
  orderLineId: string | null;
  quantity: number;
}

/** The units each change takes off what is left to ship on its line (a lowered quantity, or everything left when closed). */
export function cancelledUnits(changes: readonly ErpLineChange[], erpLines: readonly ErpSalesOrderLine[]): CancelledUnits[] {
  return changes.flatMap((change) => {
    const line = erpLines.find((candidate) => candidate.line === change.line);
    if (!line) return [];
    const left = 'isClosed' in change ? 0 : Math.max(0, change.quantity - line.quantityFulfilled);
    const quantity = remaining(line) - left;
    return quantity > 0 ? [{ erpLine: line.line, orderLineId: line.orderLineId, quantity }] : [];
  });
}
