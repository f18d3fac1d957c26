// The order flow (channel -> orders -> ERP -> channel, ADR 0004), registered for a mesh in either
// mode. Tests place orders and act the way the outside world does (a checkout, the warehouse, a
// merchant, an ERP user) through the sandboxes' admin routes, and read the outcome where an
// operator would: the sandboxes' inspection routes and the orders service's gRPC API.
import { randomUUID } from 'node:crypto';
import { catalogV1, channelV1, grpcServices, inventoryV1, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import {
  DEMO_AMAZON_ACCOUNT_ID,
  DEMO_AMAZON_LOCATIONS,
  DEMO_AMAZON_SAFETY_STOCK,
  DEMO_SAFETY_STOCK,
  DEMO_SHOP,
  DEMO_SHOPIFY_ACCOUNT,
} from '@retail-mesh/mesh';
import type { GrpcClient } from '@retail-mesh/service-kit';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  amazonQuantity,
  meshGrpcClient,
  setAmazonUsagePlan,
  setErpStock,
  shopifyLevels,
  startMeshUnderTest,
  type MeshMode,
  type MeshUnderTest,
} from '../support/mesh-under-test.js';

const { OrderState, HoldReason, CancelReason } = ordersV1;
const SHOPIFY_ACCOUNT_ID = DEMO_SHOPIFY_ACCOUNT.channelAccountId;
/** The demo policies: Shopify sells from both warehouses, Amazon from WH-EAST only, so stock there moves both channels. */
const [EAST] = DEMO_AMAZON_LOCATIONS;
const WEST = 'WH-WEST';
const SHOPIFY_SAFETY_STOCK = DEMO_SAFETY_STOCK;
const AMAZON_SAFETY_STOCK = DEMO_AMAZON_SAFETY_STOCK;
const ORDER_TIMEOUT_MS = 60_000;

/** The mesh and the gRPC clients the tests read it through. */
export interface OrderRig {
  mesh: MeshUnderTest;
  orders: GrpcClient<ordersV1.OrdersServiceClient>;
  inventory: GrpcClient<inventoryV1.InventoryServiceClient>;
  catalog: GrpcClient<catalogV1.CatalogServiceClient>;
  shopifyAdapter: GrpcClient<channelV1.ChannelAdapterServiceClient>;
  amazonAdapter: GrpcClient<channelV1.ChannelAdapterServiceClient>;
}

/** Starts one mesh for the whole file, on its own ports so it can run beside the other suites. */
export function useOrderMesh(mode: MeshMode, portOffset: number): () => OrderRig {
  let rig: OrderRig | undefined;
  beforeAll(async () => {
    const mesh = await startMeshUnderTest(mode, 10, { portOffset });
    // The adapter polls getOrders every 2 s; Amazon's plan (one a minute after a burst of 20) would
    // leave it waiting a minute per poll after 40 s. Raised before the adapter's burst runs out.
    await setAmazonUsagePlan(mesh, { operation: 'getOrders', rate: 1, burst: 20 });
    rig = {
      mesh,
      orders: meshGrpcClient(mesh, 'orders', grpcServices.orders),
      inventory: meshGrpcClient(mesh, 'inventory', grpcServices.inventory),
      catalog: meshGrpcClient(mesh, 'catalog', grpcServices.catalog),
      shopifyAdapter: meshGrpcClient(mesh, 'channel-shopify', grpcServices.channelAdapter),
      amazonAdapter: meshGrpcClient(mesh, 'channel-amazon', grpcServices.channelAdapter),
    };
    // The adapter subscribes the order webhooks on its first poll (the shop exists only once seeded).
    await waitFor(
      async () => {
        const { subscriptions } = await mesh.shopifyAdmin.call<{ subscriptions: { topic: string }[] }>(
          'GET',
          `/_sandbox/shops/${DEMO_SHOP}/webhooks`,
        );
        return ['orders/create', 'orders/updated', 'orders/cancelled'].every((topic) => subscriptions.some((s) => s.topic === topic));
      },
      { timeoutMs: ORDER_TIMEOUT_MS, description: 'the order webhooks to be subscribed on Shopify' },
    );
  });
  afterAll(async () => {
    for (const client of [rig?.orders, rig?.inventory, rig?.catalog, rig?.shopifyAdapter, rig?.amazonAdapter]) client?.close();
    await rig?.mesh.stop();
  });
  return () => {
    if (!rig) throw new Error('the mesh did not start');
    return rig;
  };
}

// ---- Shopify (sandbox) ------------------------------------------------------------------

interface CheckoutLine {
  sku: string;
  quantity: number;
}

interface ShopifyOrderView {
  order: {
    id: number;
    admin_graphql_api_id: string;
    name: string;
    cancelled_at: string | null;
    fulfillment_status: string | null;
    financial_status: string;
    line_items: { id: number; sku: string; current_quantity: number; fulfillable_quantity: number }[];
    refunds: {
      refund_line_items: { line_item_id: number; quantity: number; restock_type: string; subtotal: string }[];
      transactions: { kind: string; amount: string }[];
    }[];
  };
  metafields: { namespace: string; key: string; value: string }[];
  cancellation: { reason: string; by: 'merchant' | 'api' } | null;
  fulfillments: { status: string; trackingInfo: { company: string; number: string }[]; lineItems: { sku: string; quantity: number }[] }[];
}

interface PlacedOrder {
  /** The Shopify order's numeric id (admin routes) and its gid (the mesh's channel order id). */
  id: number;
  ref: ordersV1.ChannelOrderRef;
}

const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  address1: '1 Market St',
  city: 'San Francisco',
  province: 'California',
  provinceCode: 'CA',
  zip: '94105',
  country: 'United States',
  countryCode: 'US',
};

/** A checkout on the demo shop: 25.00 a unit, 8 % tax, 5.00 shipping. */
async function placeShopifyOrder(mesh: MeshUnderTest, lines: CheckoutLine[], extra: Record<string, unknown> = {}): Promise<PlacedOrder> {
  const view = await mesh.shopifyAdmin.call<ShopifyOrderView>('POST', `/_sandbox/shops/${DEMO_SHOP}/orders`, {
    lineItems: lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      price: '25.00',
      taxLines: [{ title: 'CA State Tax', rate: 0.08, price: (2 * line.quantity).toFixed(2) }],
    })),
    shippingLines: [{ code: 'standard', title: 'Standard', price: '5.00' }],
    customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
    email: 'ada@example.com',
    shippingAddress: ADDRESS,
    ...extra,
  });
  return { id: view.order.id, ref: { channelAccountId: SHOPIFY_ACCOUNT_ID, channelOrderId: view.order.admin_graphql_api_id } };
}

async function shopifyOrder(mesh: MeshUnderTest, placed: PlacedOrder): Promise<ShopifyOrderView> {
  return mesh.shopifyAdmin.call<ShopifyOrderView>('GET', `/_sandbox/shops/${DEMO_SHOP}/orders/${placed.id}`);
}

// ---- Amazon (sandbox) -------------------------------------------------------------------

/** Acknowledgements (StatusCode Success) and seller cancellations (StatusCode Failure) both go through this feed. */
const ACKNOWLEDGEMENT_FEED = 'POST_ORDER_ACKNOWLEDGEMENT_DATA';

/** A recipient as getOrderAddress gives it (Orders v0 `Address`), only with a Restricted Data Token. */
const AMAZON_ADDRESS = {
  Name: 'Grace Hopper',
  AddressLine1: '410 Terry Ave N',
  AddressLine2: 'Apt 4',
  City: 'SEATTLE',
  StateOrRegion: 'WA',
  PostalCode: '98109-5210',
  CountryCode: 'US',
  Phone: '+1 206-555-0142',
  AddressType: 'Residential',
};

