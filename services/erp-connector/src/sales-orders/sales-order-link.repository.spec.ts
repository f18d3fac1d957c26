import { describe, expect, it } from 'vitest';
import { decideClaim } from './sales-order-link.repository.js';

const now = new Date('2026-11-27T05:00:00Z');
const later = new Date(now.getTime() + 1000);

describe('decideClaim', () => {
  it('answers a created link to every request, whatever its key', () => {
    expect(decideClaim({ status: 'CREATED', idempotencyKey: 'a', claimedUntil: null }, 'b', now)).toBe('done');
  });

  it('answers a rejection to its own key, and tries again for a new key', () => {
    expect(decideClaim({ status: 'REJECTED', idempotencyKey: 'a', claimedUntil: null }, 'a', now)).toBe('done');
    expect(decideClaim({ status: 'REJECTED', idempotencyKey: 'a', claimedUntil: null }, 'a-retry', now)).toBe('claim');
  });

  it('leaves a pending link to the request holding a live claim, and takes over an expired one', () => {
    expect(decideClaim({ status: 'PENDING', idempotencyKey: 'a', claimedUntil: later }, 'a', now)).toBe('busy');
    expect(decideClaim({ status: 'PENDING', idempotencyKey: 'a', claimedUntil: now }, 'a', now)).toBe('claim');
    expect(decideClaim({ status: 'PENDING', idempotencyKey: 'a', claimedUntil: null }, 'a', now)).toBe('claim');
  });
});
