// NetSuite's sales order → item fulfillment transform (`POST …/salesOrder/<id>/!transform/itemFulfillment`,
// docs.oracle.com … section_159795518068 "Use Case For Fulfilling Your Sales Order"). NetSuite
// initialises the fulfillment from the sales order with every line that has something left to
// ship, each marked received (`itemReceive`) for all that is left; the request body then changes
// that per `orderLine`: a `quantity` below what is left fulfils part of the line, `itemReceive:
// false` leaves it out. Lines the body does not name keep the default, so a client that ships only
// some lines must name the others with `itemReceive: false`. Pure: the operation stores the result.
import { isRecord } from '@retail-mesh/sandbox-kit';
import { remainingQuantity, type ItemLine } from '../records/item-lines.js';
import { invalidFieldValue, userError, type Invalid } from '../records/record-errors.js';

/** Units of one sales order line the fulfillment ships, from `location` when the request names one. */
export interface PlannedLine {
  line: ItemLine;
  quantity: number;
  location: string | null;
}

// NetSuite's shipStatus values: A Picked, B Packed, C Shipped. Only a shipped fulfillment moves
// the sales order's fulfilled quantities in the sandbox (it does not imitate pick, pack, ship).
const SHIPPED = 'C';

/** A line's field by name, case-insensitive as NetSuite reads request fields (its own example writes `itemreceive`). */
function field(record: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/** `6`, `"WH-EAST"` or `{"id": …}` / `{"refName": …}`: the location's name as the sandbox's stock knows it. */
function locationName(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (isRecord(value)) return locationName(value.id ?? value.refName);
  return undefined;
}

/** The body's `shipStatus` (`{"id":"C"}` or `"C"`), default Shipped. */
export function shipStatusOf(body: Record<string, unknown>): { ok: true } | Invalid {
  const raw = field(body, 'shipStatus');
  const id = isRecord(raw) ? raw.id : raw;
  if (id === undefined || id === SHIPPED) return { ok: true };
  return invalidFieldValue(id, 'shipStatus', 'shipStatus');
}

/**
 * What the transform fulfils: the sales order's open lines with all that is left, changed by the
 * body's `item.items` entries (`orderLine`, `itemReceive`, `quantity`, `location`). Errors as
 * NetSuite words them: a line not on the order or not open, a quantity that is not a positive
 * number or beyond what is left, a fulfillment with no line.
 */
export function planFulfillment(
  orderLines: readonly ItemLine[],
  body: Record<string, unknown>,
): { ok: true; lines: PlannedLine[] } | Invalid {
  const plan = new Map<number, PlannedLine>();
  for (const line of orderLines) {
    if (remainingQuantity(line) > 0) plan.set(line.line, { line, quantity: remainingQuantity(line), location: null });
  }
  const sublist = field(body, 'item');
  if (sublist !== undefined) {
    const items = isRecord(sublist) && Array.isArray(sublist.items) ? sublist.items : undefined;
    if (!items) return invalidFieldValue(sublist, 'item', 'item');
    for (const [index, entry] of items.entries()) {
      const path = `item.items[${index}]`;
      if (!isRecord(entry)) return invalidFieldValue(entry, 'item', path);
      const orderLine = field(entry, 'orderLine');
      const line = orderLines.find((candidate) => candidate.line === orderLine);
      if (!line) return invalidFieldValue(orderLine, 'orderLine', `${path}.orderLine`);
      const receive = field(entry, 'itemReceive');
      if (receive !== undefined && typeof receive !== 'boolean') return invalidFieldValue(receive, 'itemReceive', `${path}.itemReceive`);
      if (receive === false) {
        plan.delete(line.line);
        continue;
      }
      const left = remainingQuantity(line);
      const quantity = field(entry, 'quantity') ?? left;
      if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0)
        return invalidFieldValue(quantity, 'quantity', `${path}.quantity`);
      if (quantity > left) {
        return userError(
          `You cannot fulfill more than the quantity remaining on line ${line.line} (${left}); you entered ${quantity}.`,
          `${path}.quantity`,
        );
      }
      const location = locationName(field(entry, 'location'));
      if (location === undefined) return invalidFieldValue(field(entry, 'location'), 'location', `${path}.location`);
      plan.set(line.line, { line, quantity, location });
    }
  }
  const lines = [...plan.values()].sort((a, b) => a.line.line - b.line.line);
  if (lines.length === 0) return userError('You must enter at least one line item for this transaction.', 'item');
  return { ok: true, lines };
}
