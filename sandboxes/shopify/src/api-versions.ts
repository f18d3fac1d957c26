// Admin API versions the sandbox serves and the version-dependent behaviour of inventorySetQuantities
// (shopify.dev changelog: @idempotent optional from 2026-01, required from 2026-04; changeFromQuantity
// introduced in 2026-01 and mandatory from 2026-04, replacing compareQuantity/ignoreCompareQuantity),
// and of webhook subscriptions (the unified `uri` field from 2025-10, `callbackUrl` before).

export const SUPPORTED_API_VERSIONS = ['2025-01', '2025-04', '2025-07', '2025-10', '2026-01', '2026-04', '2026-07', 'unstable'] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];
export const LATEST_STABLE_VERSION: ApiVersion = '2026-07';

export interface VersionFeatures {
  /** `@idempotent(key:)` exists in the schema. */
  idempotentDirective: boolean;
  /** inventorySetQuantities without `@idempotent` fails at run time. */
  idempotencyRequired: boolean;
  /** `changeFromQuantity` exists on InventoryQuantityInput. */
  changeFromQuantity: boolean;
  /** Every quantity must carry `changeFromQuantity` (null opts out of the check). */
  changeFromQuantityRequired: boolean;
  /** WebhookSubscriptionInput and WebhookSubscription have the unified `uri` (2025-10); `callbackUrl` before. */
  webhookUri: boolean;
}

export function isSupportedVersion(version: string): version is ApiVersion {
  return (SUPPORTED_API_VERSIONS as readonly string[]).includes(version);
}

export function featuresOf(version: ApiVersion): VersionFeatures {
  // `unstable` is ahead of every stable version; YYYY-MM strings compare correctly as text.
  const atLeast = (since: string) => version === 'unstable' || version >= since;
  return {
    idempotentDirective: atLeast('2026-01'),
    idempotencyRequired: atLeast('2026-04'),
    changeFromQuantity: atLeast('2026-01'),
    changeFromQuantityRequired: atLeast('2026-04'),
    webhookUri: atLeast('2025-10'),
  };
}
