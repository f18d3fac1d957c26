// The service's own settings (read with the standard ones by service-kit; nothing else reads
// the environment).
import { ChannelAccountsSetting } from '@retail-mesh/channel-kit';
import { env, type ConfigValues } from '@retail-mesh/service-kit';
import { parseAmazonAccounts } from './accounts/amazon-account.js';

const ACCOUNTS_EXPECTED =
  'a JSON array of {channelAccountId, sellerId, marketplaceIds, spApiEndpoint, lwaEndpoint?, clientId, clientSecret, refreshToken}';

const hostPort = (variable: string, fallback: string) =>
  env.string(variable, { pattern: /^[^\s:/]+:\d{1,5}$/, description: 'host:port' }).default(fallback);

export const channelAmazonSettings = {
  /** AMAZON_ACCOUNTS holds LWA secrets: its problems name the entry and field, never the value. */
  amazonAccounts: new ChannelAccountsSetting('AMAZON_ACCOUNTS', ACCOUNTS_EXPECTED, parseAmazonAccounts),
  /** `host:port` of the orders service (SubmitOrder, CancelOrder). */
  ordersGrpcUrl: hostPort('ORDERS_GRPC_URL', '127.0.0.1:50053'),
  /**
   * getOrders allows one call a minute after its burst, and a round makes two (its fresh and its
   * settled pass, one page each when quiet): poll no faster than every two minutes.
   */
  orderPollIntervalMs: env.int('AMAZON_ORDER_POLL_INTERVAL_MS', { min: 10, max: 3_600_000 }).default(120_000),
  /**
   * How late an updated order may appear in getOrders (the settle time; the variable keeps its name
   * from when it was the overlap of every poll): the poll's settled pass lists each order once it
   * is this old (LastUpdatedBefore = this long before the round) and moves the cursor there. Amazon
   * refuses a LastUpdatedBefore less than two minutes old: keep it above 120000 by the clocks'
   * difference (only tests against the sandbox, which can relax that rule, go lower).
   */
  orderPollSettleMs: env.int('AMAZON_ORDER_POLL_OVERLAP_MS', { min: 0, max: 86_400_000 }).default(300_000),
  /** Where the first poll of an account starts (before now). */
  orderInitialLookbackMs: env.int('AMAZON_ORDER_INITIAL_LOOKBACK_MS', { min: 0, max: 30 * 86_400_000 }).default(86_400_000),
  /** createFeed allows one feed every two minutes after its burst: acknowledgements and cancellations are batched this long. */
  orderFeedBatchMs: env.int('AMAZON_ORDER_FEED_BATCH_MS', { min: 0, max: 3_600_000 }).default(120_000),
  /** How often a submitted feed's processingStatus is read. */
  feedPollIntervalMs: env.int('AMAZON_FEED_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(30_000),
  /** Order feed submissions that ended FATAL before an action is given up. */
  orderFeedMaxAttempts: env.int('AMAZON_ORDER_FEED_MAX_ATTEMPTS', { min: 1, max: 20 }).default(3),
  /** More pending SKUs than this go as one JSON_LISTINGS_FEED instead of one patchListingsItem each. */
  availabilityFeedThreshold: env.int('AMAZON_AVAILABILITY_FEED_THRESHOLD', { min: 0, max: 100_000 }).default(50),
  /** Messages per JSON_LISTINGS_FEED. */
  availabilityFeedMaxMessages: env.int('AMAZON_AVAILABILITY_FEED_MAX_MESSAGES', { min: 1, max: 10_000 }).default(5_000),
  /** Most availability events stored in one transaction (the consumer's prefetch is three times this). */
  availabilityBatchSize: env.int('AMAZON_AVAILABILITY_BATCH_SIZE', { min: 1, max: 1000 }).default(200),
  pushPollIntervalMs: env.int('AMAZON_PUSH_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(5_000),
  holdMs: env.int('AMAZON_PUSH_HOLD_MS', { min: 100, max: 86_400_000 }).default(300_000),
  leaseTtlMs: env.int('AMAZON_LEASE_TTL_MS', { min: 1_000, max: 600_000 }).default(30_000),
  failureBackoffMaxMs: env.int('AMAZON_MAX_BACKOFF_MS', { min: 100, max: 600_000 }).default(60_000),
  /** How long PushAvailability, AcknowledgeOrder and CancelOrder wait for Amazon before answering with what is still queued. */
  rpcWaitMs: env.int('AMAZON_RPC_WAIT_MS', { min: 0, max: 120_000 }).default(10_000),
  /** Read-backs (and re-sends) of a shipment confirmation Amazon did not apply, before the delivery is retried later. */
  shipmentReadBackAttempts: env.int('AMAZON_SHIPMENT_READBACK_ATTEMPTS', { min: 1, max: 10 }).default(3),
  /** Per HTTP attempt; keep it well under the lease time. */
  requestTimeoutMs: env.int('AMAZON_REQUEST_TIMEOUT_MS', { min: 100, max: 120_000 }).default(20_000),
  retries: env.int('AMAZON_RETRIES', { min: 0, max: 20 }).default(4),
  retryBaseDelayMs: env.int('AMAZON_RETRY_BASE_DELAY_MS', { min: 1, max: 60_000 }).default(500),
};

export type ChannelAmazonSettings = ConfigValues<typeof channelAmazonSettings>;
