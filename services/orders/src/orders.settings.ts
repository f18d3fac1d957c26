import { env, type ConfigValues } from '@retail-mesh/service-kit';

const HOST_PORT = { pattern: /^[^\s:/]+:\d{1,5}$/, description: 'host:port' };

/** The orders service's own settings, read with the standard ones (GRPC_PORT, DATABASE_URL, ...). */
export const ordersSettings = {
  /** `host:port` of the gRPC servers the order flow calls (defaults: ARCHITECTURE §10 ports on 127.0.0.1). */
  catalogGrpcUrl: env.string('CATALOG_GRPC_URL', HOST_PORT).default('127.0.0.1:50051'),
  inventoryGrpcUrl: env.string('INVENTORY_GRPC_URL', HOST_PORT).default('127.0.0.1:50052'),
  erpConnectorGrpcUrl: env.string('ERP_CONNECTOR_GRPC_URL', HOST_PORT).default('127.0.0.1:50056'),
  /** Deadline of each call to catalog, inventory and the ERP connector. */
  peerDeadlineMs: env.int('ORDERS_PEER_DEADLINE_MS', { min: 100, max: 120_000 }).default(10_000),
  /** Orders one worker pass claims (and whose remote calls run at once). */
  workerBatchSize: env.int('ORDERS_WORKER_BATCH_SIZE', { min: 1, max: 1000 }).default(100),
  /**
   * Intake passes (validate + reserve) running at once. Few: the orders that arrive while the
   * passes run make the next pass's batch, and a bigger batch shares its round trips among more.
   */
  workerConcurrency: env.int('ORDERS_WORKER_CONCURRENCY', { min: 1, max: 64 }).default(2),
  /**
   * CreateSalesOrder calls out at once: the sliding window of ERP submissions (started oldest
   * first). It spans the whole round trip through the ERP connector and the commit, so it is the
   * pipeline's depth; the ERP's own concurrency is the connector's to keep (ADR 0014).
   */
  erpWindow: env.int('ORDERS_ERP_WINDOW', { min: 1, max: 1000 }).default(128),
  /** Backstop poll for work nobody woke the worker for (retries that came due, other replicas' orders). */
  workerPollIntervalMs: env.int('ORDERS_WORKER_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(1000),
  /**
   * How long a claimed order is left to its worker before another may take it (the orders of a
   * replica that crashed; renewed at every step, so keep it well above ORDERS_PEER_DEADLINE_MS).
   */
  workerLeaseMs: env.int('ORDERS_WORKER_LEASE_MS', { min: 1000, max: 3_600_000 }).default(30_000),
  /** First retry delay after a peer failed (doubles per attempt up to the maximum). */
  retryBackoffMs: env.int('ORDERS_RETRY_BACKOFF_MS', { min: 1, max: 600_000 }).default(500),
  retryMaxBackoffMs: env.int('ORDERS_RETRY_MAX_BACKOFF_MS', { min: 1, max: 3_600_000 }).default(30_000),
  /** Deliveries of channel and ERP events handled at once. */
  consumerPrefetch: env.int('ORDERS_CONSUMER_PREFETCH', { min: 1, max: 1000 }).default(20),
};

export type OrdersSettings = ConfigValues<typeof ordersSettings>;

export const ORDERS_SETTINGS = Symbol('orders:settings');
