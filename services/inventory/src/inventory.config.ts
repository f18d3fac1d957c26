import { env, type ConfigValues } from '@retail-mesh/service-kit';

/** Inventory's own settings, read with the standard ones (GRPC_PORT, DATABASE_URL, ...). */
export const inventorySettings = {
  /** How long the availability publisher lets stock changes pile up before computing (bursts coalesce). */
  coalesceWindowMs: env.int('INVENTORY_COALESCE_WINDOW_MS', { min: 0, max: 10_000 }).default(5),
  /** Dirty-SKU marks per publishing transaction. */
  publishBatchSize: env.int('INVENTORY_PUBLISH_BATCH_SIZE', { min: 1, max: 10_000 }).default(500),
  /**
   * Publishing passes at once on PostgreSQL (SQLite: one). A second pass takes the marks of other
   * SKUs while the first commits, so a change does not wait for a whole pass it missed.
   */
  publishPassesInFlight: env.int('INVENTORY_PUBLISH_PASSES_IN_FLIGHT', { min: 1, max: 8 }).default(2),
  /** Backstop poll of the publisher for marks nobody woke it for (another replica's). */
  publishPollIntervalMs: env.int('INVENTORY_PUBLISH_POLL_INTERVAL_MS', { min: 10, max: 600_000 }).default(1000),
  /** Stock-change deliveries in flight; keep it at least three batch sizes: two batches run while the next fills. */
  stockChangesPrefetch: env.int('INVENTORY_STOCK_CHANGES_PREFETCH', { min: 1, max: 2000 }).default(600),
  /** Most stock changes applied in one transaction. */
  stockChangesBatchSize: env.int('INVENTORY_STOCK_CHANGES_BATCH_SIZE', { min: 1, max: 1000 }).default(200),
};

export type InventorySettings = ConfigValues<typeof inventorySettings>;

export const INVENTORY_SETTINGS = Symbol('inventory:settings');
