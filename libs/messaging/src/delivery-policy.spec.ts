import { describe, expect, it } from 'vitest';
import {
  applicationHeaders,
  deadLetterHeaders,
  describeError,
  failureOutcome,
  isOverDeliveryLimit,
  readDeadLetter,
  resolveConsumerOptions,
  retryDelayFor,
} from './delivery-policy.js';
import { DeadLetterHeaders, PoisonMessageError } from './event-bus.js';

describe('resolveConsumerOptions', () => {
  it('applies the ADR defaults', () => {
    expect(resolveConsumerOptions({ queue: 'orders.intake', bindings: ['orders.#'] })).toEqual({
      queue: 'orders.intake',
      bindings: ['orders.#'],
      prefetch: 50,
      deliveryLimit: 5,
      retryDelaysMs: [1000, 5000, 30000],
    });
  });

  it.each([
    [{ prefetch: 0 }, /prefetch/],
    [{ deliveryLimit: 1.5 }, /deliveryLimit/],
    [{ retryDelaysMs: [] }, /retryDelaysMs/],
    [{ retryDelaysMs: [-1] }, /retryDelaysMs/],
    [{ queue: 'has space' }, /queue name/],
  ])('rejects %o', (override, message) => {
    expect(() => resolveConsumerOptions({ queue: 'orders.intake', bindings: [], ...override })).toThrow(message);
  });
});

describe('retryDelayFor', () => {
  it('uses the delay of the failed attempt and repeats the last one', () => {
    const delays = [100, 500];
    expect([1, 2, 3, 7].map((attempt) => retryDelayFor(attempt, delays))).toEqual([100, 500, 500, 500]);
  });
});

describe('failureOutcome', () => {
  const options = { deliveryLimit: 3, retryDelaysMs: [100, 500] };

  it('retries an ordinary error before the limit', () => {
    expect(failureOutcome(new Error('timeout'), 2, options)).toEqual({ action: 'retry', delayMs: 500 });
  });

  it('dead-letters on the last allowed attempt', () => {
    expect(failureOutcome(new Error('timeout'), 3, options)).toEqual({ action: 'dead-letter', reason: 'Error: timeout' });
  });

  it('dead-letters a poison message on its first attempt', () => {
    expect(failureOutcome(new PoisonMessageError('bad envelope'), 1, options)).toEqual({
      action: 'dead-letter',
      reason: 'PoisonMessageError: bad envelope',
    });
  });

  it('counts a delivery past the limit as over it', () => {
    expect([3, 4].map((attempt) => isOverDeliveryLimit(attempt, 3))).toEqual([false, true]);
  });
});

describe('describeError', () => {
  it('bounds the reason so it fits an AMQP header table', () => {
    expect(describeError(new Error('x'.repeat(5000))).length).toBeLessThanOrEqual(1003);
    expect(describeError('plain string')).toBe('plain string');
  });
});

describe('dead-letter headers', () => {
  it('round-trip through readDeadLetter, keeping the message headers', () => {
    const headers = deadLetterHeaders(
      { traceparent: 't', [DeadLetterHeaders.error]: 'an older failure' },
      {
        reason: 'Error: boom',
        attempts: 4,
        routingKey: 'orders.created',
        queue: 'settlement.orders',
        failedAt: new Date('2025-01-02T03:04:05Z'),
      },
    );
    expect(headers).toEqual({
      traceparent: 't',
      'x-error': 'Error: boom',
      'x-attempts': '4',
      'x-original-routing-key': 'orders.created',
      'x-original-queue': 'settlement.orders',
      'x-failed-at': '2025-01-02T03:04:05.000Z',
    });
    const deadLetter = readDeadLetter(
      { id: 'e1', routingKey: 'settlement.orders.dlq', body: Buffer.from('b'), headers },
      'settlement.orders',
    );
    expect(deadLetter).toMatchObject({
      id: 'e1',
      routingKey: 'orders.created',
      reason: 'Error: boom',
      attempts: 4,
      originalQueue: 'settlement.orders',
    });
    expect(applicationHeaders(deadLetter.headers)).toEqual({ traceparent: 't' });
  });
});
