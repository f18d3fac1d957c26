import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestVhost, uniqueName, waitFor, type TestVhost } from '@retail-mesh/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../create-event-bus.js';
import type { BusMessage } from '../event-bus.js';
import type { EventBusObserver } from '../event-bus-hooks.js';
import { eventBusContract } from '../event-bus.contract.js';
import { RabbitMqEventBus } from './rabbitmq-bus.js';

const run = promisify(execFile);

let vhost: TestVhost;

beforeAll(async () => {
  vhost = await createTestVhost('rm_messaging');
});

afterAll(async () => {
  await vhost?.remove();
});

function connectBus(observer?: EventBusObserver): Promise<RabbitMqEventBus> {
  return RabbitMqEventBus.connect({ url: vhost.url, connectionName: 'messaging-int-spec', observer });
}

/** What a broker restart or a network cut does to this file's buses. */
async function closeVhostConnections(): Promise<void> {
  await run('rabbitmqctl', ['-q', 'close_all_connections', '--vhost', vhost.name, 'int-spec: connection cut']);
}

interface QueueInfo {
  name: string;
  type: string;
  arguments: Array<[string, string, unknown]>;
}

async function listQueues(): Promise<Map<string, { type: string; arguments: Record<string, unknown> }>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', '-p', vhost.name, 'name', 'type', 'arguments', '--formatter', 'json']);
  const queues = JSON.parse(stdout) as QueueInfo[];
  return new Map(
    queues.map((queue) => [
      queue.name,
      { type: queue.type, arguments: Object.fromEntries(queue.arguments.map(([name, , value]) => [name, value])) },
    ]),
  );
}

