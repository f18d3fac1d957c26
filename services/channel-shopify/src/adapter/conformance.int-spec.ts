// channel-shopify against the ChannelAdapterService conformance suite of channel-kit: two stores
// in the Shopify sandbox, a catalog (SQLite, a bus of its own) holding the listings, and the
// adapter on PostgreSQL + RabbitMQ and on SQLite + the in-process bus.
import { catalogV1, grpcServices } from '@retail-mesh/contracts';
import { describeChannelAdapterConformance, type ConformanceHarness, type SeededOrder } from '@retail-mesh/channel-kit/testing';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { startShopifySandbox } from '@retail-mesh/sandbox-shopify';
import { catalogService } from '@retail-mesh/service-catalog';
import { createGrpcClient } from '@retail-mesh/service-kit';
import { createServiceTestBed, type ServiceTestMode } from '@retail-mesh/service-kit/testing';
import { channelShopifyService } from '../channel-shopify.definition.js';

const SHOPS = [
  { account: 'shopify-conformance-a', shop: 'conformance-a', accessToken: 'shpat_conformance_a' },
  { account: 'shopify-conformance-b', shop: 'conformance-b', accessToken: 'shpat_conformance_b' },
];
const [MAIN] = SHOPS;
const LOCATION = 'Main warehouse';

// The sandbox's admin answers, as far as the read-backs use them.
interface LevelView {
  available: number;
  history: Array<{ name: string; quantityAfterChange: number }>;
}
interface OrderView {
  order: { admin_graphql_api_id: string; line_items: Array<{ admin_graphql_api_id: string; sku: string; quantity: number }> };
  metafields: Array<{ namespace: string; key: string; value: string }>;
  cancellation: object | null;
  fulfillments: Array<{ status: string; trackingInfo: Array<{ number: string }>; lineItems: Array<{ quantity: number }> }>;
}

async function startShopifyAdapter(mode: ServiceTestMode): Promise<ConformanceHarness> {
  const sandbox = await startShopifySandbox({ port: 0, shops: SHOPS.map(({ shop, accessToken }) => ({ shop, accessToken })) });
  const admin = new SandboxAdminClient(sandbox.url);
  // The catalog only answers the adapter's listing lookups: SQLite and a bus of its own suffice.
  const catalogTestBed = await createServiceTestBed(catalogService, { mode: 'sqlite+in-process' });
  const catalogUrl = (await catalogTestBed.start()).grpcUrl;
  const catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, catalogUrl);
  const testBed = await createServiceTestBed(channelShopifyService, {
    mode,
    settings: {
      SHOPIFY_ACCOUNTS: JSON.stringify(
        SHOPS.map(({ account, accessToken }) => ({
          channelAccountId: account,
          adminApiUrl: sandbox.url,
          accessToken,
          apiVersion: '2026-04',
        })),
      ),
      CATALOG_GRPC_URL: catalogUrl,
      // Order intake is not part of the contract: the poll runs once at start (before any order
      // exists) and then hourly, so nothing is submitted to this address.
      ORDERS_GRPC_URL: '127.0.0.1:1',
      SHOPIFY_ORDER_POLL_INTERVAL_MS: '3600000',
      SHOPIFY_ORDER_POLL_LOOKBACK_MS: '0',
      SHOPIFY_PUSH_POLL_INTERVAL_MS: '500',
      SHOPIFY_RETRIES: '2',
      SHOPIFY_RETRY_BASE_DELAY_MS: '50',
      SHOPIFY_PUSH_MAX_BACKOFF_MS: '1000',
      SHOPIFY_PUSH_WAIT_MS: '5000',
      SHOPIFY_ORDER_CANCEL_CONFIRM_MS: '5000',
    },
  });
  const service = await testBed.start();

  return {
    grpcUrl: service.grpcUrl,
    httpUrl: service.httpUrl,
    accounts: SHOPS.map(({ account }) => account),
    sandbox: admin,
    async seedListing(sku, quantity) {
      const seeded = await admin.call<{ locations: Array<{ id: string }>; variants: Array<{ inventoryItemId: string }> }>(
        'POST',
        '/_sandbox/products',
        {
          shop: MAIN.shop,
          locations: [{ name: LOCATION }],
          variants: [{ sku, levels: [{ locationName: LOCATION, available: quantity }] }],
        },
      );
      await catalog.upsertProduct({
        product: catalogV1.Product.fromPartial({
          productId: `P-${sku}`,
          title: sku,
          status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
          variants: [{ sku, title: sku }],
        }),
      });
      await catalog.upsertChannelListing({
        listing: catalogV1.ChannelListing.fromPartial({
          channelAccountId: MAIN.account,
          channel: 'shopify',
          sku,
          externalInventoryItemId: seeded.variants[0].inventoryItemId,
          externalLocationId: seeded.locations[0].id,
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        }),
      });
    },
    async listing(sku) {
      const { levels } = await admin.call<{ levels: LevelView[] }>(
        'GET',
        `/_sandbox/inventory-levels?shop=${MAIN.shop}&sku=${encodeURIComponent(sku)}`,
      );
      const [level] = levels;
      if (!level) return undefined;
      const applied = level.history.filter((change) => change.name === 'available').map((change) => change.quantityAfterChange);
      return { quantity: level.available, applied };
    },
    async seedOrder(lines): Promise<SeededOrder> {
      const { order } = await admin.call<OrderView>('POST', `/_sandbox/shops/${MAIN.shop}/orders`, {
        lineItems: lines.map(({ sku, quantity }) => ({ sku, quantity, price: '10.00', locationName: LOCATION })),
      });
      return {
        channelOrderId: order.admin_graphql_api_id,
        lines: order.line_items.map((item) => ({ channelLineId: item.admin_graphql_api_id, sku: item.sku, quantity: item.quantity })),
      };
    },
    async order(channelOrderId) {
      const view = await admin.call<OrderView>('GET', `/_sandbox/shops/${MAIN.shop}/orders/${encodeURIComponent(channelOrderId)}`);
      return {
        // Shopify has no acknowledgement: the adapter writes the ERP order's reference onto the order (ADR 0004).
        acknowledgements: view.metafields
          .filter((metafield) => metafield.namespace === 'retail_mesh' && metafield.key === 'erp_order_id')
          .map((metafield) => metafield.value),
        shipments: view.fulfillments
          .filter((fulfillment) => fulfillment.status === 'SUCCESS')
          .map((fulfillment) => ({
            trackingNumbers: fulfillment.trackingInfo.map((tracking) => tracking.number),
            units: fulfillment.lineItems.reduce((sum, item) => sum + item.quantity, 0),
          })),
        cancelled: view.cancellation !== null,
        cancellations: view.cancellation === null ? 0 : 1,
      };
    },
    async stop() {
      catalog.close();
      await testBed.close();
      await catalogTestBed.close();
      await sandbox.close();
    },
  };
}

describeChannelAdapterConformance({
  channel: 'shopify',
  metricsPrefix: 'retail_mesh_channel_shopify_',
  pushOperation: 'inventorySetQuantities',
  unimplemented: ['pushPrice', 'issueRefund', 'getSettlementReport'],
  unknownOrderId: 'gid://shopify/Order/999999999',
  orderStateTracking: true,
  start: startShopifyAdapter,
});
