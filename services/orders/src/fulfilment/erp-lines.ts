// Which order lines an ERP document's lines are. The connector passes the mesh line id it sent
// with the sales order; a line without one is matched by SKU. Pure.
import { DomainValidationError, remainingQuantity, type LineQuantities, type LineQuantity } from '@retail-mesh/domain';

export interface ErpLineInput {
  orderLineId: string;
  sku: string;
  quantity: number;
}

export interface OrderLineRef extends LineQuantities {
  sku: string;
}

/**
 * The order lines and quantities `erpLines` name. A line without an order line id takes the
 * order's lines with its SKU in order, each up to what it has left. With `clamp`, quantities are
 * cut to what is left (a cancellation: cancelling what is already gone changes nothing); without
 * it, more than is left is an error (a shipment cannot ship more than was ordered).
 * Throws DomainValidationError: `unknown_line`, `invalid_quantity`, `exceeds_remaining`.
 */
export function matchErpLines(orderLines: readonly OrderLineRef[], erpLines: readonly ErpLineInput[], clamp: boolean): LineQuantity[] {
  const left = new Map(orderLines.map((line) => [line.lineId, remainingQuantity(line)]));
  const taken = new Map<string, number>();
  const take = (lineId: string, quantity: number) => {
    left.set(lineId, left.get(lineId)! - quantity);
    taken.set(lineId, (taken.get(lineId) ?? 0) + quantity);
  };
  for (const erpLine of erpLines) {
    if (!Number.isSafeInteger(erpLine.quantity) || erpLine.quantity < 1) {
      throw new DomainValidationError(
        'invalid_quantity',
        `ERP line ${erpLine.orderLineId || erpLine.sku} has quantity ${erpLine.quantity}`,
      );
    }
    const candidates = erpLine.orderLineId
      ? orderLines.filter((line) => line.lineId === erpLine.orderLineId)
      : orderLines.filter((line) => line.sku === erpLine.sku);
    if (candidates.length === 0) {
      throw new DomainValidationError('unknown_line', `the order has no line ${JSON.stringify(erpLine.orderLineId || erpLine.sku)}`);
    }
    let wanted = erpLine.quantity;
    for (const line of candidates) {
      const quantity = Math.min(wanted, left.get(line.lineId)!);
      if (quantity > 0) take(line.lineId, quantity);
      wanted -= quantity;
    }
    if (wanted > 0 && !clamp) {
      throw new DomainValidationError(
        'exceeds_remaining',
        `ERP line ${JSON.stringify(erpLine.orderLineId || erpLine.sku)} has ${erpLine.quantity} units, ${erpLine.quantity - wanted} are left on the order`,
      );
    }
  }
  return orderLines.filter((line) => taken.has(line.lineId)).map((line) => ({ lineId: line.lineId, quantity: taken.get(line.lineId)! }));
}
