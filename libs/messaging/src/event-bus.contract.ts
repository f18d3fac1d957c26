// The one contract both transports pass (ADR 0002). A spec file calls eventBusContract with a
// target that makes buses: in-process-bus.spec.ts (unit) and rabbitmq-bus.int-spec.ts (real
// RabbitMQ). Every test uses its own routing-key namespace and queues, so buses sharing a
// broker never see each other's messages.
import { uniqueName, waitFor } from '@retail-mesh/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DeadLetterHeaders, PoisonMessageError, type BusMessage, type Delivery, type EventBus } from './event-bus.js';
import type { EventBusObserver } from './event-bus-hooks.js';

export interface EventBusContractTarget {
  /** A fresh bus for one test, reporting to `observer` when given. */
  createBus(observer?: EventBusObserver): Promise<EventBus>;
  /** Cuts the bus's consumers of `queue` off mid-handler, the way a lost connection does. */
  interruptConsumers(bus: EventBus, queue: string): Promise<void>;
}

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

let sequence = 0;

function message(routingKey: string, text: string, headers: Record<string, string> = {}): BusMessage {
  sequence += 1;
  return { id: `${uniqueName('msg')}_${sequence}`, routingKey, body: Buffer.from(text), headers };
}

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

export function eventBusContract(target: EventBusContractTarget): void {
  let bus: EventBus;
  let ns: string;

  beforeEach(async () => {
    bus = await target.createBus();
    ns = uniqueName('t');
  });

  afterEach(async () => {
    await bus.close();
  });

  it('delivers a published message with its id, routing key, body and headers, as attempt 1, and acks it', async () => {
    const queue = `${ns}.basic`;
    const received: Delivery[] = [];
    const consumer = await bus.consume({ queue, bindings: [`${ns}.orders.*`] }, async (delivery) => {
      received.push(delivery);
    });
    const sent = message(`${ns}.orders.created`, 'hello', { traceparent });
    await bus.publish([sent]);

    await waitFor(() => received.length === 1, { description: 'the delivery' });
    expect(received[0]).toMatchObject({ id: sent.id, routingKey: sent.routingKey, headers: { traceparent }, attempt: 1, queue });
    expect(received[0].headers).toEqual({ traceparent });
    expect(received[0].body.toString()).toBe('hello');

    // Acknowledged: a new consumer on the queue gets what comes next, not the first one again.
    await consumer.drain();
    const later: string[] = [];
    await bus.consume({ queue, bindings: [`${ns}.orders.*`] }, async (delivery) => {
      later.push(delivery.body.toString());
    });
    await bus.publish([message(`${ns}.orders.paid`, 'next')]);
    await waitFor(() => later.includes('next'), { description: 'the next message' });
    expect(later).toEqual(['next']);
    expect(await bus.deadLetterCount(queue)).toBe(0);
  });

  it('routes by topic patterns: * is one word, # is zero or more', async () => {
    const received = new Map<string, string[]>();
    const bindingsByQueue: Record<string, string[]> = {
      exact: [`${ns}.inventory.availability_changed.shopify`],
      star: [`${ns}.inventory.*.shopify`],
      hash: [`${ns}.inventory.#`],
      several: [`${ns}.orders.created`, `${ns}.returns.#`],
    };
    for (const [name, bindings] of Object.entries(bindingsByQueue)) {
      received.set(name, []);
      // The end marker tells when a queue has seen everything published before it.
      await bus.consume({ queue: `${ns}.${name}`, bindings: [...bindings, `${ns}.end`] }, async (delivery) => {
        received.get(name)?.push(delivery.routingKey.slice(ns.length + 1));
      });
    }
    const keys = [
      'inventory.availability_changed.shopify',
      'inventory.availability_changed.amazon',
      'inventory',
      'inventory.availability_changed',
      'orders.created',
      'orders.cancelled',
      'returns.received.shopify',
      'end',
    ];
    await bus.publish(keys.map((key) => message(`${ns}.${key}`, key)));

    await waitFor(() => [...received.values()].every((keysSeen) => keysSeen.includes('end')), {
      description: 'the end marker on every queue',
    });
    expect(Object.fromEntries(received)).toEqual({
      exact: ['inventory.availability_changed.shopify', 'end'],
      star: ['inventory.availability_changed.shopify', 'end'],
      hash: [
        'inventory.availability_changed.shopify',
        'inventory.availability_changed.amazon',
        'inventory',
        'inventory.availability_changed',
        'end',
      ],
      several: ['orders.created', 'returns.received.shopify', 'end'],
    });
  });

  it('retries a failing handler after growing delays, counting attempts, until it succeeds', async () => {
    const queue = `${ns}.retry`;
    const retryDelaysMs = [50, 150];
    const seen: Array<{ attempt: number; at: number }> = [];
    let handled = false;
    await bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 4, retryDelaysMs }, async (delivery) => {
      seen.push({ attempt: delivery.attempt, at: Date.now() });
      if (delivery.attempt < 4) throw new Error(`transient failure ${delivery.attempt}`);
      handled = true;
    });
    await bus.publish([message(`${ns}.orders.created`, 'flaky')]);

    await waitFor(() => handled, { description: 'the fourth attempt' });
    expect(seen.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = seen.slice(1).map((entry, index) => entry.at - seen[index].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(150);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    expect(await bus.deadLetterCount(queue)).toBe(0);
  });

  it('dead-letters after exactly deliveryLimit deliveries, with the reason and the dead-letter headers', async () => {
    const queue = `${ns}.limit`;
    const attempts: number[] = [];
    await bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 3, retryDelaysMs: [10] }, async (delivery) => {
      attempts.push(delivery.attempt);
      throw new Error(`still failing on attempt ${delivery.attempt}`);
    });
    const sent = message(`${ns}.orders.created`, 'doomed', { traceparent });
    await bus.publish([sent]);

    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { description: 'the dead letter' });
    expect(attempts).toEqual([1, 2, 3]);
    const [deadLetter] = await bus.peekDeadLetters(queue, 10);
    expect(deadLetter).toMatchObject({ id: sent.id, routingKey: sent.routingKey, attempts: 3, originalQueue: queue });
    expect(deadLetter.reason).toContain('still failing on attempt 3');
    expect(deadLetter.body.toString()).toBe('doomed');
    expect(deadLetter.headers).toMatchObject({
      traceparent,
      [DeadLetterHeaders.error]: deadLetter.reason,
      [DeadLetterHeaders.attempts]: '3',
      [DeadLetterHeaders.originalRoutingKey]: sent.routingKey,
      [DeadLetterHeaders.originalQueue]: queue,
    });
    expect(Number.isNaN(Date.parse(deadLetter.headers[DeadLetterHeaders.failedAt]))).toBe(false);

    // Peeking does not consume.
    expect(await bus.peekDeadLetters(queue, 10)).toHaveLength(1);
    expect(await bus.deadLetterCount(queue)).toBe(1);
  });

  it('sends a poison message to the dead-letter queue at once without blocking the messages behind it', async () => {
    const queue = `${ns}.poison`;
    const poisonAttempts: number[] = [];
    const handled: string[] = [];
    await bus.consume({ queue, bindings: [`${ns}.#`], prefetch: 1, deliveryLimit: 5 }, async (delivery) => {
      const text = delivery.body.toString();
      if (text === 'poison') {
        poisonAttempts.push(delivery.attempt);
        throw new PoisonMessageError('cannot decode the envelope');
      }
      handled.push(text);
    });
    await bus.publish([message(`${ns}.a`, 'poison'), message(`${ns}.b`, 'ok-1'), message(`${ns}.c`, 'ok-2')]);

    await waitFor(() => handled.length === 2, { description: 'the messages behind the poison one' });
    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { description: 'the dead letter' });
    expect(handled).toEqual(['ok-1', 'ok-2']);
    expect(poisonAttempts).toEqual([1]);
    const [deadLetter] = await bus.peekDeadLetters(queue, 1);
    expect(deadLetter.reason).toContain('cannot decode the envelope');
    expect(deadLetter.attempts).toBe(1);
  });

  it('replays dead letters onto their queue with a fresh attempt count', async () => {
    const queue = `${ns}.replay`;
    let poisonous = true;
    const handled: Delivery[] = [];
    await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
      if (poisonous) throw new PoisonMessageError('not yet');
      handled.push(delivery);
    });
    const sent = message(`${ns}.orders.created`, 'second chance', { traceparent });
    await bus.publish([sent]);
    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { description: 'the dead letter' });

    poisonous = false;
    expect(await bus.replayDeadLetters(queue, 10)).toBe(1);

    await waitFor(() => handled.length === 1, { description: 'the replayed delivery' });
    expect(handled[0]).toMatchObject({ id: sent.id, routingKey: sent.routingKey, attempt: 1, queue });
    expect(handled[0].headers).toEqual({ traceparent });
    expect(handled[0].body.toString()).toBe('second chance');
    expect(await bus.deadLetterCount(queue)).toBe(0);
    expect(await bus.replayDeadLetters(queue, 10)).toBe(0);
  });

  it('lets a handler dead-letter the delivery itself (a boundary validation failure)', async () => {
    const queue = `${ns}.invalid`;
    await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
      await bus.deadLetter(queue, delivery, 'payload failed validation: sku missing');
    });
    const sent = message(`${ns}.orders.created`, '{}', { traceparent });
    await bus.publish([sent]);

    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { description: 'the dead letter' });
    const [deadLetter] = await bus.peekDeadLetters(queue, 1);
    expect(deadLetter).toMatchObject({
      id: sent.id,
      routingKey: sent.routingKey,
      reason: 'payload failed validation: sku missing',
      attempts: 1,
      originalQueue: queue,
    });
    expect(deadLetter.headers).toMatchObject({ traceparent, [DeadLetterHeaders.originalQueue]: queue });
  });

  it('redelivers an unacknowledged message as attempt 2 when its consumer is cut off mid-handler', async () => {
    const queue = `${ns}.redelivery`;
    const release = gate();
    const attempts: number[] = [];
    await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
      attempts.push(delivery.attempt);
      if (delivery.attempt === 1) await release.promise;
    });
    await bus.publish([message(`${ns}.orders.created`, 'interrupted')]);
    await waitFor(() => attempts.length === 1, { description: 'the first delivery' });

    await target.interruptConsumers(bus, queue);
    await waitFor(() => attempts.length === 2, { description: 'the redelivery' });
    release.open();

    expect(attempts).toEqual([1, 2]);
    await waitFor(() => bus.isReady(), { description: 'the bus to be ready again' });
    expect(await bus.deadLetterCount(queue)).toBe(0);
  });

  it('dead-letters a message whose deliveries keep getting lost, without running the handler past the limit', async () => {
    const queue = `${ns}.lost`;
    const attempts: number[] = [];
    const never = gate();
    await bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 1 }, async (delivery) => {
      attempts.push(delivery.attempt);
      await never.promise;
    });
    await bus.publish([message(`${ns}.orders.created`, 'crashes its consumer')]);
    await waitFor(() => attempts.length === 1, { description: 'the first delivery' });

    await target.interruptConsumers(bus, queue);
    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { description: 'the dead letter' });
    never.open();

    expect(attempts).toEqual([1]);
    const [deadLetter] = await bus.peekDeadLetters(queue, 1);
    expect(deadLetter.reason).toContain('delivery limit of 1 exceeded');
    expect(deadLetter.attempts).toBe(1);
  });

  it('reports handled, failed, retried and dead-lettered deliveries to the observer', async () => {
    const queue = `${ns}.observed`;
    const events: string[] = [];
    const observed = await target.createBus({
      handled: (observedQueue, seconds) => events.push(`handled ${observedQueue} ${seconds >= 0}`),
      failed: (observedQueue, seconds, error) => events.push(`failed ${observedQueue} ${seconds >= 0} ${(error as Error).message}`),
      retried: (observedQueue, delayMs) => events.push(`retried ${observedQueue} ${delayMs}`),
      deadLettered: (observedQueue, reason) => events.push(`dead-lettered ${observedQueue} ${reason}`),
    });
    try {
      await observed.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 2, retryDelaysMs: [10] }, async (delivery) => {
        if (delivery.body.toString() === 'bad') throw new Error('bad input');
      });
      await observed.publish([message(`${ns}.a`, 'ok'), message(`${ns}.b`, 'bad')]);

      await waitFor(() => events.length === 5, { description: 'five observations' });
      expect(events.sort()).toEqual([
        `dead-lettered ${queue} Error: bad input`,
        `failed ${queue} true bad input`,
        `failed ${queue} true bad input`,
        `handled ${queue} true`,
        `retried ${queue} 10`,
      ]);
    } finally {
      await observed.close();
    }
  });

  it('never runs more handlers at once than the prefetch', async () => {
    const queue = `${ns}.prefetch`;
    const prefetch = 3;
    const full = gate();
    let inFlight = 0;
    let maxInFlight = 0;
    let handled = 0;
    await bus.consume({ queue, bindings: [`${ns}.#`], prefetch }, async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (inFlight === prefetch) full.open();
      await full.promise;
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      handled += 1;
    });
    await bus.publish(Array.from({ length: 30 }, (_, index) => message(`${ns}.orders.created`, `m${index}`)));

    await waitFor(() => handled === 30, { description: 'all 30 messages' });
    expect(maxInFlight).toBe(prefetch);
  });

  it('drain stops consuming and waits for in-flight handlers; later messages wait in the queue', async () => {
    const queue = `${ns}.drain`;
    const release = gate();
    const events: string[] = [];
    const consumer = await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
      events.push(`start ${delivery.body.toString()}`);
      await release.promise;
      events.push(`end ${delivery.body.toString()}`);
    });
    await bus.publish([message(`${ns}.orders.created`, 'first')]);
    await waitFor(() => events.length === 1, { description: 'the first handler to start' });

    const drained = consumer.drain().then(() => events.push('drained'));
    release.open();
    await drained;
    expect(events).toEqual(['start first', 'end first', 'drained']);

    await bus.publish([message(`${ns}.orders.created`, 'second')]);
    const later: string[] = [];
    await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
      later.push(delivery.body.toString());
    });
    await waitFor(() => later.length === 1, { description: 'the message published after the drain' });
    expect(later).toEqual(['second']);
  });

  it('confirms a publish of 5,000 messages and delivers every one', async () => {
    const queue = `${ns}.bulk`;
    const received = new Set<string>();
    await bus.consume({ queue, bindings: [`${ns}.#`], prefetch: 100 }, async (delivery) => {
      received.add(delivery.id);
    });
    const messages = Array.from({ length: 5000 }, (_, index) => message(`${ns}.inventory.availability_changed.shopify`, `stock ${index}`));
    // Two concurrent publishes share the transport's confirm window.
    await Promise.all([bus.publish(messages.slice(0, 2500)), bus.publish(messages.slice(2500))]);

    await waitFor(() => received.size === 5000, { timeoutMs: 60_000, description: 'all 5,000 deliveries' });
    expect([...received].sort()).toEqual(messages.map((sent) => sent.id).sort());
  });
}
