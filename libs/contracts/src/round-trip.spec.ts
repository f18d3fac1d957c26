// STYLE.md rule 3: NestJS's gRPC transport encodes and decodes with @grpc/proto-loader
// (`protoLoaderOptions`) at run time, while code is typed and events are encoded by ts-proto.
// These tests prove both views read each other's bytes as the same values.
import protoLoader, { type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { inventoryV1, operationsV1, ordersV1, PROTO_FILES, protoLoaderOptions } from './index.js';

const packageDefinition = protoLoader.loadSync([...PROTO_FILES], protoLoaderOptions);

/** The serializers NestJS uses for a method's response. */
function runtimeResponse(service: string, method: string): MethodDefinition<object, object> {
  return (packageDefinition[service] as ServiceDefinition)[method];
}

/** proto-loader (defaults: true) gives unset message fields as null, ts-proto leaves them
 *  undefined; the generated types allow both (`field?: T | null`). Removes the nulls. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}

/** Keys whose value is neither undefined nor null, sorted. */
function presentKeys(value: object | null | undefined): string[] {
  return Object.entries(value ?? {})
    .filter(([, field]) => field !== undefined && field !== null)
    .map(([key]) => key)
    .sort();
}

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

// int64 beyond 32 bits, enums, repeated and nested messages, Timestamps, unset message fields
// (billingAddress, customer, line discounts' Money, cancel reason left at zero).
const order: ordersV1.Order = ordersV1.Order.fromPartial({
  orderId: 'ord-1',
  channelAccountId: 'shopify-eu',
  channel: 'shopify',
  channelOrderId: 'gid://shopify/Order/5501',
  state: ordersV1.OrderState.ORDER_STATE_ON_HOLD,
  holdReason: ordersV1.HoldReason.HOLD_REASON_FRAUD_REVIEW,
  lines: [
    {
      lineId: 'l1',
      sku: 'SKU-1',
      quantity: 3,
      unitPrice: usd(12_345_678_901),
      taxes: [{ name: 'VAT', ratePpm: 200_000, amount: usd(7_407_407_340) }],
    },
    { lineId: 'l2', sku: 'SKU-2', quantity: 1, unitPrice: usd(0), discounts: [{ code: 'FREE', amount: usd(999) }] },
  ],
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', countryCode: 'US' },
  paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
  fraudSignals: [{ source: 'shopify', code: 'AVS_MISMATCH', riskLevel: ordersV1.FraudRiskLevel.FRAUD_RISK_LEVEL_HIGH }],
  currency: 'USD',
  placedAt: { seconds: 1_767_225_600, nanos: 123_000_000 },
  version: 2 ** 40,
});

describe('runtime (proto-loader) and compile-time (ts-proto) views agree', () => {
  const getOrder = runtimeResponse('retail.orders.v1.OrdersService', 'GetOrder');

  it('proto-loader decodes what ts-proto encodes', () => {
    const bytes = ordersV1.GetOrderResponse.encode({ order, history: [] }).finish();
    const runtime = getOrder.responseDeserialize(Buffer.from(bytes)) as ordersV1.GetOrderResponse;

    expect(withoutNulls(runtime)).toEqual(withoutNulls(ordersV1.GetOrderResponse.fromPartial({ order })));
    expect(runtime.order?.version).toBe(2 ** 40);
    expect(runtime.order?.lines[0].unitPrice?.amountMinor).toBe(12_345_678_901);
    expect(runtime.order?.state).toBe(ordersV1.OrderState.ORDER_STATE_ON_HOLD);
    expect(runtime.order?.placedAt).toEqual({ seconds: 1_767_225_600, nanos: 123_000_000 });
    // Unset message field: null at run time, undefined from ts-proto; falsy in both.
    expect(runtime.order?.billingAddress).toBeNull();
    expect(ordersV1.GetOrderResponse.decode(bytes).order?.billingAddress).toBeUndefined();
    // Unset scalars get their defaults in both views.
    expect(runtime.order?.erpOrderId).toBe('');
    expect(runtime.order?.cancelReason).toBe(ordersV1.CancelReason.CANCEL_REASON_UNSPECIFIED);
    expect(runtime.order?.lines[1].taxes).toEqual([]);
  });

  it('ts-proto decodes what proto-loader encodes from a controller-style plain object', () => {
    // What a NestJS controller returns: the generated type, nulls allowed for unset messages.
    const returned: ordersV1.GetOrderResponse = { order: { ...order, billingAddress: null, customer: null }, history: [] };
    const bytes = getOrder.responseSerialize(returned);

    expect(ordersV1.GetOrderResponse.decode(bytes)).toEqual(ordersV1.GetOrderResponse.fromPartial({ order }));
  });

  describe('proto3 optional and oneof fields keep their presence', () => {
    const getPolicy = runtimeResponse('retail.inventory.v1.InventoryService', 'GetChannelPolicy');

    it.each([
      ['percent allocation, no cap', { allocationBasisPoints: 2500 }],
      ['fixed allocation, cap of zero', { allocationFixedQuantity: 40, maxQuantity: 0 }],
      ['no allocation, cap', { maxQuantity: 7 }],
    ])('%s', (_name, variant) => {
      const policy = inventoryV1.ChannelPolicy.fromPartial({
        channelAccountId: 'amazon-us',
        channel: 'amazon',
        safetyStock: 2,
        eligibleLocationIds: ['wh-1', 'wh-2'],
        version: 3,
        ...variant,
      });
      const compiledBytes = inventoryV1.GetChannelPolicyResponse.encode({ policy }).finish();
      const runtime = getPolicy.responseDeserialize(Buffer.from(compiledBytes)) as inventoryV1.GetChannelPolicyResponse;
      const roundTripped = inventoryV1.GetChannelPolicyResponse.decode(getPolicy.responseSerialize({ policy }));

      for (const decoded of [runtime.policy, roundTripped.policy]) {
        expect(withoutNulls(decoded)).toEqual(policy);
        // Exactly the set fields are present: no defaults for unset optional/oneof members and
        // no virtual oneof discriminators (`oneofs: false`).
        expect(presentKeys(decoded)).toEqual(presentKeys(policy));
      }
    });
  });

  it('bytes and map fields agree', () => {
    const listDeadLetters = runtimeResponse('retail.operations.v1.OperationsService', 'ListDeadLetters');
    const response = operationsV1.ListDeadLettersResponse.fromPartial({
      deadLetters: [
        {
          messageId: 'evt-1',
          routingKey: 'erp.stock_changed',
          attempts: 5,
          headers: { 'x-error': 'boom', 'x-original-queue': 'inventory.stock-changes' },
          body: Buffer.from([0, 1, 2, 250, 255]),
        },
      ],
    });

    const runtime = listDeadLetters.responseDeserialize(Buffer.from(operationsV1.ListDeadLettersResponse.encode(response).finish()));
    expect(withoutNulls(runtime)).toEqual(withoutNulls(response));
    expect(operationsV1.ListDeadLettersResponse.decode(listDeadLetters.responseSerialize(response))).toEqual(response);
  });
});
