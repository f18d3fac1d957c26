// A service that consumes events, started by startService on both wirings (SQLite with the
// in-process bus, PostgreSQL with RabbitMQ): the inbox makes redeliveries harmless, effects and
// follow-up events commit together, deliveries run in the event's trace, failures are retried or
// dead-lettered and counted, and close() lets the handler in flight finish.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Injectable, Module } from '@nestjs/common';
import { catalogV1, Events, grpcServices, inventoryEventsV1, type erpEventsV1 } from '@retail-mesh/contracts';
import { createEventBus, encodeEvent, InProcessEventBus, type Delivery, type EventBus } from '@retail-mesh/messaging';
import { currentTraceContext, grpcHealthStatus, parseTraceparent } from '@retail-mesh/observability';
import { SqlParameters } from '@retail-mesh/persistence';
import { createTestSchema, createTestVhost, waitFor } from '@retail-mesh/testing';
import { Column, DataSource, Entity, PrimaryColumn, Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceConfigFor } from '../bootstrap/service-config-for.js';
import { scrapeMetric } from '../testing/service-test-bed.js';
import { createServiceDataSource } from '../bootstrap/service-data-source.js';
import { busMetricsObserver, startService, type RunningService } from '../bootstrap/start-service.js';
import { defineService } from '../definition/service-definition.js';
import { InboxMessage, PoisonMessageError } from '@retail-mesh/messaging';
import { EventConsumers, onEvent, onEventBatch, onEventOutsideTransaction, type ReceivedEvent } from './event-consumers.js';
import type { TransactionContext } from './outbox-publisher.js';

@Entity({ name: 'stock_tallies' })
class StockTally {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ name: 'on_hand', type: 'integer' })
  onHand!: number;

  @Column({ type: 'integer' })
  effects!: number;
}

class CreateStockTallies1764300000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'stock_tallies',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'on_hand', type: 'integer' },
          { name: 'effects', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('stock_tallies');
  }
}

// What each test makes the handler do, by SKU.
const behaviour = {
  failuresLeft: new Map<string, number>(),
  gates: new Map<string, Promise<void>>(),
  traceIds: new Map<string, string | undefined>(),
  availability: [] as Array<{ channel: string | undefined; sku: string }>,
  batchSizes: [] as number[],
  committedBatches: 0,
  /** Event ids the versioned consumer was handed (a repeat included), for SKUs with VERSIONED. */
  versionedSeen: [] as string[],
  /** What the autocommit consumer saw on each attempt at a SKU with AUTOCOMMIT. */
  autocommitAttempts: [] as Array<{ sku: string; rowBefore: boolean; inTransaction: boolean; publishRefused: string }>,
  autocommitCommitted: [] as string[],
};

// Every stock consumer gets every stock change: the batch consumer tallies only SKUs with this
// prefix, the versioned one (no inbox) only those with the next, the first one all the rest.
const BATCHED = 'BATCH-';
const VERSIONED = 'VERSIONED-';
const AUTOCOMMIT = 'AUTOCOMMIT-';

@Injectable()
class StockConsumer {
  constructor(consumers: EventConsumers) {
    consumers.register({
      purpose: 'stock',
      deliveryLimit: 3,
      retryDelaysMs: [20],
      handlers: [onEvent(Events.erp.stockChanged, (event, context) => this.apply(event, context))],
    });
    consumers.register({
      purpose: 'availability',
      handlers: [
        onEventOutsideTransaction(
          Events.inventory.availabilityChanged,
          async ({ channel, payload }) => void behaviour.availability.push({ channel, sku: payload.sku }),
          { channels: ['shopify'] },
        ),
      ],
    });
    consumers.register({
      purpose: 'stock-batched',
      prefetch: 40,
      deliveryLimit: 2,
      retryDelaysMs: [20],
      handlers: [onEventBatch(Events.erp.stockChanged, (events, context) => this.applyBatch(events, context), { maxBatchSize: 20 })],
    });
    consumers.register({
      purpose: 'stock-autocommit',
      retryDelaysMs: [20],
      handlers: [
        onEventBatch(Events.erp.stockChanged, (events, context) => this.applyAutocommit(events, context), {
          dedupe: 'versions',
          autocommit: true,
        }),
      ],
    });
    consumers.register({
      purpose: 'stock-versioned',
      handlers: [
        onEventBatch(Events.erp.stockChanged, (events, context) => this.applyVersioned(events, context), {
          dedupe: 'versions',
          maxBatchesInFlight: 2,
        }),
      ],
    });
  }