describe('RabbitMqEventBus', () => {
  describe('event bus contract', () => {
    eventBusContract({
      createBus: connectBus,
      interruptConsumers: async () => closeVhostConnections(),
    });
  });

  describe('on RabbitMQ', () => {
    let bus: RabbitMqEventBus;
    let ns: string;

    beforeAll(async () => {
      bus = await connectBus();
    });

    afterEach(async () => {
      await waitFor(() => bus.isReady(), { description: 'the bus to be ready' });
    });

    afterAll(async () => {
      await bus?.close();
    });

    it('declares a quorum queue with an explicit delivery limit, at-least-once dead-lettering, a quorum DLQ and retry tiers', async () => {
      ns = uniqueName('t');
      const queue = `${ns}.topology`;
      await bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 7, retryDelaysMs: [100, 2000, 2000] }, async () => undefined);

      const queues = await listQueues();
      expect(queues.get(queue)).toEqual({
        type: 'quorum',
        arguments: {
          'x-queue-type': 'quorum',
          'x-delivery-limit': 7,
          'x-dead-letter-exchange': 'retail.dlx',
          'x-dead-letter-routing-key': `${queue}.dlq`,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      });
      expect(queues.get(`${queue}.dlq`)).toEqual({ type: 'quorum', arguments: { 'x-queue-type': 'quorum' } });
      for (const delayMs of [100, 2000]) {
        expect(queues.get(`${queue}.retry.${delayMs}`)).toEqual({
          type: 'quorum',
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': delayMs,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': queue,
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        });
      }
      expect([...queues.keys()].filter((name) => name.startsWith(`${queue}.retry.`)).sort()).toEqual([
        `${queue}.retry.100`,
        `${queue}.retry.2000`,
      ]);
    });

    it('reconnects after the broker closes its connection: the consumer resumes and no published message is lost', async () => {
      ns = uniqueName('t');
      const queue = `${ns}.reconnect`;
      const received = new Set<string>();
      await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
        received.add(delivery.id);
      });
      const batch = (label: string): BusMessage[] =>
        Array.from({ length: 200 }, (_, index) => ({
          id: `${ns}-${label}-${index}`,
          routingKey: `${ns}.stock.changed`,
          body: Buffer.from(label),
          headers: {},
        }));
      const before = batch('before');
      await bus.publish(before);
      await waitFor(() => received.size === before.length, { description: 'the messages published before the cut' });

      const sawDown = waitFor(() => !bus.isReady(), { intervalMs: 1, description: 'the bus to notice the lost connection' });
      await closeVhostConnections();
      await sawDown;
      // Published while disconnected: publish waits for the reconnection instead of failing.
      const after = batch('after');
      await bus.publish(after);
      expect(bus.isReady()).toBe(true);

      await waitFor(() => received.size === before.length + after.length, { description: 'the messages published after the cut' });
      expect([...received].sort()).toEqual([...before, ...after].map((message) => message.id).sort());
    });

    it('refuses a consumer whose queue already exists with other arguments, and keeps working', async () => {
      ns = uniqueName('t');
      const queue = `${ns}.conflict`;
      await bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 5 }, async () => undefined);

      await expect(bus.consume({ queue, bindings: [`${ns}.#`], deliveryLimit: 3 }, async () => undefined)).rejects.toThrow(
        /PRECONDITION_FAILED/,
      );
      expect(bus.isReady()).toBe(true);
      await bus.publish([{ id: `${ns}-1`, routingKey: `${ns}.x`, body: Buffer.from('x'), headers: {} }]);
    });

    it('re-declares its queue and resumes when the queue is deleted under it', async () => {
      ns = uniqueName('t');
      const queue = `${ns}.deleted`;
      const received: string[] = [];
      await bus.consume({ queue, bindings: [`${ns}.#`] }, async (delivery) => {
        received.push(delivery.id);
      });

      await run('rabbitmqctl', ['-q', 'delete_queue', '-p', vhost.name, queue]);
      await waitFor(async () => (await listQueues()).has(queue), { description: 'the queue to be declared again' });
      await waitFor(() => bus.isReady(), { description: 'the bus to be ready' });
      await bus.publish([{ id: `${ns}-after`, routingKey: `${ns}.x`, body: Buffer.from('x'), headers: {} }]);
      await waitFor(() => received.length === 1, { description: 'the delivery to the re-declared queue' });
      expect(received).toEqual([`${ns}-after`]);
    });

    it('is what createEventBus returns for an amqp URL, with the exchange it is given', async () => {
      ns = uniqueName('t');
      const exchange = `${ns}.events`;
      const created = await createEventBus({ url: vhost.url, exchange });
      try {
        expect(created).toBeInstanceOf(RabbitMqEventBus);
        expect(created.isReady()).toBe(true);
        const received: string[] = [];
        await created.consume({ queue: `${ns}.factory`, bindings: ['#'] }, async (delivery) => {
          received.push(delivery.routingKey);
        });
        // The shared bus publishes to retail.events, which this queue is not bound to.
        await bus.publish([{ id: `${ns}-other`, routingKey: `${ns}.other`, body: Buffer.from('x'), headers: {} }]);
        await created.publish([{ id: `${ns}-own`, routingKey: `${ns}.own`, body: Buffer.from('x'), headers: {} }]);
        await waitFor(() => received.length === 1, { description: 'the delivery' });
        expect(received).toEqual([`${ns}.own`]);
      } finally {
        await created.close();
      }
    });

    it('refuses to replay into a queue that does not exist, keeping the dead letters', async () => {
      ns = uniqueName('t');
      const queue = `${ns}.missing`;
      await bus.deadLetter(queue, { id: `${ns}-1`, routingKey: `${ns}.orders.created`, body: Buffer.from('x'), headers: {} }, 'invalid');

      await expect(bus.replayDeadLetters(queue, 10)).rejects.toThrow(/does not exist/);
      expect(await bus.deadLetterCount(queue)).toBe(1);
      const [deadLetter] = await bus.peekDeadLetters(queue, 10);
      expect(deadLetter).toMatchObject({
        id: `${ns}-1`,
        routingKey: `${ns}.orders.created`,
        reason: 'invalid',
        attempts: 0,
        originalQueue: queue,
      });
    });
  });
});
