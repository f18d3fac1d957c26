import { env, Setting, type ConfigValues } from '@retail-mesh/service-kit';

// NetSuite internal ids are digit strings; the sandbox accepts any short token.
const ERP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CUSTOMER_MAP_EXPECTED = 'a JSON object mapping channel account ids to ERP customer internal ids, e.g. {"shop-eu":"1201"}';

/** `{"<channel_account_id>": "<ERP customer internal id>"}`: the customer each account's orders are booked to. */
function parseCustomerMap(raw: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (!entries.every(([account, customer]) => account !== '' && typeof customer === 'string' && ERP_ID_PATTERN.test(customer)))
    return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The ERP connector's own settings, read with the standard ones (GRPC_PORT, DATABASE_URL, ...). */
export const erpConnectorSettings = {
  erpBaseUrl: env.url('ERP_BASE_URL', ['http:', 'https:']).default('http://127.0.0.1:7000'),
  // Defaults are the ERP sandbox's client, so embedded mode runs without setup; set real ones in production.
  erpClientId: env.string('ERP_CLIENT_ID').default('retail-mesh-sandbox'),
  erpClientSecret: env.string('ERP_CLIENT_SECRET').default('retail-mesh-sandbox-secret'),
  /** Wait between feed polls once caught up; while the ERP says more is waiting, the next page is read at once. */
  pollIntervalMs: env.int('ERP_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(100),
  feedPageSize: env.int('ERP_FEED_PAGE_SIZE', { min: 1, max: 1000 }).default(100),
  /** Per HTTP attempt, the wait for a free place under ERP_MAX_CONCURRENT_REQUESTS included. */
  requestTimeoutMs: env.int('ERP_REQUEST_TIMEOUT_MS', { min: 100, max: 300_000 }).default(10_000),
  /**
   * ERP requests out at once, per connector replica: its share of the ERP account's concurrency
   * limit (NetSuite: 15 on the Premium service tier, 5 Standard, 20 Enterprise and Ultimate, +10
   * per SuiteCloud Plus license, shared by every integration of the account). Beyond it requests
   * wait their turn instead of being refused by the ERP.
   */
  maxConcurrentRequests: env.int('ERP_MAX_CONCURRENT_REQUESTS', { min: 1, max: 1000 }).default(15),
  /** Attempts after the first for a transient failure (429, 5xx, timeout), with backoff or the ERP's Retry-After. */
  requestRetries: env.int('ERP_REQUEST_RETRIES', { min: 0, max: 20 }).default(5),
  /**
   * How the ERP keeps a retried sales order from being created twice: `netsuite` (upsert by
   * external id with X-NetSuite-Idempotency-Key) or `lookup` (an ERP without idempotency: query by
   * external id before creating).
   */
  idempotencyMode: env.oneOf('ERP_IDEMPOTENCY_MODE', ['netsuite', 'lookup']).default('netsuite'),
  /**
   * Retries of one sales order call inside CreateSalesOrder. Few: the caller (the orders service)
   * retries an UNAVAILABLE answer with its own backoff, and must get it before its deadline.
   */
  orderRequestRetries: env.int('ERP_ORDER_REQUEST_RETRIES', { min: 0, max: 10 }).default(2),
  /** ERP customer (internal id) channel orders are booked to, unless ERP_CUSTOMER_IDS names one for the channel account. */
  defaultCustomerId: env.string('ERP_DEFAULT_CUSTOMER_ID', { pattern: ERP_ID_PATTERN }).default('1'),
  customerIds: new Setting('ERP_CUSTOMER_IDS', CUSTOMER_MAP_EXPECTED, parseCustomerMap).default({}),
  /**
   * The ERP's change feed also reports what the connector itself changes (its change log does not
   * filter on the execution context): the connector then recognises its own cancellations when
   * they come back and does not publish them as erp.order_cancelled.
   */
  feedReportsOwnChanges: env.boolean('ERP_FEED_REPORTS_OWN_CHANGES').default(false),
};

export type ErpConnectorSettings = ConfigValues<typeof erpConnectorSettings>;

export const ERP_CONNECTOR_SETTINGS = Symbol('erp-connector:settings');