  /** A versioned upsert: only a newer version moves the tally (onHand is the version here). */
  private async applyVersioned(events: ReceivedEvent<erpEventsV1.StockChanged>[], { manager }: TransactionContext): Promise<void> {
    for (const { payload, envelope } of events) {
      if (!payload.sku.startsWith(VERSIONED)) continue;
      behaviour.versionedSeen.push(envelope.id);
      const tally = await manager.findOneBy(StockTally, { sku: payload.sku });
      if (tally !== null && tally.onHand >= payload.version) continue;
      await manager.save(StockTally, { sku: payload.sku, onHand: payload.version, effects: (tally?.effects ?? 0) + 1 });
    }
  }

  /** A versioned upsert per event, in autocommit; `failuresLeft` makes an attempt fail after its write. */
  private async applyAutocommit(events: ReceivedEvent<erpEventsV1.StockChanged>[], context: TransactionContext): Promise<void> {
    const { manager, publish, afterCommit } = context;
    for (const { payload } of events) {
      if (!payload.sku.startsWith(AUTOCOMMIT)) continue;
      const rowBefore = (await manager.findOneBy(StockTally, { sku: payload.sku })) !== null;
      const publishRefused = await publish({
        definition: Events.catalog.productUpserted,
        payload: { product: catalogV1.Product.fromPartial({ productId: payload.sku }) },
        subject: payload.sku,
      }).then(
        () => '',
        (error: Error) => error.message,
      );
      behaviour.autocommitAttempts.push({
        sku: payload.sku,
        rowBefore,
        inTransaction: manager.queryRunner?.isTransactionActive ?? false,
        publishRefused,
      });
      const parameters = SqlParameters.for(manager.connection);
      await manager.query(
        `INSERT INTO stock_tallies (sku, on_hand, effects) VALUES (${parameters.add(payload.sku)}, ${parameters.add(payload.version)}, 1)
         ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, effects = stock_tallies.effects + 1
         WHERE stock_tallies.on_hand < excluded.on_hand`,
        parameters.values,
      );
      const failures = behaviour.failuresLeft.get(payload.sku) ?? 0;
      if (failures > 0) {
        behaviour.failuresLeft.set(payload.sku, failures - 1);
        throw new Error(`${payload.sku} fails after its write`);
      }
      afterCommit(() => behaviour.autocommitCommitted.push(payload.sku));
    }
  }

  private async applyBatch(events: ReceivedEvent<erpEventsV1.StockChanged>[], { manager, afterCommit }: TransactionContext): Promise<void> {
    behaviour.batchSizes.push(events.length);
    for (const { payload } of events) {
      if (!payload.sku.startsWith(BATCHED)) continue;
      if (payload.sku.endsWith('-POISON')) throw new PoisonMessageError(`${payload.sku} can never be applied`);
      const tally = await manager.findOneBy(StockTally, { sku: payload.sku });
      await manager.save(StockTally, { sku: payload.sku, onHand: payload.onHand, effects: (tally?.effects ?? 0) + 1 });
    }
    afterCommit(() => behaviour.committedBatches++);
  }

  private async apply({ payload }: ReceivedEvent<erpEventsV1.StockChanged>, { manager, publish }: TransactionContext): Promise<void> {
    if ([BATCHED, VERSIONED, AUTOCOMMIT].some((prefix) => payload.sku.startsWith(prefix))) return;
    behaviour.traceIds.set(payload.sku, currentTraceContext()?.traceId);
    await behaviour.gates.get(payload.sku);
    const failures = behaviour.failuresLeft.get(payload.sku) ?? 0;
    if (failures > 0) {
      behaviour.failuresLeft.set(payload.sku, failures - 1);
      throw new Error(`transient failure for ${payload.sku}`);
    }
    const tally = await manager.findOneBy(StockTally, { sku: payload.sku });
    await manager.save(StockTally, { sku: payload.sku, onHand: payload.onHand, effects: (tally?.effects ?? 0) + 1 });
    await publish({
      definition: Events.catalog.productUpserted,
      payload: { product: catalogV1.Product.fromPartial({ productId: payload.sku }) },
      subject: payload.sku,
    });
  }
}

