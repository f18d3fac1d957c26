// The service's own settings (read with the standard ones by service-kit; nothing else reads
// the environment).
import { ChannelAccountsSetting } from '@retail-mesh/channel-kit';
import { env, type ConfigValues } from '@retail-mesh/service-kit';
import { parseShopifyAccounts } from './accounts/shopify-account.js';

const ACCOUNTS_EXPECTED = 'a JSON array of {channelAccountId, adminApiUrl, accessToken, apiVersion?}';

export const channelShopifySettings = {
  /** SHOPIFY_ACCOUNTS holds access tokens: its problems name the entry and field, never the value. */
  shopifyAccounts: new ChannelAccountsSetting('SHOPIFY_ACCOUNTS', ACCOUNTS_EXPECTED, parseShopifyAccounts),
  /** `host:port` of the catalog's gRPC server (channel listings). */
  catalogGrpcUrl: env.string('CATALOG_GRPC_URL', { pattern: /^[^\s:/]+:\d{1,5}$/, description: 'host:port' }).default('127.0.0.1:50051'),
  pollIntervalMs: env.int('SHOPIFY_PUSH_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(5_000),
  holdMs: env.int('SHOPIFY_PUSH_HOLD_MS', { min: 100, max: 86_400_000 }).default(300_000),
  leaseTtlMs: env.int('SHOPIFY_PUSH_LEASE_TTL_MS', { min: 1_000, max: 600_000 }).default(30_000),
  failureBackoffMaxMs: env.int('SHOPIFY_PUSH_MAX_BACKOFF_MS', { min: 100, max: 600_000 }).default(60_000),
  /** How long PushAvailability waits for Shopify before answering with what is still queued. */
  pushWaitMs: env.int('SHOPIFY_PUSH_WAIT_MS', { min: 0, max: 60_000 }).default(10_000),
  /** Per HTTP attempt; keep it well under the lease time. */
  requestTimeoutMs: env.int('SHOPIFY_REQUEST_TIMEOUT_MS', { min: 100, max: 120_000 }).default(20_000),
  retries: env.int('SHOPIFY_RETRIES', { min: 0, max: 20 }).default(4),
  retryBaseDelayMs: env.int('SHOPIFY_RETRY_BASE_DELAY_MS', { min: 1, max: 60_000 }).default(500),
  listingCacheTtlMs: env.int('SHOPIFY_LISTING_CACHE_TTL_MS', { min: 0, max: 86_400_000 }).default(300_000),
  /** Most availability events stored in one transaction (the consumer’s prefetch is three times this). */
  availabilityBatchSize: env.int('SHOPIFY_AVAILABILITY_BATCH_SIZE', { min: 1, max: 1000 }).default(200),
  /** `host:port` of the orders service's gRPC server (SubmitOrder, CancelOrder). */
  ordersGrpcUrl: env.string('ORDERS_GRPC_URL', { pattern: /^[^\s:/]+:\d{1,5}$/, description: 'host:port' }).default('127.0.0.1:50053'),
  /** Where Shopify reaches this adapter: order webhooks are subscribed at `<url>/webhooks/shopify/<account>`. Unset: not subscribed. */
  webhookBaseUrl: env.url('SHOPIFY_WEBHOOK_BASE_URL', ['https:', 'http:']).optional(),
  /** The poll backstop that catches orders webhooks missed. */
  orderPollIntervalMs: env.int('SHOPIFY_ORDER_POLL_INTERVAL_MS', { min: 100, max: 3_600_000 }).default(60_000),
  /**
   * How late an updated order may appear in Shopify's list (the settle time; the variable keeps
   * its name from when it was the overlap of every poll): the poll's settled pass lists each order
   * once it is this old and moves the cursor to this far behind the poll's start.
   */
  orderPollSettleMs: env.int('SHOPIFY_ORDER_POLL_OVERLAP_MS', { min: 0, max: 86_400_000 }).default(300_000),
  /** Where the very first poll of an account starts, back from now. */
  orderPollLookbackMs: env.int('SHOPIFY_ORDER_POLL_LOOKBACK_MS', { min: 0, max: 5_184_000_000 }).default(86_400_000),
  /** Backstop of the intake worker when nothing woke it (retries that came due, claims that expired). */
  orderIntakeIntervalMs: env.int('SHOPIFY_ORDER_INTAKE_INTERVAL_MS', { min: 10, max: 600_000 }).default(5_000),
  /** How long a cancellation waits for Shopify's background job to show the order cancelled. */
  orderCancelConfirmMs: env.int('SHOPIFY_ORDER_CANCEL_CONFIRM_MS', { min: 0, max: 120_000 }).default(10_000),
};

export type ChannelShopifySettings = ConfigValues<typeof channelShopifySettings>;
