// PushAvailability as every adapter answers it: validate the updates, store the newer versions in
// the desired-state table (one transaction), wake the account's pusher, then report each update's
// outcome once the channel took them or the wait ran out (an update still queued is FAILED).
import { channelV1 } from '@retail-mesh/contracts';
import { isQuantity } from '@retail-mesh/domain';
import { withTransaction } from '@retail-mesh/persistence';
import { InvalidArgumentError } from '@retail-mesh/service-kit';
import type { DataSource } from 'typeorm';
import type { DesiredStateRow } from '../availability/desired-state.entity.js';
import type { DesiredStateStore } from '../availability/desired-state.store.js';
import { pushResultFor, type PushResultWording } from './channel-adapter.mapper.js';

/** Updates per PushAvailability call. */
export const MAX_PUSH_UPDATES = 1000;

export interface PushAvailabilityDependencies {
  dataSource: DataSource;
  desired: Pick<DesiredStateStore<DesiredStateRow>, 'storeDesired' | 'find'>;
  /** The account's push loop: woken after the store, watched while waiting. */
  pusher: {
    wake(channelAccountId: string): void;
    status(channelAccountId: string): { lastError: string | null } | undefined;
    nextProgress(timeoutMs: number): Promise<void>;
  };
  metrics: { staleDropped(channelAccountId: string, count: number): void };
  wording: PushResultWording;
  /** How long to wait for the channel to take the updates before answering with what is still queued. */
  waitMs: number;
}

export async function pushAvailability(
  deps: PushAvailabilityDependencies,
  channelAccountId: string,
  updates: readonly channelV1.AvailabilityUpdate[],
): Promise<channelV1.PushAvailabilityResponse> {
  if (updates.length > MAX_PUSH_UPDATES) {
    throw new InvalidArgumentError('too_many_updates', `at most ${MAX_PUSH_UPDATES} updates per call, got ${updates.length}`);
  }
  for (const update of updates) validateUpdate(update);
  const wanted = updates.map((update) => ({
    channelAccountId,
    sku: update.sku,
    quantity: update.availableQuantity,
    version: update.version,
    sourceChangedAt: null,
  }));
  const stored = await withTransaction(deps.dataSource, (manager) => deps.desired.storeDesired(manager, wanted, new Date()));
  deps.metrics.staleDropped(channelAccountId, wanted.length - stored.length);
  if (stored.length > 0) deps.pusher.wake(channelAccountId);

  const skus = [...new Set(updates.map((update) => update.sku))];
  const deadline = Date.now() + deps.waitMs;
  for (;;) {
    const rows = new Map((await deps.desired.find(channelAccountId, skus)).map((row) => [row.sku, row]));
    const accountError = deps.pusher.status(channelAccountId)?.lastError ?? null;
    const results = updates.map((update) => pushResultFor(update, rows.get(update.sku), accountError, deps.wording));
    const settled = results.every((result) => result.outcome !== channelV1.PushOutcome.PUSH_OUTCOME_FAILED);
    const remainingMs = deadline - Date.now();
    if (settled || remainingMs <= 0) return { results };
    await deps.pusher.nextProgress(remainingMs);
  }
}

function validateUpdate(update: channelV1.AvailabilityUpdate): void {
  if (update.sku.trim() === '') throw new InvalidArgumentError('invalid_sku', 'every update needs a sku');
  if (!isQuantity(update.availableQuantity)) {
    throw new InvalidArgumentError(
      'invalid_quantity',
      `available_quantity of ${update.sku} must be a non-negative integer, got ${update.availableQuantity}`,
    );
  }
  if (!Number.isSafeInteger(update.version) || update.version < 1) {
    throw new InvalidArgumentError('invalid_version', `version of ${update.sku} must be a positive integer, got ${update.version}`);
  }
}