@Module({ providers: [StockConsumer] })
class FixtureModule {}

const fixtureService = defineService({
  name: 'kit-fixture',
  grpc: grpcServices.catalog,
  ports: { grpc: 0, http: 0 },
  entities: [StockTally],
  migrations: [CreateStockTallies1764300000001],
  module: () => ({ module: FixtureModule }),
});

interface Wiring {
  name: string;
  /** The environment and, for embedded mode, the bus to pass in; `bus` is what the test publishes on. */
  prepare(): Promise<{ env: Record<string, string>; bus: EventBus; passBus: boolean; cleanUp(): Promise<void> }>;
}

const wirings: Wiring[] = [
  {
    name: 'SQLite and the in-process bus',
    async prepare() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'rm-kit-'));
      const bus = new InProcessEventBus({ observer: busMetricsObserver });
      return {
        env: { DATA_DIR: dataDir },
        bus,
        passBus: true,
        cleanUp: async () => {
          await bus.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL and RabbitMQ',
    async prepare() {
      const [vhost, schema] = await Promise.all([createTestVhost('rm_kit'), createTestSchema('rm_kit')]);
      const bus = await createEventBus({ url: vhost.url });
      return {
        env: { RABBITMQ_URL: vhost.url, DATABASE_URL: schema.url, DATABASE_SCHEMA: schema.name },
        bus,
        passBus: false,
        cleanUp: async () => {
          await bus.close();
          await Promise.all([vhost.remove(), schema.remove()]);
        },
      };
    },
  },
];

