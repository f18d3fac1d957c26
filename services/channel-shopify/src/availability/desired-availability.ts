// The desired-state model of availability on Shopify. Each (channel_account_id, sku) has one
// row: the latest quantity the mesh wants Shopify to show (desired_*), what the adapter last
// got Shopify to accept (pushed_*), and what it last saw on Shopify (the compare-and-set value).
// The row is the coalescing: however many versions arrive while a push is in flight, at most
// one update per key is pending, the newest wins, and nothing is lost if the process dies.
// A listing names exactly one Shopify location per (account, sku), so "per SKU" here is "per
// SKU x location" on Shopify.

/** A quantity the mesh wants a channel account to show for a SKU. */
export interface DesiredAvailability {
  channelAccountId: string;
  sku: string;
  quantity: number;
  /** AvailabilityChanged.version: per (account, sku), monotonic. */
  version: number;
  /** When the upstream change happened (push latency is measured from it); null for repairs. */
  sourceChangedAt: Date | null;
}

export interface DesiredInventoryState {
  desiredQuantity: number;
  desiredVersion: number;
  /** The last version Shopify accepted; null before the first push. */
  pushedVersion: number | null;
  /** Not before this time (a SKU without listing or one Shopify refused); cleared by a newer version. */
  holdUntil: Date | null;
  lastErrorCode: string | null;
}

/** Stored only when newer than what the row holds: an equal version is a duplicate, a lower one stale. */
export function acceptsDesiredVersion(current: Pick<DesiredInventoryState, 'desiredVersion'> | undefined, version: number): boolean {
  return current === undefined || version > current.desiredVersion;
}

/** Waiting to be pushed: a desired version Shopify has not accepted, and not on hold. */
export function isPendingPush(state: DesiredInventoryState, now: Date): boolean {
  const pending = state.pushedVersion === null || state.pushedVersion < state.desiredVersion;
  return pending && (state.holdUntil === null || state.holdUntil.getTime() <= now.getTime());
}

export type RequestedPushState = 'accepted' | 'stale' | 'pending' | 'held';

/**
 * Where a requested version stands against the row (read after storing it): `accepted` once
 * Shopify has exactly that version, or a newer one when the request is still the desired one;
 * `stale` when a newer version superseded it (it will never be sent); `held` when the row waits
 * after a refusal (no listing, Shopify said no); else `pending`.
 */
export function requestedPushState(state: DesiredInventoryState, requestedVersion: number): RequestedPushState {
  const pushed = state.pushedVersion ?? 0;
  if (requestedVersion < state.desiredVersion) return pushed === requestedVersion ? 'accepted' : 'stale';
  if (pushed >= requestedVersion) return 'accepted';
  return state.holdUntil !== null ? 'held' : 'pending';
}
