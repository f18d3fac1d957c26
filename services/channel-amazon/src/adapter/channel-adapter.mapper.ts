// What the ChannelAdapterService answers, from the adapter's state: per-update push results,
// per-account health, and Amazon's order status in the contract's terms.
import { channelV1 } from '@retail-mesh/contracts';
import type { AmazonOrderStatus } from '../amazon/sp-api.types.js';

const { PushOutcome, AccountHealth, ChannelOrderStatus } = channelV1;

/** Loop failures in a row after which an account counts as failing rather than degraded. */
export const FAILING_AFTER_FAILURES = 3;
/** Amazon's issue code for a SKU without a listing (patchListingsItem INVALID / feed report). */
export const NOT_LISTED_CODE = 'NOT_FOUND';

export interface DesiredRowView {
  desiredVersion: number;
  pushedVersion: number | null;
  holdUntil: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
}

/** The result of one requested update, read back after storing it and waiting (bounded) for the pusher. */
export function pushResultFor(
  update: channelV1.AvailabilityUpdate,
  row: DesiredRowView | undefined,
  accountError: string | null,
): channelV1.PushResult {
  const result = (outcome: channelV1.PushOutcome, version: number, message: string): channelV1.PushResult => ({
    sku: update.sku,
    outcome,
    version,
    message,
  });
  if (row === undefined) return result(PushOutcome.PUSH_OUTCOME_FAILED, 0, 'not stored');
  const pushed = row.pushedVersion ?? 0;
  if (update.version < row.desiredVersion) {
    return pushed === update.version
      ? result(PushOutcome.PUSH_OUTCOME_ACCEPTED, update.version, '')
      : result(PushOutcome.PUSH_OUTCOME_STALE, pushed, `version ${update.version} is superseded by version ${row.desiredVersion}`);
  }
  if (pushed >= update.version) return result(PushOutcome.PUSH_OUTCOME_ACCEPTED, update.version, '');
  if (row.holdUntil !== null) {
    return row.lastErrorCode === NOT_LISTED_CODE
      ? result(PushOutcome.PUSH_OUTCOME_NOT_LISTED, pushed, row.lastError ?? '')
      : result(PushOutcome.PUSH_OUTCOME_REJECTED, pushed, `${row.lastErrorCode ?? 'REFUSED'}: ${row.lastError ?? ''}`);
  }
  return result(
    PushOutcome.PUSH_OUTCOME_FAILED,
    pushed,
    `queued, not yet taken by Amazon${accountError ? ` (last error: ${accountError})` : ''}`,
  );
}

export interface LoopHealthInput {
  consecutiveFailures: number;
  lastErrorKind: string | null;
}

/** Failing when a duty keeps failing or LWA/SP-API refuse the credentials; degraded while one retries. */
export function accountHealth(loops: readonly LoopHealthInput[]): channelV1.AccountHealth {
  const failing = loops.some(
    (loop) =>
      loop.consecutiveFailures >= FAILING_AFTER_FAILURES ||
      (loop.consecutiveFailures > 0 && (loop.lastErrorKind === 'unauthorized' || loop.lastErrorKind === 'lwa_error')),
  );
  if (failing) return AccountHealth.ACCOUNT_HEALTH_FAILING;
  if (loops.some((loop) => loop.consecutiveFailures > 0)) return AccountHealth.ACCOUNT_HEALTH_DEGRADED;
  return AccountHealth.ACCOUNT_HEALTH_HEALTHY;
}

/** Amazon's order status as the contract's; an Unshipped order the adapter acknowledged is ACKNOWLEDGED. */
export function channelOrderStatus(status: AmazonOrderStatus | undefined, acknowledged: boolean): channelV1.ChannelOrderStatus {
  switch (status) {
    case undefined:
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND;
    case 'Shipped':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED;
    case 'PartiallyShipped':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED;
    case 'Canceled':
      return ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED;
    default:
      return acknowledged ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED : ChannelOrderStatus.CHANNEL_ORDER_STATUS_OPEN;
  }
}