describe.each(wirings)('a consuming service on $name', (wiring) => {
  let service: RunningService;
  let bus: EventBus;
  let cleanUp: () => Promise<void>;
  const followUps: Delivery[] = [];

  beforeAll(async () => {
    behaviour.failuresLeft.clear();
    behaviour.gates.clear();
    behaviour.traceIds.clear();
    behaviour.availability.length = 0;
    behaviour.autocommitAttempts.length = 0;
    behaviour.autocommitCommitted.length = 0;
    const prepared = await wiring.prepare();
    bus = prepared.bus;
    cleanUp = prepared.cleanUp;
    await bus.consume({ queue: 'probe.follow-ups', bindings: [Events.catalog.productUpserted.binding] }, async (delivery) => {
      followUps.push(delivery);
    });
    const config = serviceConfigFor(fixtureService, { BIND_HOST: '127.0.0.1', INBOX_PURGE_INTERVAL_MS: '1000', ...prepared.env });
    service = await startService(fixtureService, {
      config,
      bus: prepared.passBus ? bus : undefined,
      logDestination: { write: () => undefined },
    });
  });

  afterAll(async () => {
    await service?.close();
    await cleanUp?.();
  });

  const stockChanged = (sku: string, onHand: number, id = randomUUID(), traceparent?: string) =>
    encodeEvent({
      definition: Events.erp.stockChanged,
      payload: { erpChangeId: id, sku, locationId: 'WH1', onHand, version: onHand, changedAt: undefined },
      source: 'erp-connector',
      subject: sku,
      id,
      traceparent,
    });
  const tally = (sku: string) => service.dataSource.manager.findOneBy(StockTally, { sku });
  const metrics = async () => (await fetch(`${service.httpUrl}/metrics`)).text();
  const labels = '{service="kit-fixture",queue="kit-fixture.stock"}';

  it('applies an event once, however often it is delivered, and publishes the follow-up in its trace', async () => {
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const message = stockChanged('SKU-A', 7, randomUUID(), `00-${traceId}-1111111111111111-01`);
    await bus.publish([message]);
    await bus.publish([message]);
    const [followUp] = await waitFor(() => followUps.some((delivery) => delivery.headers['x-event-type']) && followUps);
    expect(parseTraceparent(followUp.headers.traceparent)?.traceId).toBe(traceId);
    expect(behaviour.traceIds.get('SKU-A')).toBe(traceId);
    await waitFor(async () => (await metrics()).includes(`retail_mesh_consumer_handled_total${labels} 2`));
    expect(await tally('SKU-A')).toEqual({ sku: 'SKU-A', onHand: 7, effects: 1 });
    expect(followUps).toHaveLength(1);
  });

  it('binds a channel-scoped event for the channels asked for and hands over the channel', async () => {
    const availability = (channel: string, sku: string) =>
      encodeEvent({
        definition: Events.inventory.availabilityChanged,
        payload: inventoryEventsV1.AvailabilityChanged.fromPartial({
          channelAccountId: `${channel}-us`,
          channel,
          sku,
          availableQuantity: 4,
          version: 1,
        }),
        source: 'inventory',
        subject: sku,
        channel,
      });
    await bus.publish([availability('amazon', 'SKU-X'), availability('shopify', 'SKU-Y')]);
    await waitFor(() => behaviour.availability.length > 0);
    await waitFor(async () =>
      (await metrics()).includes('retail_mesh_consumer_handled_total{service="kit-fixture",queue="kit-fixture.availability"} 1'),
    );
    expect(behaviour.availability).toEqual([{ channel: 'shopify', sku: 'SKU-Y' }]);
  });

  it('retries a failed delivery and dead-letters a poison message, counting both', async () => {
    behaviour.failuresLeft.set('SKU-B', 1);
    await bus.publish([stockChanged('SKU-B', 3)]);
    const poison = { ...stockChanged('SKU-C', 1), body: Buffer.from('not an envelope') };
    await bus.publish([poison]);
    await waitFor(async () => (await tally('SKU-B'))?.onHand === 3);
    await waitFor(async () => (await bus.deadLetterCount('kit-fixture.stock')) === 1);
    const text = await waitFor(async () => {
      const current = await metrics();
      return current.includes(`retail_mesh_consumer_dead_lettered_total${labels} 1`) && current;
    });
    expect(text).toContain(`retail_mesh_consumer_failed_total${labels} 2`);
    expect(text).toContain(`retail_mesh_consumer_retried_total${labels} 1`);
    expect(text).toContain(`retail_mesh_consumer_dead_letter_messages${labels} 1`);
    expect(text).toMatch(/retail_mesh_outbox_published_total\{service="kit-fixture"\} [1-9]/);
    const [deadLetter] = await bus.peekDeadLetters('kit-fixture.stock', 1);
    expect(deadLetter.reason).toContain('not a retail.common.v1.EventEnvelope');
  });

  it('handles a burst in batches, each event once, and dead-letters only the poison one of a batch', async () => {
    const skus = Array.from({ length: 5 }, (_, index) => `${BATCHED}${index}`);
    const messages = Array.from({ length: 200 }, (_, index) => stockChanged(skus[index % skus.length]!, index + 1));
    const poison = stockChanged(`${BATCHED}X-POISON`, 1);
    const handled = () => scrapeMetric(service, 'retail_mesh_consumer_handled_total', { queue: 'kit-fixture.stock-batched' });
    const handledBefore = await handled();
    const deadLettersBefore = await bus.deadLetterCount('kit-fixture.stock-batched');
    // Every message twice (a redelivery), the poison one in the middle of the burst.
    await bus.publish([...messages.slice(0, 100), poison, ...messages.slice(100), ...messages]);
    await waitFor(async () => (await handled()) === handledBefore + 400);
    await waitFor(async () => (await bus.deadLetterCount('kit-fixture.stock-batched')) === deadLettersBefore + 1);
    const tallies = await Promise.all(skus.map((sku) => tally(sku)));
    expect(tallies.map((row) => row?.effects)).toEqual([40, 40, 40, 40, 40]);
    expect(tallies.map((row) => row?.onHand)).toEqual(skus.map((_, index) => 196 + index));
    expect(await tally(`${BATCHED}X-POISON`)).toBeNull();
    expect(Math.max(...behaviour.batchSizes)).toBeGreaterThan(1);
    expect(Math.max(...behaviour.batchSizes)).toBeLessThanOrEqual(20);
    expect(behaviour.committedBatches).toBeGreaterThan(0);
    const deadLetters = await bus.peekDeadLetters('kit-fixture.stock-batched', deadLettersBefore + 1);
    expect(deadLetters.at(-1)?.reason).toContain('X-POISON can never be applied');
  });

  it('hands a repeated event again to a consumer that dedupes by versions, records no inbox row, and the version keeps it harmless', async () => {
    const sku = `${VERSIONED}A`;
    const seen = (id: string) => behaviour.versionedSeen.filter((seenId) => seenId === id).length;
    const current = stockChanged(sku, 2);
    await bus.publish([current]);
    await waitFor(() => seen(current.id) === 1 || undefined, { description: 'the versioned consumer to see version 2' });
    const older = stockChanged(sku, 1);
    await bus.publish([current, older]);
    await waitFor(() => (seen(current.id) === 2 && seen(older.id) === 1) || undefined, {
      description: 'the repeat and the older version handed over',
    });
    expect(await service.dataSource.getRepository(StockTally).findOneBy({ sku })).toMatchObject({ onHand: 2, effects: 1 });
    expect(await service.dataSource.getRepository(InboxMessage).countBy({ consumer: 'kit-fixture.stock-versioned' })).toBe(0);
  });

  it('runs an autocommit handler without a transaction on PostgreSQL: a write before a failure stays, publishing is refused, afterCommit runs after', async () => {
    const sku = `${AUTOCOMMIT}A`;
    behaviour.failuresLeft.set(sku, 1);
    await bus.publish([stockChanged(sku, 3)]);
    await waitFor(() => behaviour.autocommitCommitted.includes(sku) || undefined, { description: 'the autocommit handler to finish' });
    const attempts = behaviour.autocommitAttempts.filter((attempt) => attempt.sku === sku);
    const postgres = service.dataSource.options.type === 'postgres';
    // PostgreSQL: the first attempt's upsert committed on its own, so the retry finds the row;
    // SQLite ran the attempt in one transaction, which its failure rolled back.
    expect(attempts.map((attempt) => attempt.rowBefore)).toEqual([false, postgres]);
    expect(attempts.every((attempt) => attempt.inTransaction === !postgres)).toBe(true);
    expect(attempts[0]!.publishRefused).toContain('cannot publish');
    expect(await service.dataSource.getRepository(StockTally).findOneBy({ sku })).toMatchObject({ onHand: 3, effects: 1 });
  });

  it('forgets processed event ids older than the inbox retention, and only those', async () => {
    const consumer = 'kit-fixture.stock';
    const old = { consumer, eventId: randomUUID(), processedAt: new Date(Date.now() - 200 * 3_600_000) };
    const recent = { consumer, eventId: randomUUID(), processedAt: new Date(Date.now() - 3_600_000) };
    await service.dataSource.getRepository(InboxMessage).insert([old, recent]);
    const present = async (eventId: string) => (await service.dataSource.getRepository(InboxMessage).countBy({ consumer, eventId })) === 1;
    await waitFor(async () => !(await present(old.eventId)), { description: 'the old inbox row purged' });
    expect(await present(recent.eventId)).toBe(true);
  });

  it('turns not ready and NOT_SERVING at once on close(), and lets the delivery in flight finish', async () => {
    let release!: () => void;
    behaviour.gates.set('SKU-D', new Promise<void>((resolve) => (release = resolve)));
    await bus.publish([stockChanged('SKU-D', 5)]);
    await waitFor(() => behaviour.traceIds.has('SKU-D'));
    let closed = false;
    const closing = service.close().then(() => (closed = true));
    await waitFor(async () => (await fetch(`${service.httpUrl}/readyz`)).status === 503);
    expect(await grpcHealthStatus(service.grpcUrl)).toBe('NOT_SERVING');
    expect(closed).toBe(false);
    release();
    await closing;
    const dataSource = await reopen(service);
    try {
      expect(await dataSource.manager.findOneBy(StockTally, { sku: 'SKU-D' })).toMatchObject({ onHand: 5, effects: 1 });
    } finally {
      await dataSource.destroy();
    }
  });
});

// The service closed its DataSource; read its tables through a new one.
function reopen(service: RunningService): Promise<DataSource> {
  return createServiceDataSource(fixtureService, service.config);
}