interface AmazonOrderView {
  AmazonOrderId: string;
  OrderStatus: string;
  OrderItems: { OrderItemId: string; SellerSKU: string; QuantityOrdered: number; QuantityCancelled: number }[];
  acknowledgements: { statusCode: 'Success' | 'Failure'; merchantOrderId: string | null }[];
  shipments: { carrierCode: string; trackingNumber: string; items: { orderItemId: string; quantity: number }[] }[];
  cancellations: { orderItemId: string; reason: string }[];
  droppedConfirmations: number;
}

interface AmazonFeedView {
  feedType: string;
  content: string | null;
}

/**
 * A buyer's order on Amazon, merchant-fulfilled (MFN) unless Amazon fulfils it (AFN): 25.00 a
 * unit, 2.00 tax a unit. Returns the mesh's reference to it.
 */
async function placeAmazonOrder(
  mesh: MeshUnderTest,
  lines: CheckoutLine[],
  fulfillmentChannel: 'MFN' | 'AFN' = 'MFN',
): Promise<ordersV1.ChannelOrderRef> {
  const { orders } = await mesh.amazonAdmin.call<{ orders: AmazonOrderView[] }>('POST', '/_sandbox/orders', {
    fulfillmentChannel,
    shippingAddress: AMAZON_ADDRESS,
    items: lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: '25.00', itemTax: (2 * line.quantity).toFixed(2) })),
  });
  return { channelAccountId: DEMO_AMAZON_ACCOUNT_ID, channelOrderId: orders[0].AmazonOrderId };
}

async function amazonOrder(mesh: MeshUnderTest, ref: ordersV1.ChannelOrderRef): Promise<AmazonOrderView> {
  const { orders } = await mesh.amazonAdmin.call<{ orders: AmazonOrderView[] }>(
    'GET',
    `/_sandbox/orders?${new URLSearchParams({ amazonOrderId: ref.channelOrderId })}`,
  );
  return orders[0];
}

/** The feeds of a type that name the Amazon order. */
async function amazonFeedsOf(mesh: MeshUnderTest, feedType: string, ref: ordersV1.ChannelOrderRef): Promise<AmazonFeedView[]> {
  const { feeds } = await mesh.amazonAdmin.call<{ feeds: AmazonFeedView[] }>('GET', '/_sandbox/feeds');
  return feeds.filter((feed) => feed.feedType === feedType && (feed.content ?? '').includes(ref.channelOrderId));
}

/** The seller cancellations (Failure acknowledgements) that name the Amazon order. */
async function amazonCancellationFeedsOf(mesh: MeshUnderTest, ref: ordersV1.ChannelOrderRef): Promise<AmazonFeedView[]> {
  return (await amazonFeedsOf(mesh, ACKNOWLEDGEMENT_FEED, ref)).filter((feed) =>
    (feed.content ?? '').includes('<StatusCode>Failure</StatusCode>'),
  );
}

/**
 * Waits until the order is ACKNOWLEDGED. Amazon processes feeds on its own clock (the sandbox
 * within seconds): once the adapter's acknowledgement feed naming an Amazon order is there, the
 * sandbox processes it at once.
 */
