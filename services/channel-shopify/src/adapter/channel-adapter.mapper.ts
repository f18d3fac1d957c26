// What the ChannelAdapterService answers, from the adapter's state: per-update push results and
// per-account health.
import { channelV1 } from '@retail-mesh/contracts';
import { NOT_LISTED } from '../availability/availability-push.js';
import { requestedPushState, type DesiredInventoryState } from '../availability/desired-availability.js';

const { PushOutcome, AccountHealth } = channelV1;

/** Loop failures in a row after which an account counts as failing rather than degraded. */
export const FAILING_AFTER_FAILURES = 3;

export interface DesiredRowView extends DesiredInventoryState {
  lastError: string | null;
}

/**
 * The result of one requested update, read back after storing it and waiting (bounded) for the
 * pusher. An update still waiting is FAILED in the contract's sense (not on the channel yet);
 * it stays queued, so retrying is unnecessary but harmless.
 */
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
  switch (requestedPushState(row, update.version)) {
    case 'accepted':
      return result(PushOutcome.PUSH_OUTCOME_ACCEPTED, update.version, '');
    case 'stale':
      return result(PushOutcome.PUSH_OUTCOME_STALE, pushed, `version ${update.version} is superseded by version ${row.desiredVersion}`);
    case 'held':
      return row.lastErrorCode === NOT_LISTED
        ? result(PushOutcome.PUSH_OUTCOME_NOT_LISTED, pushed, row.lastError ?? '')
        : result(PushOutcome.PUSH_OUTCOME_REJECTED, pushed, `${row.lastErrorCode ?? 'REFUSED'}: ${row.lastError ?? ''}`);
    case 'pending':
      return result(
        PushOutcome.PUSH_OUTCOME_FAILED,
        pushed,
        `queued, not yet accepted by Shopify${accountError ? ` (last error: ${accountError})` : ''}`,
      );
  }
}

export interface AccountHealthInput {
  consecutiveFailures: number;
  lastErrorKind: string | null;
  /** Calls waiting for the store's cost bucket. */
  throttleWaiting: number;
}

/** Failing when pushes keep failing or the token is refused; degraded while retrying or throttled. */
export function accountHealth(input: AccountHealthInput): channelV1.AccountHealth {
  if (input.consecutiveFailures >= FAILING_AFTER_FAILURES || (input.consecutiveFailures > 0 && input.lastErrorKind === 'unauthorized')) {
    return AccountHealth.ACCOUNT_HEALTH_FAILING;
  }
  if (input.consecutiveFailures > 0 || input.throttleWaiting > 0) return AccountHealth.ACCOUNT_HEALTH_DEGRADED;
  return AccountHealth.ACCOUNT_HEALTH_HEALTHY;
}
