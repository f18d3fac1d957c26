import { env, type ConfigValues } from '@retail-mesh/service-kit';

/** The ERP connector's own settings, read with the standard ones (GRPC_PORT, DATABASE_URL, ...). */
export const erpConnectorSettings = {
  erpBaseUrl: env.url('ERP_BASE_URL', ['http:', 'https:']).default('http://127.0.0.1:7000'),
  // Defaults are the ERP sandbox's client, so embedded mode runs without setup; set real ones in production.
  erpClientId: env.string('ERP_CLIENT_ID').default('retail-mesh-sandbox'),
  erpClientSecret: env.string('ERP_CLIENT_SECRET').default('retail-mesh-sandbox-secret'),
  /** Wait between feed polls once caught up; while the ERP says more is waiting, the next page is read at once. */
  pollIntervalMs: env.int('ERP_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(100),
  feedPageSize: env.int('ERP_FEED_PAGE_SIZE', { min: 1, max: 1000 }).default(100),
  /** Per HTTP attempt. */
  requestTimeoutMs: env.int('ERP_REQUEST_TIMEOUT_MS', { min: 100, max: 300_000 }).default(10_000),
  /** Attempts after the first for a transient failure (429, 5xx, timeout), with backoff or the ERP's Retry-After. */
  requestRetries: env.int('ERP_REQUEST_RETRIES', { min: 0, max: 20 }).default(5),
};

export type ErpConnectorSettings = ConfigValues<typeof erpConnectorSettings>;

export const ERP_CONNECTOR_SETTINGS = Symbol('erp-connector:settings');