async function waitForAcknowledged(rig: OrderRig, ref: ordersV1.ChannelOrderRef): Promise<ordersV1.Order> {
  if (ref.channelAccountId === DEMO_AMAZON_ACCOUNT_ID) {
    await waitFor(async () => (await amazonFeedsOf(rig.mesh, ACKNOWLEDGEMENT_FEED, ref)).length > 0, {
      timeoutMs: ORDER_TIMEOUT_MS,
      intervalMs: 100,
      description: `the acknowledgement feed of ${ref.channelOrderId}`,
    });
    await rig.mesh.amazonAdmin.call('POST', '/_sandbox/process');
  }
  return waitForState(rig, ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
}

// ---- ERP (sandbox) ----------------------------------------------------------------------

interface SalesOrder {
  id: string;
  externalId: string;
  fields: {
    custbody_rm_channel_order_id: string;
    custbody_rm_fulfilled_by_channel?: boolean;
    orderStatus?: { id: string; refName: string };
    item: { items: { item: { refName: string }; quantity: number; quantityFulfilled?: number; isClosed: boolean }[] };
  };
}

/** NetSuite external ids allow letters, digits, `_` and `-`: other bytes are written `_XX` (erp-connector README). */
function externalIdPart(part: string): string {
  return [...Buffer.from(part, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9-]/.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function expectedExternalId(channel: string, ref: ordersV1.ChannelOrderRef): string {
  return [channel, ref.channelAccountId, ref.channelOrderId].map(externalIdPart).join('__');
}

interface ItemFulfillment {
  id: string;
  externalId: string | null;
  fields: { createdFrom: { id: string }; shipStatus: { id: string }; memo?: string; item: { items: unknown[] } };
}

/** The ERP's item fulfillments of a sales order, oldest first. */
async function itemFulfillmentsOf(mesh: MeshUnderTest, erpOrderId: string): Promise<ItemFulfillment[]> {
  const { itemFulfillments } = await mesh.erpAdmin.call<{ itemFulfillments: ItemFulfillment[] }>('GET', '/_sandbox/item-fulfillments');
  return itemFulfillments.filter((fulfillment) => fulfillment.fields.createdFrom.id === erpOrderId);
}

/** Every ERP sales order booked for a channel order (the mesh's order reference on it), oldest first. */
async function salesOrdersOf(mesh: MeshUnderTest, ref: ordersV1.ChannelOrderRef): Promise<SalesOrder[]> {
  const { salesOrders } = await mesh.erpAdmin.call<{ salesOrders: SalesOrder[] }>('GET', '/_sandbox/sales-orders');
  return salesOrders.filter((salesOrder) => salesOrder.fields.custbody_rm_channel_order_id === ref.channelOrderId);
}

// ---- orders and inventory (gRPC) ---------------------------------------------------------

async function orderOf(rig: OrderRig, ref: ordersV1.ChannelOrderRef): Promise<ordersV1.GetOrderResponse> {
  return rig.orders.getOrder(ordersV1.GetOrderRequest.fromPartial({ channelOrder: ref }));
}

function stateName(state: ordersV1.OrderState): string {
  return ordersV1.orderStateToJSON(state);
}

/** Waits until the order (once the mesh has it) is in `state`; returns it. */
async function waitForState(
  rig: OrderRig,
  ref: ordersV1.ChannelOrderRef,
  state: ordersV1.OrderState,
  timeoutMs = ORDER_TIMEOUT_MS,
): Promise<ordersV1.Order> {
  let last = 'not in the mesh';
  return waitFor(
    async () => {
      const { order } = await orderOf(rig, ref);
      last = `${stateName(order!.state)} ${order!.holdDetail}`.trim();
      return order!.state === state ? order! : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `${ref.channelOrderId} to be ${stateName(state)}` },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; it is ${last}`);
  });
}

async function listOrders(rig: OrderRig, filter: Partial<ordersV1.ListOrdersRequest>): Promise<ordersV1.Order[]> {
  const orders: ordersV1.Order[] = [];
  let pageToken = '';
  do {
    const response = await rig.orders.listOrders(ordersV1.ListOrdersRequest.fromPartial({ ...filter, page: { pageSize: 200, pageToken } }));
    orders.push(...response.orders);
    pageToken = response.page?.nextPageToken ?? '';
  } while (pageToken !== '');
  return orders;
}

async function explanation(rig: OrderRig, channelAccountId: string, sku: string): Promise<inventoryV1.AvailabilityExplanation> {
  const { availability } = await rig.inventory.getAvailability({ channelAccountId, sku });
  return availability!.explanation!;
}

/** Sets a SKU's ERP stock and waits until inventory has it per location and both channels show what it implies. */
async function stockSku(rig: OrderRig, sku: string, onHand: { east: number; west: number }): Promise<void> {
  await setErpStock(rig.mesh, [
    { sku, location: EAST, onHand: onHand.east },
    { sku, location: WEST, onHand: onHand.west },
  ]);
  await waitFor(
    async () => {
      const { locations } = await explanation(rig, SHOPIFY_ACCOUNT_ID, sku);
      const at = (location: string) => locations.find((candidate) => candidate.locationId === location)?.onHand;
      return at(EAST) === onHand.east && at(WEST) === onHand.west;
    },
    { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: `inventory to have the new ERP stock of ${sku}` },
  );
  await waitForChannels(rig, sku, {
    shopify: Math.max(0, onHand.east + onHand.west - SHOPIFY_SAFETY_STOCK),
    amazon: Math.max(0, onHand.east - AMAZON_SAFETY_STOCK),
  });
}

/** Waits until Shopify and Amazon both show these quantities for a SKU. */
async function waitForChannels(rig: OrderRig, sku: string, expected: { shopify: number; amazon: number }): Promise<void> {
  await waitFor(
    async () => {
      const [level] = await shopifyLevels(rig.mesh, sku);
      return level?.available === expected.shopify && (await amazonQuantity(rig.mesh, sku)) === expected.amazon;
    },
    {
      timeoutMs: ORDER_TIMEOUT_MS,
      intervalMs: 100,
      description: `Shopify to show ${expected.shopify} and Amazon ${expected.amazon} of ${sku}`,
    },
  );
}

/** A canonical order submitted straight to OrdersService.SubmitOrder, as a channel adapter does. */
function directOrder(channelAccountId: string, channel: string, sku: string, overrides: Partial<ordersV1.Order>): ordersV1.Order {
  const money = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
  return ordersV1.Order.fromPartial({
    channelAccountId,
    channel,
    channelOrderId: `e2e-direct-${randomUUID()}`,
    channelOrderNumber: 'E2E',
    lines: [
      { channelLineId: 'line-1', sku, title: sku, quantity: 1, unitPrice: money(2500), taxes: [{ name: 'Tax', amount: money(200) }] },
    ],
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: ADDRESS.address1,
      city: ADDRESS.city,
      region: ADDRESS.provinceCode,
      postalCode: ADDRESS.zip,
      countryCode: 'US',
    },
    paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_PAID,
    currency: 'USD',
    totals: { subtotal: money(2500), discountTotal: money(0), taxTotal: money(200), shippingTotal: money(0), grandTotal: money(2700) },
    placedAt: toTimestamp(new Date()),
    ...overrides,
  });
}

// ---- the scenarios ----------------------------------------------------------------------

export function describeOrderFlow(mode: MeshMode, getRig: () => OrderRig): void {
  /** Each test works on SKUs of its own, so tests never see each other's reservations. */
  const skuAt = (index: number) => getRig().mesh.skus[index].sku;

  describe(`order flow (${mode})`, () => {
    it('turns a Shopify order into exactly one ERP sales order, reserves it on every channel and acknowledges it on Shopify', async () => {
      const rig = getRig();
      const sku = skuAt(0);
      await stockSku(rig, sku, { east: 10, west: 0 });

      const placed = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 2 }]);
      const order = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);

      const salesOrders = await salesOrdersOf(rig.mesh, placed.ref);
      expect(salesOrders).toHaveLength(1);
      expect(salesOrders[0].id).toBe(order.erpOrderId);
      expect(salesOrders[0].externalId).toBe(expectedExternalId('shopify', placed.ref));
      expect(salesOrders[0].fields.item.items).toMatchObject([{ item: { refName: sku }, quantity: 2 }]);
      expect((await shopifyOrder(rig.mesh, placed)).metafields).toContainEqual(
        expect.objectContaining({ namespace: 'retail_mesh', key: 'erp_order_id', value: order.erpOrderId }),
      );
      expect(order.lines).toMatchObject([{ sku, quantity: 2, locationId: EAST }]);
      const { history } = await orderOf(rig, placed.ref);
      expect(history.map((entry) => entry.change)).toEqual(['submitted', 'validated', 'reserved', 'accepted', 'acknowledged']);
      // The reservation counts against both channels at once: 10 - 2 held - safety stock.
      await waitForChannels(rig, sku, { shopify: 10 - 2 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 2 - AMAZON_SAFETY_STOCK });
    });

    it('records one order and one ERP sales order when the webhook arrives three times while a poll reads the same order', async () => {
      const rig = getRig();
      const sku = skuAt(1);
      const placed = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]);
      const { deliveries } = await rig.mesh.shopifyAdmin.call<{ deliveries: { webhookId: string }[] }>(
        'GET',
        `/_sandbox/webhook-deliveries?topic=orders/create&orderId=${placed.id}`,
      );
      expect(deliveries).toHaveLength(1);
      const webhookId = deliveries[0].webhookId;

      // Two more deliveries of the same webhook (same X-Shopify-Webhook-Id), racing a poll of the shop's orders.
      const [redelivered, synced] = await Promise.all([
        rig.mesh.shopifyAdmin.call<{ statuses: number[] }>('POST', `/_sandbox/webhook-deliveries/${webhookId}/redeliver`, { times: 2 }),
        rig.shopifyAdapter.syncOrders({ channelAccountId: SHOPIFY_ACCOUNT_ID, since: toTimestamp(new Date(Date.now() - 60_000)) }),
      ]);
      expect(redelivered.statuses).toEqual([200, 200]);
      expect(synced.orderCount).toBeGreaterThanOrEqual(1);

      const order = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
      const [delivery] = (
        await rig.mesh.shopifyAdmin.call<{ deliveries: { webhookId: string; attempts: { status: number }[] }[] }>(
          'GET',
          `/_sandbox/webhook-deliveries?topic=orders/create&orderId=${placed.id}`,
        )
      ).deliveries;
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([200, 200, 200]);
      const sameChannelOrder = (await listOrders(rig, { channelAccountId: SHOPIFY_ACCOUNT_ID })).filter(
        (candidate) => candidate.channelOrderId === placed.ref.channelOrderId,
      );
      expect(sameChannelOrder.map((candidate) => candidate.orderId)).toEqual([order.orderId]);
      const salesOrders = await salesOrdersOf(rig.mesh, placed.ref);
      expect(salesOrders.map((salesOrder) => salesOrder.id)).toEqual([order.erpOrderId]);
      const { history } = await orderOf(rig, placed.ref);
      expect(history.filter((entry) => entry.change === 'submitted')).toHaveLength(1);
    });

    it('puts each invalid order on hold with its reason, listed by hold reason through gRPC', async () => {
      const rig = getRig();
      const unlistedSku = `E2E-UNLISTED-${mode.toUpperCase()}`;
      // In the catalog, but listed on no channel account.
      await rig.catalog.upsertProduct(
        catalogV1.UpsertProductRequest.fromPartial({
          product: {
            productId: `e2e-unlisted-${mode}`,
            title: 'Not sold online',
            brand: 'Retail Mesh',
            status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
            variants: [
              { sku: unlistedSku, title: 'Not sold online', status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE, weightGrams: 100 },
            ],
          },
        }),
      );
      const stockedSku = skuAt(2);
      await stockSku(rig, stockedSku, { east: 5, west: 5 });

      const fromShopify = {
        unknownSku: await placeShopifyOrder(rig.mesh, [{ sku: 'E2E-NOT-IN-CATALOG', quantity: 1 }]),
        notListed: await placeShopifyOrder(rig.mesh, [{ sku: unlistedSku, quantity: 1 }]),
        paymentPending: await placeShopifyOrder(rig.mesh, [{ sku: stockedSku, quantity: 1 }], { financialStatus: 'pending' }),
        outOfStock: await placeShopifyOrder(rig.mesh, [{ sku: stockedSku, quantity: 11 }]),
      };
      // What neither channel's orders can carry (the Shopify sandbox computes the tax total from the
      // lines as Shopify does, Shopify's REST order has no risk assessment, neither channel asks for
      // a location), submitted as an adapter would.
      const submit = async (order: ordersV1.Order) => {
        const { order: submitted } = await rig.orders.submitOrder({ idempotencyKey: '', order });
        return { channelAccountId: submitted!.channelAccountId, channelOrderId: submitted!.channelOrderId };
      };
      const direct = {
        taxMismatch: await submit(
          directOrder(SHOPIFY_ACCOUNT_ID, 'shopify', stockedSku, {
            totals: {
              subtotal: { amountMinor: 2500, currency: 'USD' },
              discountTotal: { amountMinor: 0, currency: 'USD' },
              taxTotal: { amountMinor: 300, currency: 'USD' },
              shippingTotal: { amountMinor: 0, currency: 'USD' },
              grandTotal: { amountMinor: 2800, currency: 'USD' },
            },
          }),
        ),
        fraud: await submit(
          directOrder(SHOPIFY_ACCOUNT_ID, 'shopify', stockedSku, {
            fraudSignals: [
              { source: 'e2e-screening', code: 'card-testing', riskLevel: ordersV1.FraudRiskLevel.FRAUD_RISK_LEVEL_HIGH, message: '' },
            ],
          }),
        ),
        // Amazon is served from WH-EAST only.
        locationNotEligible: await submit(directOrder(DEMO_AMAZON_ACCOUNT_ID, 'amazon', stockedSku, { requestedLocationId: WEST })),
      };

      const expectations: [ordersV1.ChannelOrderRef, ordersV1.HoldReason, RegExp][] = [
        [fromShopify.unknownSku.ref, HoldReason.HOLD_REASON_UNKNOWN_SKU, /E2E-NOT-IN-CATALOG.*not in the catalog/],
        [fromShopify.notListed.ref, HoldReason.HOLD_REASON_SKU_NOT_LISTED, new RegExp(`${unlistedSku}.*not listed`)],
        [fromShopify.paymentPending.ref, HoldReason.HOLD_REASON_PAYMENT_PENDING, /payment is pending/],
        [fromShopify.outOfStock.ref, HoldReason.HOLD_REASON_INSUFFICIENT_STOCK, new RegExp(stockedSku)],
        [direct.taxMismatch, HoldReason.HOLD_REASON_TAX_MISMATCH, /tax total is 300 USD minor units, the lines add up to 200/],
        [direct.fraud, HoldReason.HOLD_REASON_FRAUD_REVIEW, /high fraud risk reported by e2e-screening/],
        [direct.locationNotEligible, HoldReason.HOLD_REASON_LOCATION_NOT_ELIGIBLE, new RegExp(WEST)],
      ];
      for (const [ref, reason, detail] of expectations) {
        const order = await waitForState(rig, ref, OrderState.ORDER_STATE_ON_HOLD);
        expect({ order: ref.channelOrderId, reason: ordersV1.holdReasonToJSON(order.holdReason) }).toEqual({
          order: ref.channelOrderId,
          reason: ordersV1.holdReasonToJSON(reason),
        });
        expect(order.holdDetail).toMatch(detail);
        const held = await listOrders(rig, { states: [OrderState.ORDER_STATE_ON_HOLD], holdReasons: [reason] });
        expect(held.map((candidate) => candidate.channelOrderId)).toContain(ref.channelOrderId);
        expect(held.every((candidate) => candidate.holdReason === reason)).toBe(true);
        expect(await salesOrdersOf(rig.mesh, ref)).toEqual([]);
      }
      // Nothing held stock: the out-of-stock order reserved nothing.
      expect((await explanation(rig, SHOPIFY_ACCOUNT_ID, stockedSku)).reserved).toBe(0);
    });

    it('brings a partial and then the final ERP shipment to Shopify as fulfilments with tracking', async () => {
      const rig = getRig();
      const [first, second] = [skuAt(3), skuAt(4)];
      await stockSku(rig, first, { east: 10, west: 0 });
      await stockSku(rig, second, { east: 10, west: 0 });
      const placed = await placeShopifyOrder(rig.mesh, [
        { sku: first, quantity: 2 },
        { sku: second, quantity: 1 },
      ]);
      const accepted = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
      expect(accepted.lines.map((line) => line.locationId)).toEqual([EAST, EAST]);

      // The warehouse ships one unit of the first line.
      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/shipments`, {
        location: EAST,
        lines: [{ sku: first, quantity: 1 }],
        shipCarrier: 'UPS',
        trackingNumber: '1ZE2EPART0001',
      });
      const partial = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_PARTIALLY_SHIPPED);
      expect(partial.lines.map((line) => [line.sku, line.shippedQuantity])).toEqual([
        [first, 1],
        [second, 0],
      ]);
      const afterPartial = await waitFor(
        async () => {
          const view = await shopifyOrder(rig.mesh, placed);
          return view.fulfillments.length === 1 ? view : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, description: 'the partial fulfilment on Shopify' },
      );
      expect(afterPartial.fulfillments[0]).toMatchObject({
        trackingInfo: [{ company: 'UPS', number: '1ZE2EPART0001' }],
        lineItems: [{ sku: first, quantity: 1 }],
      });
      expect(afterPartial.order.fulfillment_status).toBe('partial');

      // Then everything left.
      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/shipments`, {
        location: EAST,
        shipCarrier: 'FedEx',
        trackingNumber: '7790E2EREST01',
      });
      const shipped = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_SHIPPED);
      expect(shipped.lines.map((line) => [line.sku, line.shippedQuantity])).toEqual([
        [first, 2],
        [second, 1],
      ]);
      const complete = await waitFor(
        async () => {
          const view = await shopifyOrder(rig.mesh, placed);
          return view.fulfillments.length === 2 ? view : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, description: 'the second fulfilment on Shopify' },
      );
      expect(complete.fulfillments[1].trackingInfo).toMatchObject([{ company: 'FedEx', number: '7790E2EREST01' }]);
      expect(complete.fulfillments[1].lineItems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sku: first, quantity: 1 }),
          expect.objectContaining({ sku: second, quantity: 1 }),
        ]),
      );
      expect(complete.order.fulfillment_status).toBe('fulfilled');
      // The shipments consumed the reservation: it holds nothing any more.
      const { reservation } = await rig.inventory.getReservation(
        inventoryV1.GetReservationRequest.fromPartial({ orderId: shipped.orderId }),
      );
      expect(inventoryV1.reservationStatusToJSON(reservation!.status)).toBe('RESERVATION_STATUS_CONSUMED');
    });

    it('cancels an order the merchant cancelled on Shopify: reservation released, ERP sales order closed', async () => {
      const rig = getRig();
      const sku = skuAt(5);
      await stockSku(rig, sku, { east: 10, west: 0 });
      const placed = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 3 }]);
      const accepted = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
      await waitForChannels(rig, sku, { shopify: 10 - 3 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 3 - AMAZON_SAFETY_STOCK });

      await rig.mesh.shopifyAdmin.call('POST', `/_sandbox/shops/${DEMO_SHOP}/orders/${placed.id}/cancel`, { reason: 'CUSTOMER' });
      const cancelled = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_CANCELLED);
      expect(cancelled.cancelReason).toBe(CancelReason.CANCEL_REASON_CHANNEL_CANCELLED);
      // The three units are back on both channels.
      await waitForChannels(rig, sku, { shopify: 10 - SHOPIFY_SAFETY_STOCK, amazon: 10 - AMAZON_SAFETY_STOCK });
      const [salesOrder] = await waitFor(
        async () => {
          const salesOrders = await salesOrdersOf(rig.mesh, placed.ref);
          return salesOrders.every((candidate) => candidate.fields.item.items.every((line) => line.isClosed)) ? salesOrders : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, description: `ERP sales order ${accepted.erpOrderId} to be closed` },
      );
      expect(salesOrder.id).toBe(accepted.erpOrderId);
      // Shopify's own cancellation stands; the mesh does not cancel it a second time.
      expect((await shopifyOrder(rig.mesh, placed)).cancellation).toMatchObject({ by: 'merchant' });
    });

    it('cancels an order cancelled in the ERP: reservation released, the Shopify order cancelled', async () => {
      const rig = getRig();
      const sku = skuAt(6);
      await stockSku(rig, sku, { east: 10, west: 0 });
      const placed = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 2 }]);
      const accepted = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
      await waitForChannels(rig, sku, { shopify: 10 - 2 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 2 - AMAZON_SAFETY_STOCK });

      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/cancel`, { reason: 'customer called' });
      const cancelled = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_CANCELLED);
      expect(cancelled.cancelReason).toBe(CancelReason.CANCEL_REASON_ERP_CANCELLED);
      await waitForChannels(rig, sku, { shopify: 10 - SHOPIFY_SAFETY_STOCK, amazon: 10 - AMAZON_SAFETY_STOCK });
      const view = await waitFor(
        async () => {
          const candidate = await shopifyOrder(rig.mesh, placed);
          return candidate.order.cancelled_at ? candidate : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, description: 'the Shopify order to be cancelled' },
      );
      expect(view.cancellation).toMatchObject({ by: 'api' });
    });

    it('gives the last unit to exactly one of two orders placed at the same moment', async () => {
      const rig = getRig();
      const sku = skuAt(7);
      // One unit on hand at the one location both channels sell from: reservable 1 (ADR 0005: safety
      // stock shapes what channels show, not what an order may reserve), so both channels show 0.
      await stockSku(rig, sku, { east: 1, west: 0 });
      await waitFor(async () => (await explanation(rig, SHOPIFY_ACCOUNT_ID, sku)).onHand === 1, {
        timeoutMs: ORDER_TIMEOUT_MS,
        description: `inventory to know the one unit of ${sku}`,
      });

      const racers = await Promise.all([
        placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]),
        placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]),
      ]);
      const settled = await Promise.all(
        racers.map((placed) =>
          waitFor(
            async () => {
              const { order } = await orderOf(rig, placed.ref);
              return [OrderState.ORDER_STATE_ACKNOWLEDGED, OrderState.ORDER_STATE_ON_HOLD].includes(order!.state) ? order : undefined;
            },
            { timeoutMs: ORDER_TIMEOUT_MS, description: `${placed.ref.channelOrderId} to be acknowledged or held` },
          ),
        ),
      );
      const winners = settled.filter((order) => order!.state === OrderState.ORDER_STATE_ACKNOWLEDGED);
      const losers = settled.filter((order) => order!.state === OrderState.ORDER_STATE_ON_HOLD);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.holdReason).toBe(HoldReason.HOLD_REASON_INSUFFICIENT_STOCK);
      expect(await salesOrdersOf(rig.mesh, { channelAccountId: SHOPIFY_ACCOUNT_ID, channelOrderId: losers[0]!.channelOrderId })).toEqual(
        [],
      );
      // The unit is held for the winner on both channel accounts, and both show nothing to sell.
      for (const channelAccountId of [SHOPIFY_ACCOUNT_ID, DEMO_AMAZON_ACCOUNT_ID]) {
        expect(await explanation(rig, channelAccountId, sku)).toMatchObject({ onHand: 1, reserved: 1, sellable: 0 });
      }
      await waitForChannels(rig, sku, { shopify: 0, amazon: 0 });
    });

    it('turns an Amazon merchant-fulfilled order into exactly one ERP sales order and acknowledges it through the order feed', async () => {
      const rig = getRig();
      const sku = skuAt(12);
      await stockSku(rig, sku, { east: 10, west: 0 });

      const ref = await placeAmazonOrder(rig.mesh, [{ sku, quantity: 2 }]);
      const order = await waitForAcknowledged(rig, ref);

      const salesOrders = await salesOrdersOf(rig.mesh, ref);
      expect(salesOrders).toHaveLength(1);
      expect(salesOrders[0].id).toBe(order.erpOrderId);
      expect(salesOrders[0].externalId).toBe(expectedExternalId('amazon', ref));
      expect(salesOrders[0].fields.item.items).toMatchObject([{ item: { refName: sku }, quantity: 2 }]);
      expect(order.lines).toMatchObject([{ sku, quantity: 2, locationId: EAST }]);
      // The recipient's name, street and phone, read with a Restricted Data Token.
      expect(order.shippingAddress).toMatchObject({
        name: AMAZON_ADDRESS.Name,
        line1: AMAZON_ADDRESS.AddressLine1,
        line2: AMAZON_ADDRESS.AddressLine2,
        city: AMAZON_ADDRESS.City,
        region: AMAZON_ADDRESS.StateOrRegion,
        postalCode: AMAZON_ADDRESS.PostalCode,
        countryCode: 'US',
        phone: AMAZON_ADDRESS.Phone,
      });
      const { history } = await orderOf(rig, ref);
      expect(history.map((entry) => entry.change)).toEqual(['submitted', 'validated', 'reserved', 'accepted', 'acknowledged']);
      // Amazon took the acknowledgement with the ERP order id as the merchant's order id.
      expect((await amazonOrder(rig.mesh, ref)).acknowledgements).toMatchObject([
        { statusCode: 'Success', merchantOrderId: order.erpOrderId },
      ]);
      await waitForChannels(rig, sku, { shopify: 10 - 2 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 2 - AMAZON_SAFETY_STOCK });
    });

    it('confirms ERP shipments on Amazon with carrier and tracking, sending one again that Amazon answered without applying', async () => {
      const rig = getRig();
      const sku = skuAt(13);
      await stockSku(rig, sku, { east: 10, west: 0 });
      const [plain, dropped] = await Promise.all([
        placeAmazonOrder(rig.mesh, [{ sku, quantity: 2 }]),
        placeAmazonOrder(rig.mesh, [{ sku, quantity: 1 }]),
      ]);
      const [plainOrder, droppedOrder] = await Promise.all([waitForAcknowledged(rig, plain), waitForAcknowledged(rig, dropped)]);

      const ship = async (ref: ordersV1.ChannelOrderRef, order: ordersV1.Order, shipCarrier: string, trackingNumber: string) => {
        await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${order.erpOrderId}/shipments`, {
          location: EAST,
          shipCarrier,
          trackingNumber,
        });
        const shipped = await waitForState(rig, ref, OrderState.ORDER_STATE_SHIPPED);
        expect(shipped.lines.map((line) => line.shippedQuantity)).toEqual(order.lines.map((line) => line.quantity));
        const view = await waitFor(
          async () => {
            const candidate = await amazonOrder(rig.mesh, ref);
            return candidate.OrderStatus === 'Shipped' ? candidate : undefined;
          },
          { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: `${ref.channelOrderId} to be Shipped on Amazon` },
        );
        expect(view.shipments).toMatchObject([
          {
            carrierCode: shipCarrier,
            trackingNumber,
            items: order.lines.map((line) => ({ orderItemId: line.channelLineId, quantity: line.quantity })),
          },
        ]);
        const confirmations = await rig.mesh.amazonAdmin.requests({
          method: 'POST',
          path: `/orders/v0/orders/${ref.channelOrderId}/shipmentConfirmation`,
        });
        return { view, confirmations };
      };

      const first = await ship(plain, plainOrder, 'UPS', '1ZE2EAMZN0001');
      expect(first.view.droppedConfirmations).toBe(0);
      expect(first.confirmations.map((request) => request.status)).toEqual([204]);

      // Amazon answers the next confirmation 204 without applying it: the read-back sees it missing and sends it again.
      await rig.mesh.amazonAdmin.call('POST', '/_sandbox/shipment-confirmations/drop', { count: 1 });
      const second = await ship(dropped, droppedOrder, 'FedEx', '7790E2EAMZN02');
      expect(second.view.droppedConfirmations).toBe(1);
      expect(second.confirmations.map((request) => request.status)).toEqual([204, 204]);
    });

    it('cancels an order the buyer cancelled on Amazon: reservation released, ERP sales order closed, nothing sent back', async () => {
      const rig = getRig();
      const sku = skuAt(14);
      await stockSku(rig, sku, { east: 10, west: 0 });
      const ref = await placeAmazonOrder(rig.mesh, [{ sku, quantity: 3 }]);
      const accepted = await waitForAcknowledged(rig, ref);
      await waitForChannels(rig, sku, { shopify: 10 - 3 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 3 - AMAZON_SAFETY_STOCK });

      await rig.mesh.amazonAdmin.call('POST', `/_sandbox/orders/${ref.channelOrderId}/status`, {
        status: 'Canceled',
        buyerCancelReason: 'Found a better price',
      });
      const cancelled = await waitForState(rig, ref, OrderState.ORDER_STATE_CANCELLED);
      expect(cancelled.cancelReason).toBe(CancelReason.CANCEL_REASON_CHANNEL_CANCELLED);
      // The three units are back on both channels.
      await waitForChannels(rig, sku, { shopify: 10 - SHOPIFY_SAFETY_STOCK, amazon: 10 - AMAZON_SAFETY_STOCK });
      const [salesOrder] = await waitFor(
        async () => {
          const salesOrders = await salesOrdersOf(rig.mesh, ref);
          return salesOrders.every((candidate) => candidate.fields.item.items.every((line) => line.isClosed)) ? salesOrders : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, description: `ERP sales order ${accepted.erpOrderId} to be closed` },
      );
      expect(salesOrder.id).toBe(accepted.erpOrderId);
      // Amazon's own cancellation stands; the mesh does not cancel the order a second time.
      expect(await amazonCancellationFeedsOf(rig.mesh, ref)).toEqual([]);
      const view = await amazonOrder(rig.mesh, ref);
      expect(view.cancellations).toEqual([]);
      expect(view.acknowledgements.map((acknowledgement) => acknowledgement.statusCode)).toEqual(['Success']);
    });

    it('books an order Amazon fulfils (AFN) as one ERP sales order marked so, without an address hold or a reservation; Amazon’s shipment fulfils it in the ERP', async () => {
      const rig = getRig();
      const sku = skuAt(16);
      await stockSku(rig, sku, { east: 10, west: 0 });

      const ref = await placeAmazonOrder(rig.mesh, [{ sku, quantity: 2 }], 'AFN');
      // Amazon ships it: the adapter acknowledges it without a feed.
      const order = await waitForState(rig, ref, OrderState.ORDER_STATE_ACKNOWLEDGED);
      expect(order).toMatchObject({ fulfilledByChannel: true, reservationId: '', holdReason: HoldReason.HOLD_REASON_UNSPECIFIED });
      // Amazon gives the seller no recipient of an order it ships: only city, region, postal code and country.
      expect(order.shippingAddress).toMatchObject({ name: '', line1: '', city: AMAZON_ADDRESS.City, countryCode: 'US' });
      const { history } = await orderOf(rig, ref);
      expect(history.map((entry) => [entry.change, entry.detail])).toEqual([
        ['submitted', expect.any(String)],
        ['validated', ''],
        ['reserved', 'fulfilled by the channel: nothing reserved'],
        ['accepted', `ERP sales order ${order.erpOrderId}`],
        ['acknowledged', expect.any(String)],
      ]);
      const salesOrders = await salesOrdersOf(rig.mesh, ref);
      expect(salesOrders.map((salesOrder) => [salesOrder.id, salesOrder.fields.custbody_rm_fulfilled_by_channel])).toEqual([
        [order.erpOrderId, true],
      ]);
      expect(salesOrders[0].fields.item.items).toMatchObject([{ item: { refName: sku }, quantity: 2 }]);
      // The merchant's stock is not involved: nothing held, both channels still show all of it.
      for (const channelAccountId of [SHOPIFY_ACCOUNT_ID, DEMO_AMAZON_ACCOUNT_ID]) {
        expect(await explanation(rig, channelAccountId, sku)).toMatchObject({ onHand: 10, reserved: 0 });
      }
      await waitForChannels(rig, sku, { shopify: 10 - SHOPIFY_SAFETY_STOCK, amazon: 10 - AMAZON_SAFETY_STOCK });
      expect(await amazonFeedsOf(rig.mesh, ACKNOWLEDGEMENT_FEED, ref)).toEqual([]);
      expect((await amazonOrder(rig.mesh, ref)).acknowledgements).toEqual([]);

      // Amazon ships it from its own stock: the adapter's poll reports it, the order is SHIPPED by the channel.
      await rig.mesh.amazonAdmin.call('POST', `/_sandbox/orders/${ref.channelOrderId}/shipments`, {});
      const shipped = await waitForState(rig, ref, OrderState.ORDER_STATE_SHIPPED);
      expect(shipped.lines.map((line) => line.shippedQuantity)).toEqual([2]);
      const shippedEntries = (await orderOf(rig, ref)).history.filter((entry) => entry.change === 'shipped');
      expect(shippedEntries.map((entry) => entry.actor)).toEqual(['channel']);
      // Still none of the merchant's stock: nothing was reserved, nothing is consumed.
      expect(await explanation(rig, SHOPIFY_ACCOUNT_ID, sku)).toMatchObject({ onHand: 10, reserved: 0 });

      // The ERP is told: its sales order gets one item fulfillment of the two units and is no longer open.
      const [fulfillment] = await waitFor(
        async () => {
          const fulfillments = await itemFulfillmentsOf(rig.mesh, order.erpOrderId);
          return fulfillments.length > 0 ? fulfillments : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: `an item fulfillment of ERP sales order ${order.erpOrderId}` },
      );
      expect(fulfillment.fields).toMatchObject({
        shipStatus: { id: 'C' },
        memo: expect.stringContaining(ref.channelOrderId),
        item: { items: [{ orderLine: 1, quantity: 2 }] },
      });
      const [fulfilled] = await salesOrdersOf(rig.mesh, ref);
      expect(fulfilled.fields.orderStatus).toEqual({ id: 'F', refName: 'Pending Billing' });
      expect(fulfilled.fields.item.items.map((line) => line.quantityFulfilled)).toEqual([2]);
      // The ERP's change feed reports that fulfillment back; the connector recognises it as its own. Stock
      // set in the ERP afterwards reaching inventory means the feed was read past it.
      await stockSku(rig, sku, { east: 11, west: 0 });
      expect(await itemFulfillmentsOf(rig.mesh, order.erpOrderId)).toHaveLength(1);
      const after = await orderOf(rig, ref);
      expect(stateName(after.order!.state)).toBe('ORDER_STATE_SHIPPED');
      expect(after.order!.lines.map((line) => line.shippedQuantity)).toEqual([2]);
      expect(after.history.filter((entry) => entry.change === 'shipped').map((entry) => entry.actor)).toEqual(['channel']);
      expect(await explanation(rig, SHOPIFY_ACCOUNT_ID, sku)).toMatchObject({ onHand: 11, reserved: 0 });
      // Not published back as erp.shipment_created either (orders would refuse to ship the units again).
      const refused = await rig.mesh.deadLetters('orders.erp-order-changes');
      expect(refused.filter((letter) => letter.body.includes(order.orderId))).toEqual([]);
      // Nothing went to Amazon for it: Amazon shipped it.
      const view = await amazonOrder(rig.mesh, ref);
      expect(view.shipments.map((shipment) => shipment.carrierCode)).toEqual(['Amazon']);
      expect(await rig.mesh.amazonAdmin.requests({ path: `/orders/v0/orders/${ref.channelOrderId}/shipmentConfirmation` })).toEqual([]);
      expect(await amazonFeedsOf(rig.mesh, 'POST_ORDER_FULFILLMENT_DATA', ref)).toEqual([]);
    });

    it('cancels the units the ERP cancelled of a Shopify order with a refund of restock type CANCEL; the rest stays to ship', async () => {
      const rig = getRig();
      const [shirt, cap] = [skuAt(17), skuAt(18)];
      await stockSku(rig, shirt, { east: 10, west: 0 });
      await stockSku(rig, cap, { east: 10, west: 0 });
      const placed = await placeShopifyOrder(rig.mesh, [
        { sku: shirt, quantity: 2 },
        { sku: cap, quantity: 1 },
      ]);
      const accepted = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED);

      // The warehouse is short of one shirt: the ERP user cancels that unit only.
      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/cancel`, {
        lines: [{ sku: shirt, quantity: 1 }],
        reason: 'short one shirt',
      });
      const cancelled = await waitFor(
        async () => {
          const { order } = await orderOf(rig, placed.ref);
          return order!.lines[0].cancelledQuantity === 1 ? order! : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: 'one shirt cancelled in the mesh' },
      );
      expect(stateName(cancelled.state)).toBe('ORDER_STATE_ACKNOWLEDGED');
      expect(cancelled.lines.map((line) => [line.sku, line.cancelledQuantity])).toEqual([
        [shirt, 1],
        [cap, 0],
      ]);
      // The unit is back on both channels: one of the shirts stays held.
      await waitForChannels(rig, shirt, { shopify: 10 - 1 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 1 - AMAZON_SAFETY_STOCK });

      const view = await waitFor(
        async () => {
          const candidate = await shopifyOrder(rig.mesh, placed);
          return candidate.order.refunds.length > 0 ? candidate : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: 'the refund on Shopify' },
      );
      const [shirtLine, capLine] = view.order.line_items;
      // 25.00 and its 2.00 tax go back to the customer; the order itself is not cancelled.
      expect(view.order.refunds).toMatchObject([
        {
          refund_line_items: [{ line_item_id: shirtLine.id, quantity: 1, restock_type: 'cancel', subtotal: '25.00' }],
          transactions: [{ kind: 'refund', amount: '27.00' }],
        },
      ]);
      expect(view.order).toMatchObject({ cancelled_at: null, financial_status: 'partially_refunded' });
      expect([shirtLine.current_quantity, shirtLine.fulfillable_quantity, capLine.fulfillable_quantity]).toEqual([1, 1, 1]);
      expect(view.cancellation).toBeNull();

      // What is left ships as usual.
      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/shipments`, {
        location: EAST,
        shipCarrier: 'UPS',
        trackingNumber: '1ZE2EPARTCNCL',
      });
      await waitForState(rig, placed.ref, OrderState.ORDER_STATE_SHIPPED);
      const shipped = await waitFor(
        async () => {
          const candidate = await shopifyOrder(rig.mesh, placed);
          return candidate.order.fulfillment_status === 'fulfilled' ? candidate : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: 'the rest fulfilled on Shopify' },
      );
      expect(shipped.fulfillments.flatMap((fulfillment) => fulfillment.lineItems)).toEqual(
        expect.arrayContaining([expect.objectContaining({ sku: shirt, quantity: 1 }), expect.objectContaining({ sku: cap, quantity: 1 })]),
      );
    });

    it('cancels the Amazon items the ERP cancelled whole through a Failure acknowledgement; the units of an item with units left through an order adjustment', async () => {
      const rig = getRig();
      const [mug, tee] = [skuAt(19), skuAt(20)];
      await stockSku(rig, mug, { east: 10, west: 0 });
      await stockSku(rig, tee, { east: 10, west: 0 });
      const ref = await placeAmazonOrder(rig.mesh, [
        { sku: mug, quantity: 1 },
        { sku: tee, quantity: 2 },
      ]);
      const accepted = await waitForAcknowledged(rig, ref);

      // The ERP cancels the mug and one of the two tees.
      await rig.mesh.erpAdmin.call('POST', `/_sandbox/sales-orders/${accepted.erpOrderId}/cancel`, {
        lines: [
          { sku: mug, quantity: 1 },
          { sku: tee, quantity: 1 },
        ],
        reason: 'discontinued',
      });
      const cancelled = await waitFor(
        async () => {
          const { order } = await orderOf(rig, ref);
          return order!.lines.every((line) => line.cancelledQuantity === 1) ? order! : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: 'the mug and a tee cancelled in the mesh' },
      );
      expect(stateName(cancelled.state)).toBe('ORDER_STATE_ACKNOWLEDGED');
      await waitFor(
        async () =>
          (await amazonCancellationFeedsOf(rig.mesh, ref)).length > 0 &&
          (await amazonFeedsOf(rig.mesh, 'POST_PAYMENT_ADJUSTMENT_DATA', ref)).length > 0,
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: `the cancellation and adjustment feeds of ${ref.channelOrderId}` },
      );
      await rig.mesh.amazonAdmin.call('POST', '/_sandbox/process');
      type AdjustedOrderView = AmazonOrderView & {
        OrderItems: Array<AmazonOrderView['OrderItems'][number] & { ItemPrice: { Amount: string }; ItemTax: { Amount: string } }>;
        adjustments: {
          orderItemId: string;
          reason: string;
          quantityCancelled: number;
          principal: { CurrencyCode: string; Amount: string };
          tax: { CurrencyCode: string; Amount: string };
        }[];
      };
      const view = await waitFor(
        async () => {
          const candidate = (await amazonOrder(rig.mesh, ref)) as AdjustedOrderView;
          return candidate.cancellations.length > 0 && candidate.adjustments.length > 0 ? candidate : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 100, description: 'the mug cancelled and a tee refunded on Amazon' },
      );
      // Amazon cancels whole items: the mug goes with a Failure acknowledgement; the tee's cancelled
      // unit is cancelled and refunded (25.00 and its 2.00 tax) by an order adjustment, one unit ships.
      const [mugItem, teeItem] = view.OrderItems;
      expect(view.cancellations).toMatchObject([{ orderItemId: mugItem.OrderItemId, reason: 'GeneralAdjustment' }]);
      expect(view.adjustments).toEqual([
        expect.objectContaining({
          orderItemId: teeItem.OrderItemId,
          reason: 'NoInventory',
          quantityCancelled: 1,
          principal: { CurrencyCode: 'USD', Amount: '25.00' },
          tax: { CurrencyCode: 'USD', Amount: '2.00' },
        }),
      ]);
      expect([view.OrderStatus, mugItem.QuantityOrdered, teeItem.QuantityOrdered]).toEqual(['Unshipped', 0, 1]);
      expect([teeItem.QuantityCancelled, teeItem.ItemPrice.Amount, teeItem.ItemTax.Amount]).toEqual([1, '25.00', '2.00']);
      const [feed] = await amazonCancellationFeedsOf(rig.mesh, ref);
      expect(feed.content).toContain(`<AmazonOrderItemCode>${mugItem.OrderItemId}</AmazonOrderItemCode>`);
      expect(feed.content).not.toContain(teeItem.OrderItemId);
      const adjustmentFeeds = await amazonFeedsOf(rig.mesh, 'POST_PAYMENT_ADJUSTMENT_DATA', ref);
      expect(adjustmentFeeds).toHaveLength(1);
      expect(adjustmentFeeds[0].content).toContain('<QuantityCancelled>1</QuantityCancelled>');
      expect(adjustmentFeeds[0].content).not.toContain(mugItem.OrderItemId);
      expect(await rig.mesh.deadLetters('channel-amazon.orders')).toEqual([]);
      // Both units are back on both channels.
      await waitForChannels(rig, mug, { shopify: 10 - SHOPIFY_SAFETY_STOCK, amazon: 10 - AMAZON_SAFETY_STOCK });
      await waitForChannels(rig, tee, { shopify: 10 - 1 - SHOPIFY_SAFETY_STOCK, amazon: 10 - 1 - AMAZON_SAFETY_STOCK });
    });

    it('gives the last unit to exactly one of a Shopify and an Amazon order placed at the same moment', async () => {
      const rig = getRig();
      const sku = skuAt(15);
      // One unit at WH-EAST, the one location both channels sell from: reservable 1 for both accounts.
      await stockSku(rig, sku, { east: 1, west: 0 });
      await waitFor(async () => (await explanation(rig, DEMO_AMAZON_ACCOUNT_ID, sku)).onHand === 1, {
        timeoutMs: ORDER_TIMEOUT_MS,
        description: `inventory to know the one unit of ${sku}`,
      });

      // The Amazon adapter reads its orders at once (SyncOrders) instead of at its next poll, so both arrive together.
      const since = toTimestamp(new Date(Date.now() - 60_000));
      const racers = await Promise.all([
        placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]).then((placed) => placed.ref),
        placeAmazonOrder(rig.mesh, [{ sku, quantity: 1 }]).then(async (ref) => {
          await rig.amazonAdapter.syncOrders({ channelAccountId: DEMO_AMAZON_ACCOUNT_ID, since });
          return ref;
        }),
      ]);
      const settled = await Promise.all(
        racers.map((ref) =>
          waitFor(
            async () => {
              const { order } = await orderOf(rig, ref);
              const states = [OrderState.ORDER_STATE_ACCEPTED, OrderState.ORDER_STATE_ACKNOWLEDGED, OrderState.ORDER_STATE_ON_HOLD];
              return states.includes(order!.state) ? { ref, order: order! } : undefined;
            },
            { timeoutMs: ORDER_TIMEOUT_MS, description: `${ref.channelOrderId} to be accepted or held` },
          ),
        ),
      );
      const winners = settled.filter(({ order }) => order.state !== OrderState.ORDER_STATE_ON_HOLD);
      const losers = settled.filter(({ order }) => order.state === OrderState.ORDER_STATE_ON_HOLD);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0].order.holdReason).toBe(HoldReason.HOLD_REASON_INSUFFICIENT_STOCK);
      expect(await salesOrdersOf(rig.mesh, losers[0].ref)).toEqual([]);
      const winner = await waitForAcknowledged(rig, winners[0].ref);
      expect((await salesOrdersOf(rig.mesh, winners[0].ref)).map((salesOrder) => salesOrder.id)).toEqual([winner.erpOrderId]);
      // The unit is held for the winner on both channel accounts, and both show nothing to sell.
      for (const channelAccountId of [SHOPIFY_ACCOUNT_ID, DEMO_AMAZON_ACCOUNT_ID]) {
        expect(await explanation(rig, channelAccountId, sku)).toMatchObject({ onHand: 1, reserved: 1, sellable: 0 });
      }
      await waitForChannels(rig, sku, { shopify: 0, amazon: 0 });
    });

    // Last: the ERP's outage also pauses the connector's change feed, which then backs off.
    it('keeps orders waiting while the ERP is down for 30 s, then drains them, the oldest first', async () => {
      const rig = getRig();
      const skus = [skuAt(8), skuAt(9), skuAt(10)];
      await rig.mesh.erpAdmin.call('POST', '/_sandbox/outage', { durationMs: 30_000 });
      const placed: PlacedOrder[] = [];
      for (const sku of skus) {
        const order = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]);
        await waitForState(rig, order.ref, OrderState.ORDER_STATE_RESERVED);
        placed.push(order);
      }
      for (const order of placed) {
        expect(stateName((await orderOf(rig, order.ref)).order!.state)).toBe('ORDER_STATE_RESERVED');
        expect(await salesOrdersOf(rig.mesh, order.ref)).toEqual([]);
      }
      // Still down after those checks: they saw the orders waiting, not yet drained.
      expect((await rig.mesh.erpAdmin.call<{ active: boolean }>('GET', '/_sandbox/outage')).active).toBe(true);

      const acknowledged: ordersV1.Order[] = [];
      for (const order of placed) acknowledged.push(await waitForState(rig, order.ref, OrderState.ORDER_STATE_ACKNOWLEDGED, 120_000));
      const salesOrders = await Promise.all(placed.map((order) => salesOrdersOf(rig.mesh, order.ref)));
      expect(salesOrders.map((forOrder) => forOrder.map((salesOrder) => salesOrder.id))).toEqual(
        acknowledged.map((order) => [order.erpOrderId]),
      );
      // ERP ids are sequential. The oldest order probes the returning ERP alone, so it is created first.
      // (The others then go in one concurrent batch, so their relative order is not kept yet.)
      const [oldest, ...younger] = salesOrders.map(([salesOrder]) => Number(salesOrder.id));
      expect(younger.every((id) => id > oldest)).toBe(true);
    });
  });
}

/** Distributed only: the orders process dies between the ERP call and the acknowledgement. */
export function describeOrderFlowUnderFailure(getRig: () => OrderRig): void {
  describe('order flow under failure (distributed)', () => {
    it('creates exactly one ERP sales order and still acknowledges when orders is SIGKILLed between the ERP call and the acknowledgement', async () => {
      const rig = getRig();
      const sku = rig.mesh.skus[11].sku;
      // The ERP creates the sales order, then never answers that request: the connector waits for its
      // request timeout, so the orders worker is inside the ERP call, its order RESERVED, for seconds.
      await rig.mesh.erpAdmin.setFaults({
        type: 'timeout',
        path: '/services/rest/record/v1/salesOrder/eid:',
        method: 'PUT',
        afterEffect: true,
        count: 1,
      });
      const placed = await placeShopifyOrder(rig.mesh, [{ sku, quantity: 1 }]);
      const [created] = await waitFor(
        async () => {
          const salesOrders = await salesOrdersOf(rig.mesh, placed.ref);
          return salesOrders.length > 0 ? salesOrders : undefined;
        },
        { timeoutMs: ORDER_TIMEOUT_MS, intervalMs: 20, description: 'the ERP to have the sales order' },
      );
      expect(stateName((await orderOf(rig, placed.ref)).order!.state)).toBe('ORDER_STATE_RESERVED');
      await rig.mesh.killService!('orders');
      await rig.mesh.restartService!('orders');

      // The restarted worker takes the order over once the dead one’s claim expires (the mesh under test’s 15 s lease).
      const order = await waitForState(rig, placed.ref, OrderState.ORDER_STATE_ACKNOWLEDGED, 120_000);
      expect(order.erpOrderId).toBe(created.id);
      expect((await salesOrdersOf(rig.mesh, placed.ref)).map((salesOrder) => salesOrder.id)).toEqual([created.id]);
      expect((await shopifyOrder(rig.mesh, placed)).metafields).toContainEqual(
        expect.objectContaining({ namespace: 'retail_mesh', key: 'erp_order_id', value: created.id }),
      );
      const [fault] = await rig.mesh.erpAdmin.faults();
      expect(fault.fired).toBe(1);
      await rig.mesh.erpAdmin.clearFaults();
    });
  });
}
