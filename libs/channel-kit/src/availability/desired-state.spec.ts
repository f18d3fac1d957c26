import { describe, expect, it } from 'vitest';
import { acceptsDesiredVersion, isPendingPush, requestedPushState, type DesiredState } from './desired-state.js';

const now = new Date('2026-03-02T10:00:00Z');

function state(overrides: Partial<DesiredState> = {}): DesiredState {
  return { desiredVersion: 7, pushedVersion: null, holdUntil: null, lastErrorCode: null, ...overrides };
}

describe('acceptsDesiredVersion', () => {
  it('stores the first version of a key', () => {
    expect(acceptsDesiredVersion(undefined, 1)).toBe(true);
  });

  it('stores only a newer version: equal is a duplicate, lower is stale', () => {
    expect(acceptsDesiredVersion(state(), 8)).toBe(true);
    expect(acceptsDesiredVersion(state(), 7)).toBe(false);
    expect(acceptsDesiredVersion(state(), 6)).toBe(false);
  });
});

describe('isPendingPush', () => {
  it('is pending until the channel accepted the desired version', () => {
    expect(isPendingPush(state(), now)).toBe(true);
    expect(isPendingPush(state({ pushedVersion: 6 }), now)).toBe(true);
    expect(isPendingPush(state({ pushedVersion: 7 }), now)).toBe(false);
  });

  it('waits out a hold, then is pending again', () => {
    const held = state({ holdUntil: new Date(now.getTime() + 1), lastErrorCode: 'NOT_LISTED' });
    expect(isPendingPush(held, now)).toBe(false);
    expect(isPendingPush(held, new Date(now.getTime() + 1))).toBe(true);
  });
});

describe('requestedPushState', () => {
  it('is accepted once the channel has the requested version', () => {
    expect(requestedPushState(state({ pushedVersion: 7 }), 7)).toBe('accepted');
  });

  it('is accepted when that exact version was pushed before a newer one arrived', () => {
    expect(requestedPushState(state({ desiredVersion: 9, pushedVersion: 7 }), 7)).toBe('accepted');
  });

  it('is stale when a newer version superseded it, pushed or not', () => {
    expect(requestedPushState(state({ desiredVersion: 9, pushedVersion: 8 }), 7)).toBe('stale');
    expect(requestedPushState(state({ desiredVersion: 9, pushedVersion: 6 }), 7)).toBe('stale');
  });

  it('is pending, or held after a refusal, while the desired version waits', () => {
    expect(requestedPushState(state({ pushedVersion: 6 }), 7)).toBe('pending');
    expect(requestedPushState(state({ holdUntil: now, lastErrorCode: 'NOT_LISTED' }), 7)).toBe('held');
  });
});
