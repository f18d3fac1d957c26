import { channelV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { accountHealth, pushResultFor, type DesiredRowView, type PushResultWording } from './channel-adapter.mapper.js';

const { PushOutcome, AccountHealth } = channelV1;
const wording: PushResultWording = { notListedCode: 'NO_LISTING', queuedMessage: 'queued, not yet on the channel' };
const update = { sku: 'TEE-M', availableQuantity: 5, version: 7 };

function row(overrides: Partial<DesiredRowView> = {}): DesiredRowView {
  return { desiredVersion: 7, pushedVersion: null, holdUntil: null, lastErrorCode: null, lastError: null, ...overrides };
}

describe('pushResultFor', () => {
  it('is FAILED when nothing was stored', () => {
    expect(pushResultFor(update, undefined, null, wording)).toEqual({
      sku: 'TEE-M',
      outcome: PushOutcome.PUSH_OUTCOME_FAILED,
      version: 0,
      message: 'not stored',
    });
  });

  it('is ACCEPTED once the channel has the version, also when it was pushed before a newer one arrived', () => {
    expect(pushResultFor(update, row({ pushedVersion: 7 }), null, wording)).toEqual({
      sku: 'TEE-M',
      outcome: PushOutcome.PUSH_OUTCOME_ACCEPTED,
      version: 7,
      message: '',
    });
    expect(pushResultFor(update, row({ desiredVersion: 9, pushedVersion: 7 }), null, wording).outcome).toBe(
      PushOutcome.PUSH_OUTCOME_ACCEPTED,
    );
  });

  it('is STALE with the version the channel reflects when a newer one superseded it', () => {
    expect(pushResultFor(update, row({ desiredVersion: 9, pushedVersion: 8 }), null, wording)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_STALE,
      version: 8,
      message: 'version 7 is superseded by version 9',
    });
  });

  it("is NOT_LISTED for the channel's no-listing code, REJECTED for other holds", () => {
    const held = { holdUntil: new Date(), pushedVersion: 6 };
    expect(pushResultFor(update, row({ ...held, lastErrorCode: 'NO_LISTING', lastError: 'no listing' }), null, wording)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_NOT_LISTED,
      version: 6,
      message: 'no listing',
    });
    expect(pushResultFor(update, row({ ...held, lastErrorCode: 'BAD_QUANTITY', lastError: 'too many' }), null, wording)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_REJECTED,
      message: 'BAD_QUANTITY: too many',
    });
  });

  it('is FAILED while queued, in the channel wording, naming the account error if any', () => {
    expect(pushResultFor(update, row({ pushedVersion: 6 }), null, wording)).toMatchObject({
      outcome: PushOutcome.PUSH_OUTCOME_FAILED,
      version: 6,
      message: 'queued, not yet on the channel',
    });
    expect(pushResultFor(update, row(), 'throttled', wording).message).toBe('queued, not yet on the channel (last error: throttled)');
  });
});

describe('accountHealth', () => {
  const options = { credentialErrorKinds: ['unauthorized', 'lwa_error'] };
  const healthy = { consecutiveFailures: 0, lastErrorKind: null };

  it('is healthy without failures or waiting calls', () => {
    expect(accountHealth([healthy, healthy], options)).toBe(AccountHealth.ACCOUNT_HEALTH_HEALTHY);
    expect(accountHealth([], options)).toBe(AccountHealth.ACCOUNT_HEALTH_HEALTHY);
  });

  it('is degraded while any loop retries or calls wait for the rate-limit bucket', () => {
    expect(accountHealth([healthy, { consecutiveFailures: 2, lastErrorKind: 'throttled' }], options)).toBe(
      AccountHealth.ACCOUNT_HEALTH_DEGRADED,
    );
    expect(accountHealth([healthy], { ...options, throttleWaiting: 1 })).toBe(AccountHealth.ACCOUNT_HEALTH_DEGRADED);
  });

  it('is failing after three failures in a row, or at once when the credentials are refused', () => {
    expect(accountHealth([{ consecutiveFailures: 3, lastErrorKind: 'server_error' }], options)).toBe(AccountHealth.ACCOUNT_HEALTH_FAILING);
    expect(accountHealth([healthy, { consecutiveFailures: 1, lastErrorKind: 'lwa_error' }], options)).toBe(
      AccountHealth.ACCOUNT_HEALTH_FAILING,
    );
    // A refusal that is over (the loop succeeded since) no longer counts.
    expect(accountHealth([{ consecutiveFailures: 0, lastErrorKind: 'unauthorized' }], options)).toBe(AccountHealth.ACCOUNT_HEALTH_HEALTHY);
  });
});
