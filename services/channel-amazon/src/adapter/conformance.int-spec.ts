// channel-amazon against the ChannelAdapterService conformance suite of channel-kit: two selling
// partners in the Amazon sandbox, the adapter on PostgreSQL + RabbitMQ and on SQLite + the
// in-process bus.
import { describeChannelAdapterConformance, type ConformanceHarness, type SeededOrder } from '@retail-mesh/channel-kit/testing';
import { type AmazonSeller, DEFAULT_AMAZON_SELLER, sandboxAmazonAccount, startAmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { createServiceTestBed, type ServiceTestMode } from '@retail-mesh/service-kit/testing';
import { channelAmazonService } from '../channel-amazon.definition.js';

const SECOND_SELLER: AmazonSeller = {
  sellerId: 'A2RMCONFORMANCEB',
  marketplaceIds: ['ATVPDKIKX0DER'],
  clientId: 'amzn1.application-oa2-client.conformanceb',
  clientSecret: 'amzn1.oa2-cs.v1.conformance-b-secret',
  refreshToken: 'Atzr|conformance-b-refresh-token',
};
const ACCOUNTS = [
  { account: 'amazon-conformance-a', seller: DEFAULT_AMAZON_SELLER },
  { account: 'amazon-conformance-b', seller: SECOND_SELLER },
];
const [MAIN] = ACCOUNTS;

// The sandbox's admin answers, as far as the read-backs use them.
interface ListingView {
  sellerId: string;
  quantity: number;
  history: Array<{ quantity: number }>;
}
interface OrderView {
  AmazonOrderId: string;
  OrderStatus: string;
  OrderItems: Array<{ OrderItemId: string; SellerSKU: string; QuantityOrdered: number }>;
  acknowledgements: Array<{ statusCode: string; merchantOrderId: string | null }>;
  shipments: Array<{ trackingNumber: string; items: Array<{ quantity: number }> }>;
  cancellations: unknown[];
}

async function startAmazonAdapter(mode: ServiceTestMode): Promise<ConformanceHarness> {
  const sandbox = await startAmazonSandbox({
    port: 0,
    sellers: ACCOUNTS.map(({ seller }) => seller),
    feedQueuedMs: 50,
    feedProcessingMs: 50,
    listingsApplyMs: 0,
  });
  const admin = new SandboxAdminClient(sandbox.url);
  const testBed = await createServiceTestBed(channelAmazonService, {
    mode,
    settings: {
      AMAZON_ACCOUNTS: JSON.stringify(ACCOUNTS.map(({ account, seller }) => sandboxAmazonAccount(sandbox.url, account, seller))),
      // Order intake is not part of the contract: the poll runs once at start (before any order
      // exists) and then hourly, so nothing is submitted to this address.
      ORDERS_GRPC_URL: '127.0.0.1:1',
      AMAZON_ORDER_POLL_INTERVAL_MS: '3600000',
      AMAZON_ORDER_INITIAL_LOOKBACK_MS: '0',
      AMAZON_ORDER_FEED_BATCH_MS: '0',
      AMAZON_FEED_POLL_INTERVAL_MS: '50',
      AMAZON_PUSH_POLL_INTERVAL_MS: '200',
      AMAZON_AVAILABILITY_FEED_THRESHOLD: '3',
      AMAZON_RETRIES: '2',
      AMAZON_RETRY_BASE_DELAY_MS: '20',
      AMAZON_MAX_BACKOFF_MS: '1000',
      AMAZON_RPC_WAIT_MS: '5000',
    },
  });
  const service = await testBed.start();
  const orderView = async (amazonOrderId: string): Promise<OrderView> =>
    (await admin.call<{ orders: OrderView[] }>('GET', `/_sandbox/orders?amazonOrderId=${encodeURIComponent(amazonOrderId)}`)).orders[0];

  return {
    grpcUrl: service.grpcUrl,
    httpUrl: service.httpUrl,
    accounts: ACCOUNTS.map(({ account }) => account),
    sandbox: admin,
    async seedListing(sku, quantity) {
      await admin.call('POST', '/_sandbox/listings', { sellerId: MAIN.seller.sellerId, sku, quantity });
    },
    async listing(sku) {
      const { listings } = await admin.call<{ listings: ListingView[] }>('GET', `/_sandbox/listings?sku=${encodeURIComponent(sku)}`);
      const listing = listings.find((candidate) => candidate.sellerId === MAIN.seller.sellerId);
      return listing && { quantity: listing.quantity, applied: listing.history.map((change) => change.quantity) };
    },
    async seedOrder(lines): Promise<SeededOrder> {
      const { orders } = await admin.call<{ orders: OrderView[] }>('POST', '/_sandbox/orders', {
        sellerId: MAIN.seller.sellerId,
        items: lines.map(({ sku, quantity }) => ({ sku, quantity, unitPrice: '10.00' })),
      });
      const [order] = orders;
      return {
        channelOrderId: order.AmazonOrderId,
        lines: order.OrderItems.map((item) => ({ channelLineId: item.OrderItemId, sku: item.SellerSKU, quantity: item.QuantityOrdered })),
      };
    },
    async order(channelOrderId) {
      const view = await orderView(channelOrderId);
      return {
        acknowledgements: view.acknowledgements
          .filter((acknowledgement) => acknowledgement.statusCode === 'Success')
          .map((acknowledgement) => acknowledgement.merchantOrderId ?? ''),
        shipments: view.shipments.map((shipment) => ({
          trackingNumbers: [shipment.trackingNumber],
          units: shipment.items.reduce((sum, item) => sum + item.quantity, 0),
        })),
        cancelled: view.OrderStatus === 'Canceled',
        cancellations: view.cancellations.length,
      };
    },
    async stop() {
      await testBed.close();
      await sandbox.close();
    },
  };
}

describeChannelAdapterConformance({
  channel: 'amazon',
  metricsPrefix: 'retail_mesh_channel_amazon_',
  pushOperation: 'patchListingsItem',
  unimplemented: ['pushPrice', 'issueRefund', 'getSettlementReport'],
  unknownOrderId: '999-0000000-0000000',
  // Orders v0 returns no tracking numbers.
  orderStateTracking: false,
  start: startAmazonAdapter,
});
