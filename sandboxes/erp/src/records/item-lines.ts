// The item sublist of sales orders and credit memos: every line gets a `line` number, its item
// reference resolved against the ERP's items, and the state the warehouse gives it (quantity
// fulfilled, closed). A sales order's status follows from its lines.
import { isRecord } from '@retail-mesh/sandbox-kit';
import type { ItemCatalog } from '../items/item-catalog.js';
import { invalidFieldValue, userError, type Invalid } from './record-errors.js';

export interface ItemLine {
  [field: string]: unknown;
  line: number;
  item: { id: string; refName: string };
  quantity: number;
  /** Read-only: raised by item fulfillments. */
  quantityFulfilled: number;
  isClosed: boolean;
}

export interface OrderStatus {
  id: string;
  refName: string;
}

// NetSuite's sales order statuses (the `orderStatus` select values).
export const ORDER_STATUS = {
  pendingApproval: { id: 'A', refName: 'Pending Approval' },
  pendingFulfillment: { id: 'B', refName: 'Pending Fulfillment' },
  cancelled: { id: 'C', refName: 'Cancelled' },
  partiallyFulfilled: { id: 'D', refName: 'Partially Fulfilled' },
  pendingBilling: { id: 'F', refName: 'Pending Billing' },
  closed: { id: 'H', refName: 'Closed' },
} as const satisfies Record<string, OrderStatus>;

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function referenceValue(reference: unknown): unknown {
  if (!isRecord(reference)) return reference;
  return reference.id ?? reference.externalId ?? reference;
}

/**
 * Validates and numbers the lines. `previous` are the stored lines when an update rewrites the
 * sublist: a line keeps its number and warehouse state when it names the same line number, or (an
 * upsert replaying the same body) the same item at the same position.
 */
export function prepareItemLines(
  raw: unknown[] | undefined,
  previous: readonly ItemLine[],
  items: ItemCatalog,
): { ok: true; lines: ItemLine[] } | Invalid {
  if (!raw || raw.length === 0) return userError('You must enter at least one line item for this transaction.', 'item');
  let nextLine = Math.max(0, ...previous.map((line) => line.line)) + 1;
  const lines: ItemLine[] = [];
  for (const [index, line] of raw.entries()) {
    const path = `item.items[${index}]`;
    if (!isRecord(line) || !isRecord(line.item)) return userError('Please enter value(s) for: Item', `${path}.item`);
    const item = items.resolve(line.item);
    if (!item) return invalidFieldValue(referenceValue(line.item), 'item', `${path}.item`);
    for (const field of ['quantity', 'rate', 'amount'] as const) {
      if (line[field] !== undefined && !isFiniteNumber(line[field])) return invalidFieldValue(line[field], field, `${path}.${field}`);
    }
    const quantity = (line.quantity as number | undefined) ?? 1;
    if (quantity <= 0) return invalidFieldValue(quantity, 'quantity', `${path}.quantity`);
    const before =
      typeof line.line === 'number'
        ? previous.find((candidate) => candidate.line === line.line)
        : previous[index]?.item.id === item.id
          ? previous[index]
          : undefined;
    const quantityFulfilled = before?.quantityFulfilled ?? 0;
    if (quantity < quantityFulfilled) {
      return userError(
        `The quantity of line ${before!.line} cannot be less than the quantity fulfilled (${quantityFulfilled}).`,
        `${path}.quantity`,
      );
    }
    lines.push({
      ...line,
      line: before?.line ?? (typeof line.line === 'number' ? line.line : nextLine++),
      item: { id: item.id, refName: item.itemId },
      quantity,
      quantityFulfilled,
      isClosed: typeof line.isClosed === 'boolean' ? line.isClosed : (before?.isClosed ?? false),
    });
  }
  return { ok: true, lines };
}

/** What is left to ship on a line: nothing once it is closed. */
export function remainingQuantity(line: ItemLine): number {
  return line.isClosed ? 0 : Math.max(0, line.quantity - line.quantityFulfilled);
}

/** The sales order status its lines imply; Pending Approval and Cancelled are kept as set. */
export function orderStatusOf(fields: Record<string, unknown>, lines: readonly ItemLine[]): OrderStatus {
  const given = isRecord(fields.orderStatus) ? fields.orderStatus.id : fields.orderStatus;
  if (given === ORDER_STATUS.cancelled.id) return ORDER_STATUS.cancelled;
  const remaining = lines.reduce((sum, line) => sum + remainingQuantity(line), 0);
  const fulfilled = lines.some((line) => line.quantityFulfilled > 0);
  if (remaining === 0) return fulfilled ? ORDER_STATUS.pendingBilling : ORDER_STATUS.closed;
  if (fulfilled) return ORDER_STATUS.partiallyFulfilled;
  return given === ORDER_STATUS.pendingApproval.id ? ORDER_STATUS.pendingApproval : ORDER_STATUS.pendingFulfillment;
}
