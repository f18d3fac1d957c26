import { env, type ConfigValues } from '@retail-mesh/service-kit';

/** The catalog's own settings, read with the standard service configuration. */
export const catalogSettings = {
  /** How often promoted listings are repriced, so promotions start and end on time. */
  promotionSweepIntervalMs: env.int('CATALOG_PROMOTION_SWEEP_INTERVAL_MS', { min: 1000 }).default(60_000),
};

export type CatalogSettings = ConfigValues<typeof catalogSettings>;
