// What SubmitOrder accepts. The order's shape is the domain's rule (assertOrderShape); this adds
// the limits of the stored columns and the identity of the order, and assigns line ids.
import { CHANNEL_SLUG_PATTERN, type ordersV1 } from '@retail-mesh/contracts';
import { assertOrderShape } from '@retail-mesh/domain';
import { InvalidArgumentError } from '@retail-mesh/service-kit';
import { toOrderContent } from './order.mapper.js';

export interface SubmittedOrder {
  /** The order with every line id set. */
  order: ordersV1.Order;
  idempotencyKey: string;
}

const LIMITS = {
  channelAccountId: 100,
  channelOrderId: 255,
  channelOrderNumber: 100,
  requestedLocationId: 64,
  purchaseOrderNumber: 100,
  idempotencyKey: 400,
  lineId: 64,
  channelLineId: 255,
  sku: 64,
  title: 500,
} as const;

/** Throws InvalidArgumentError (`invalid_order`) or DomainValidationError (`invalid_order`) naming the field. */
export function readSubmittedOrder(request: ordersV1.SubmitOrderRequest): SubmittedOrder {
  const submitted = request.order;
  if (!submitted) invalid('order is required');
  required(submitted.channelAccountId, 'channel_account_id', LIMITS.channelAccountId);
  required(submitted.channelOrderId, 'channel_order_id', LIMITS.channelOrderId);
  if (!CHANNEL_SLUG_PATTERN.test(submitted.channel) || submitted.channel.length > 50) {
    invalid(`channel ${JSON.stringify(submitted.channel)} must be a lower-case slug such as "shopify"`);
  }
  limited(submitted.channelOrderNumber, 'channel_order_number', LIMITS.channelOrderNumber);
  limited(submitted.requestedLocationId, 'requested_location_id', LIMITS.requestedLocationId);
  limited(submitted.purchaseOrderNumber, 'purchase_order_number', LIMITS.purchaseOrderNumber);
  limited(request.idempotencyKey, 'idempotency_key', LIMITS.idempotencyKey);
  const lines = submitted.lines.map((line, index) => {
    const field = `lines[${index}]`;
    limited(line.lineId, `${field}.line_id`, LIMITS.lineId);
    limited(line.channelLineId, `${field}.channel_line_id`, LIMITS.channelLineId);
    limited(line.sku, `${field}.sku`, LIMITS.sku);
    limited(line.title, `${field}.title`, LIMITS.title);
    // Lines keep the channel's order; unnamed ones are named by position.
    return { ...line, lineId: line.lineId || `L${index + 1}`, shippedQuantity: 0, cancelledQuantity: 0, locationId: '' };
  });
  const order: ordersV1.Order = { ...submitted, lines };
  assertOrderShape(toOrderContent(order));
  return { order, idempotencyKey: request.idempotencyKey || `${order.channelAccountId}/${order.channelOrderId}` };
}

function required(value: string, field: string, maxLength: number): void {
  if (value.trim() === '') invalid(`${field} is required`);
  limited(value, field, maxLength);
}

function limited(value: string, field: string, maxLength: number): void {
  if (value.length > maxLength) invalid(`${field} must be at most ${maxLength} characters, got ${value.length}`);
}

function invalid(message: string): never {
  throw new InvalidArgumentError('invalid_order', message);
}
