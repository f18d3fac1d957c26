import { pushResultFor as kitPushResultFor, type DesiredRowView } from '@retail-mesh/channel-kit';
import { channelV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { accountHealth, PUSH_RESULT_WORDING } from './channel-adapter.mapper.js';

const pushResultFor = (update: channelV1.AvailabilityUpdate, row: DesiredRowView | undefined, accountError: string | null) =>
  kitPushResultFor(update, row, accountError, PUSH_RESULT_WORDING);

const { PushOutcome, AccountHealth } = channelV1;

function row(overrides: Partial<DesiredRowView> = {}): DesiredRowView {
  return {
    desiredVersion: 7,
    pushedVersion: null,
    holdUntil: null,
    lastErrorCode: null,
    lastError: null,
    ...overrides,
  };
}

const update = { sku: 'TEE-M', availableQuantity: 5, version: 7 };

describe('pushResultFor', () => {
  it('is ACCEPTED once Shopify has the version', () => {
    expect(pushResultFor(update, row({ pushedVersion: 7 }), null)).toEqual({
      sku: 'TEE-M',
      outcome: PushOutcome.PUSH_OUTCOME_ACCEPTED,
      version: 7,
      message: '',
    });
  });

  it('is STALE when a newer version superseded it, with the version Shopify reflects', () => {
    expect(pushResultFor(update, row({ desiredVersion: 9, pushedVersion: 8 }), null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_STALE,
      version: 8,
    });
  });

  it('is NOT_LISTED or REJECTED with the reason when the row is held', () => {
    const unlisted = row({ holdUntil: new Date(), lastErrorCode: 'NOT_LISTED', lastError: 'the catalog has no listing' });
    expect(pushResultFor(update, unlisted, null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_NOT_LISTED,
      message: 'the catalog has no listing',
    });
    const refused = row({ holdUntil: new Date(), lastErrorCode: 'ITEM_NOT_STOCKED_AT_LOCATION', lastError: 'not stocked' });
    expect(pushResultFor(update, refused, null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_REJECTED,
      message: 'ITEM_NOT_STOCKED_AT_LOCATION: not stocked',
    });
  });

  it('is FAILED while still queued, naming the account error', () => {
    expect(pushResultFor(update, row({ pushedVersion: 6 }), 'throttled by Shopify')).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_FAILED,
      version: 6,
      message: 'queued, not yet accepted by Shopify (last error: throttled by Shopify)',
    });
  });
});

describe('accountHealth', () => {
  it('is healthy, degraded while retrying or throttled, failing after repeated failures or a refused token', () => {
    expect(accountHealth({ consecutiveFailures: 0, lastErrorKind: null, throttleWaiting: 0 })).toBe(AccountHealth.ACCOUNT_HEALTH_HEALTHY);
    expect(accountHealth({ consecutiveFailures: 0, lastErrorKind: null, throttleWaiting: 2 })).toBe(AccountHealth.ACCOUNT_HEALTH_DEGRADED);
    expect(accountHealth({ consecutiveFailures: 1, lastErrorKind: 'throttled', throttleWaiting: 0 })).toBe(
      AccountHealth.ACCOUNT_HEALTH_DEGRADED,
    );
    expect(accountHealth({ consecutiveFailures: 3, lastErrorKind: 'server_error', throttleWaiting: 0 })).toBe(
      AccountHealth.ACCOUNT_HEALTH_FAILING,
    );
    expect(accountHealth({ consecutiveFailures: 1, lastErrorKind: 'unauthorized', throttleWaiting: 0 })).toBe(
      AccountHealth.ACCOUNT_HEALTH_FAILING,
    );
  });
});
