// The desired-state model of availability on a channel. Each (channel_account_id, sku) has one
// row in the adapter's table: the latest quantity the mesh wants the channel to show (desired_*),
// what the adapter last got the channel to accept (pushed_*), and a hold after a refusal. The
// row is the coalescing: however many versions arrive while a push is in flight, at most one
// update per key is pending, the newest wins, and nothing is lost if the process dies. The
// adapters' SQL implements these rules; the functions state them.

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

export interface DesiredState {
  desiredVersion: number;
  /** The last version the channel accepted; null before the first push. */
  pushedVersion: number | null;
  /** Not before this time (a SKU without listing or one the channel refused); cleared by a newer version. */
  holdUntil: Date | null;
  lastErrorCode: string | null;
}

/** Stored only when newer than what the row holds: an equal version is a duplicate, a lower one stale. */
export function acceptsDesiredVersion(current: Pick<DesiredState, 'desiredVersion'> | undefined, version: number): boolean {
  return current === undefined || version > current.desiredVersion;
}

/** Waiting to be pushed: a desired version the channel has not accepted, and not on hold. */
export function isPendingPush(state: DesiredState, now: Date): boolean {
  const pending = state.pushedVersion === null || state.pushedVersion < state.desiredVersion;
  return pending && (state.holdUntil === null || state.holdUntil.getTime() <= now.getTime());
}

export type RequestedPushState = 'accepted' | 'stale' | 'pending' | 'held';

/**
 * Where a requested version stands against the row (read after storing it): `accepted` once the
 * channel has exactly that version, or a newer one when the request is still the desired one;
 * `stale` when a newer version superseded it (it will never be sent); `held` when the row waits
 * after a refusal (no listing, the channel said no); else `pending`.
 */
export function requestedPushState(state: DesiredState, requestedVersion: number): RequestedPushState {
  const pushed = state.pushedVersion ?? 0;
  if (requestedVersion < state.desiredVersion) return pushed === requestedVersion ? 'accepted' : 'stale';
  if (pushed >= requestedVersion) return 'accepted';
  return state.holdUntil !== null ? 'held' : 'pending';
}
