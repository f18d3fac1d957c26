import { pushResultFor as kitPushResultFor, type DesiredRowView } from '@retail-mesh/channel-kit';
import { channelV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { accountHealth, channelOrderStatus, PUSH_RESULT_WORDING } from './channel-adapter.mapper.js';

const pushResultFor = (update: channelV1.AvailabilityUpdate, row: DesiredRowView | undefined, accountError: string | null) =>
  kitPushResultFor(update, row, accountError, PUSH_RESULT_WORDING);

const { PushOutcome, AccountHealth, ChannelOrderStatus } = channelV1;
const row = (overrides: Partial<DesiredRowView> = {}): DesiredRowView => ({
  desiredVersion: 7,
  pushedVersion: null,
  holdUntil: null,
  lastErrorCode: null,
  lastError: null,
  ...overrides,
});
const update = { sku: 'TEE-M', availableQuantity: 5, version: 7 };

describe('pushResultFor', () => {
  it('is ACCEPTED once Amazon took the version, STALE when a newer one superseded it', () => {
    expect(pushResultFor(update, row({ pushedVersion: 7 }), null)).toEqual({
      sku: 'TEE-M',
      outcome: PushOutcome.PUSH_OUTCOME_ACCEPTED,
      version: 7,
      message: '',
    });
    expect(pushResultFor(update, row({ desiredVersion: 9, pushedVersion: 8 }), null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_STALE,
      version: 8,
    });
  });

  it('is NOT_LISTED for a SKU Amazon has no listing for, REJECTED for other refusals, FAILED while queued', () => {
    expect(pushResultFor(update, row({ holdUntil: new Date(), lastErrorCode: 'NOT_FOUND', lastError: 'no listing' }), null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_NOT_LISTED,
      message: 'no listing',
    });
    expect(pushResultFor(update, row({ holdUntil: new Date(), lastErrorCode: '90220', lastError: 'bad' }), null)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_REJECTED,
      message: '90220: bad',
    });
    expect(pushResultFor(update, row({ pushedVersion: 6 }), 'throttled')).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_FAILED,
      version: 6,
      message: 'queued, not yet taken by Amazon (last error: throttled)',
    });
  });
});

describe('accountHealth', () => {
  it('is healthy, degraded while a duty retries, failing after repeated failures or refused credentials', () => {
    expect(accountHealth([{ consecutiveFailures: 0, lastErrorKind: null }])).toBe(AccountHealth.ACCOUNT_HEALTH_HEALTHY);
    expect(
      accountHealth([
        { consecutiveFailures: 0, lastErrorKind: null },
        { consecutiveFailures: 1, lastErrorKind: 'throttled' },
      ]),
    ).toBe(AccountHealth.ACCOUNT_HEALTH_DEGRADED);
    expect(accountHealth([{ consecutiveFailures: 3, lastErrorKind: 'server_error' }])).toBe(AccountHealth.ACCOUNT_HEALTH_FAILING);
    expect(accountHealth([{ consecutiveFailures: 1, lastErrorKind: 'lwa_error' }])).toBe(AccountHealth.ACCOUNT_HEALTH_FAILING);
  });
});

describe('channelOrderStatus', () => {
  it('maps Amazon statuses, with ACKNOWLEDGED for an acknowledged open order', () => {
    expect(channelOrderStatus('Unshipped', false)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_OPEN);
    expect(channelOrderStatus('Unshipped', true)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED);
    expect(channelOrderStatus('PartiallyShipped', true)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED);
    expect(channelOrderStatus('Shipped', false)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED);
    expect(channelOrderStatus('Canceled', false)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED);
    expect(channelOrderStatus(undefined, false)).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND);
  });
});
