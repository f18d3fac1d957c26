// What every ChannelAdapterService answers from the adapter's state, in the contract's terms:
// the result of each requested availability update, and each account's health. The adapter says
// what its channel calls things (the refusal code of a SKU without listing, which failures mean
// refused credentials).
import { channelV1 } from '@retail-mesh/contracts';
import { requestedPushState, type DesiredState } from '../availability/desired-state.js';

const { PushOutcome, AccountHealth } = channelV1;

/** Loop failures in a row after which an account counts as failing rather than degraded. */
export const FAILING_AFTER_FAILURES = 3;

export interface DesiredRowView extends DesiredState {
  lastError: string | null;
}

export interface PushResultWording {
  /** The hold code of a SKU the channel has no listing for: answered NOT_LISTED, other holds REJECTED. */
  notListedCode: string;
  /** The message of an update still queued, e.g. `queued, not yet accepted by Shopify`. */
  queuedMessage: string;
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
  wording: PushResultWording,
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
      return row.lastErrorCode === wording.notListedCode
        ? result(PushOutcome.PUSH_OUTCOME_NOT_LISTED, pushed, row.lastError ?? '')
        : result(PushOutcome.PUSH_OUTCOME_REJECTED, pushed, `${row.lastErrorCode ?? 'REFUSED'}: ${row.lastError ?? ''}`);
    case 'pending':
      return result(
        PushOutcome.PUSH_OUTCOME_FAILED,
        pushed,
        `${wording.queuedMessage}${accountError ? ` (last error: ${accountError})` : ''}`,
      );
  }
}

export interface LoopHealthInput {
  consecutiveFailures: number;
  lastErrorKind: string | null;
}

export interface AccountHealthOptions {
  /** Failure kinds that mean the channel refused the credentials: failing at once. */
  credentialErrorKinds: readonly string[];
  /** Calls waiting for the account's rate-limit bucket: degraded while any wait. */
  throttleWaiting?: number;
}

/** Failing when a loop keeps failing or the credentials are refused; degraded while one retries or calls wait for the bucket. */
export function accountHealth(loops: readonly LoopHealthInput[], options: AccountHealthOptions): channelV1.AccountHealth {
  const failing = loops.some(
    (loop) =>
      loop.consecutiveFailures >= FAILING_AFTER_FAILURES ||
      (loop.consecutiveFailures > 0 && loop.lastErrorKind !== null && options.credentialErrorKinds.includes(loop.lastErrorKind)),
  );
  if (failing) return AccountHealth.ACCOUNT_HEALTH_FAILING;
  if (loops.some((loop) => loop.consecutiveFailures > 0) || (options.throttleWaiting ?? 0) > 0)
    return AccountHealth.ACCOUNT_HEALTH_DEGRADED;
  return AccountHealth.ACCOUNT_HEALTH_HEALTHY;
}
