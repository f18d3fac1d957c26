// Publishes what business transactions wrote to the outbox (docs/adr/0012). A commit hands its
// rows to the relay of its DataSource (`Outbox.add` does it after the commit): the relay publishes
// them from memory at once and deletes them once the broker confirmed them, one statement. The
// sweep reads the table itself: at start-up (rows left by a crash), after a failed publish, and
// every `pollIntervalMs` for rows older than `staleAfterMs` that no relay took (a crash between
// commit and publish, another replica's rows).
import { claimedKeys, columnParameter, SqlParameters, withAutocommit, withTransaction } from '@retail-mesh/persistence';
import { type DataSource, type EntityManager } from 'typeorm';
import type { BusMessage, EventBus } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../event-bus-hooks.js';
import { WakeSignal } from '../loops/wake-signal.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';

export const DEFAULT_OUTBOX_BATCH_SIZE = 500;
export const DEFAULT_OUTBOX_POLL_INTERVAL_MS = 1000;
export const DEFAULT_OUTBOX_RETRY_DELAYS_MS = [250, 1000, 5000, 15000];
export const DEFAULT_OUTBOX_STALE_AFTER_MS = 10_000;

/** Optional hooks for metrics; every method is optional. */
export interface OutboxRelayObserver {
  /** A batch was confirmed by the broker and deleted from the outbox. */
  published?(count: number): void;
  /** Publishing a batch failed; its rows stay and are retried after a delay. */
  failed?(error: unknown): void;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  bus: EventBus;
  /** Rows per `bus.publish` call. Default 500. */
  batchSize?: number;
  /**
   * Batches published at once (PostgreSQL only: SQLite always one). Default 2: rows committed
   * while a batch waits for its confirms go out at once instead of after it.
   */
  batchesInFlight?: number;
  /** How often the sweep looks for rows no relay published from memory. Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * Age after which the sweep takes a committed row: until then the relay of the process that
   * committed it is publishing it from memory. Default 10 s.
   */
  staleAfterMs?: number;
  /** Delay after consecutive failure n (index n-1; the last one repeats). Default [250, 1000, 5000, 15000]. */
  retryDelaysMs?: number[];
  logger?: BusLogger;
  observer?: OutboxRelayObserver;
}

export interface OutboxBacklog {
  /** Rows not yet published. */
  count: number;
  /** Age of the oldest unpublished row; 0 when there is none. */
  oldestAgeSeconds: number;
}

/** A committed outbox row as its writer knows it: its position and the message. */
export interface OutboxEntry {
  seq: number;
  message: BusMessage;
}

interface QueuedEntry extends OutboxEntry {
  queuedAt: number;
}

type CycleOutcome = 'more' | 'caught-up' | 'idle' | 'failed';

/** One loop of the relay: it publishes a batch at a time. */
interface Lane {
  consecutiveFailures: number;
}

// One relay per DataSource in a process: two would publish the same rows twice on SQLite.
const running = new WeakMap<DataSource, OutboxRelay>();

/** Hands rows a transaction of `dataSource` committed to the relay running on it, if any. */
export function publishCommitted(dataSource: DataSource, entries: OutboxEntry[]): void {
  running.get(dataSource)?.committed(entries);
}

export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly bus: EventBus;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly retryDelaysMs: number[];
  private readonly logger: BusLogger;
  private readonly observer: OutboxRelayObserver;
  private readonly lanes: Lane[];
  private loop: Promise<void> | undefined;
  /** Shared by the lanes; a new one per start, as stop() ends it for good. */
  private signal = new WakeSignal();
  /** Rows this process committed, to publish now. */
  private queued: QueuedEntry[] = [];
  /**
   * While set, sweeps also take the rows committed before this time, however fresh: at start-up
   * the rows left from before it (a crash), after a failed publish every row (Infinity).
   */
  private catchUpBefore: number | undefined;
  /** While publishing fails, commits are left to the sweep: a broker outage is retried from the table alone. */
  private failing = false;
  private nextSweepAt = 0;

  constructor(options: OutboxRelayOptions) {
    if (!options.dataSource.hasMetadata(OutboxMessage)) {
      throw new Error('the DataSource lacks the outbox: add OutboxMessage to its entities and OUTBOX_MIGRATIONS to its migrations');
    }
    this.dataSource = options.dataSource;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_OUTBOX_POLL_INTERVAL_MS;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_OUTBOX_STALE_AFTER_MS;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_OUTBOX_RETRY_DELAYS_MS;
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
    const batchesInFlight = options.dataSource.options.type === 'postgres' ? (options.batchesInFlight ?? 2) : 1;
    this.lanes = Array.from({ length: batchesInFlight }, () => ({ consecutiveFailures: 0 }));
  }

  /** Starts the loop; it first sweeps the rows committed before (rows left by a crash). */
  start(): void {
    if (this.loop !== undefined) return;
    const other = running.get(this.dataSource);
    if (other !== undefined) throw new Error('an OutboxRelay is already running on this DataSource');
    running.set(this.dataSource, this);
    const signal = new WakeSignal();
    this.signal = signal;
    this.catchUpBefore = Date.now();
    this.nextSweepAt = 0;
    this.loop = Promise.all(this.lanes.map((lane) => this.run(lane, signal))).then(() => undefined);
  }

  /** Rows a transaction on this relay's DataSource committed (`Outbox.add` calls it): publishes them now. */
  committed(entries: OutboxEntry[]): void {
    if (this.loop === undefined || this.failing || entries.length === 0) return;
    const queuedAt = Date.now();
    for (const entry of entries) this.queued.push({ ...entry, queuedAt });
    // One idle lane takes them now; busy lanes look again after their batch.
    this.signal.wake();
  }

  /**
   * Stops the loop: the batch in flight completes, then what was committed before the call is
   * published (until the outbox is empty or a publish fails; failed rows wait for the next start).
   */
  async stop(): Promise<void> {
    if (this.loop === undefined) return;
    this.signal.stop();
    await this.loop;
    this.loop = undefined;
    this.queued = [];
    running.delete(this.dataSource);
  }

  /** Unpublished rows and the age of the oldest, for a backlog gauge and alert. */
  async backlog(): Promise<OutboxBacklog> {
    const repository = this.dataSource.getRepository(OutboxMessage);
    const [count, oldest] = await Promise.all([
      repository.count(),
      repository.findOne({ where: {}, order: { seq: 'ASC' }, select: { seq: true, createdAt: true } }),
    ]);
    const oldestAgeSeconds = oldest === null ? 0 : Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000);
    return { count, oldestAgeSeconds };
  }

  private async run(lane: Lane, signal: WakeSignal): Promise<void> {
    while (!signal.isStopped) {
      const seen = signal.checkpoint();
      const outcome = await this.cycle(lane, false);
      // SQLite and the in-process bus never wait for I/O: let timers, sockets and consumers run
      // between batches of a large backlog.
      if (outcome === 'more') await new Promise<void>((resolve) => setImmediate(resolve));
      else if (outcome === 'failed') await signal.sleep(this.retryDelay(lane), { wakeable: false });
      else await signal.sleep(Math.max(0, this.nextSweepAt - Date.now()), { wakeable: true, since: seen });
    }
    // Drain: publish what was committed before stop() was called.
    let outcome: CycleOutcome;
    do outcome = await this.cycle(lane, true);
    while (outcome === 'more');
  }

  /** Publishes one batch: rows committed in this process first, else what the sweep finds when it is due. */
  private async cycle(lane: Lane, draining: boolean): Promise<CycleOutcome> {
    const fromMemory = this.takeQueued();
    const sweeping = fromMemory.length === 0 && (draining || this.catchUpBefore !== undefined || Date.now() >= this.nextSweepAt);
    if (fromMemory.length === 0 && !sweeping) return 'idle';
    // The other lanes leave a due sweep to this one.
    if (sweeping) this.nextSweepAt = Date.now() + this.pollIntervalMs;
    let published: number;
    try {
      published = fromMemory.length > 0 ? await this.publishQueued(fromMemory) : await this.sweep(this.sweepCutoff());
    } catch (error) {
      lane.consecutiveFailures += 1;
      // Everything committed meanwhile is in the table: the sweep takes over until a publish succeeds.
      this.failing = true;
      this.queued = [];
      this.catchUpBefore = Number.POSITIVE_INFINITY;
      this.logger.error(
        { err: error, consecutiveFailures: lane.consecutiveFailures },
        'outbox relay: publishing failed; the messages stay in the outbox and are retried',
      );
      this.observer.failed?.(error);
      return 'failed';
    }
    lane.consecutiveFailures = 0;
    if (published > 0) this.observer.published?.(published);
    if (!sweeping) return this.queued.length > 0 ? 'more' : 'caught-up';
    if (published === this.batchSize) {
      this.nextSweepAt = 0;
      return 'more';
    }
    if (this.failing) {
      // Caught up after a failure: commits go through memory again, and one more sweep takes
      // those made while they did not.
      this.failing = false;
      return 'more';
    }
    this.catchUpBefore = undefined;
    return 'caught-up';
  }

  /**
   * Up to where a sweep takes rows: committed before the catch-up time or older than the stale age;
   * undefined for every row.
   */
  private sweepCutoff(): Date | undefined {
    const stale = Date.now() - this.staleAfterMs;
    if (this.catchUpBefore === undefined) return new Date(stale);
    return this.catchUpBefore === Number.POSITIVE_INFINITY ? undefined : new Date(Math.max(this.catchUpBefore, stale));
  }

  /**
   * The next batch of rows committed in this process. Those queued longer than half the stale
   * age are left to the sweep, which may take them from then on: a row goes out one way or the other.
   */
  private takeQueued(): OutboxEntry[] {
    const freshFrom = Date.now() - this.staleAfterMs / 2;
    const firstFresh = this.queued.findIndex((entry) => entry.queuedAt >= freshFrom);
    this.queued.splice(0, firstFresh === -1 ? this.queued.length : firstFresh);
    return this.queued.splice(0, this.batchSize);
  }

  /** Publishes rows this process committed, then deletes them: one statement, no transaction. */
  private async publishQueued(batch: OutboxEntry[]): Promise<number> {
    try {
      await this.bus.publish(batch.map((entry) => entry.message));
    } catch (error) {
      await this.countFailedAttempt(batch);
      throw error;
    }
    try {
      await withAutocommit(this.dataSource, (manager) => this.deletePublished(manager, batch));
    } catch (error) {
      // Published all the same: the sweep will publish these rows again once stale, which the consumers absorb.
      this.logger.warn({ err: error }, 'outbox relay: could not delete published rows; the sweep will publish them again');
    }
    return batch.length;
  }

  /** Publishes rows from the table committed before `olderThan` (every row when undefined). */
  private async sweep(olderThan: Date | undefined): Promise<number> {
    let batch: OutboxEntry[] = [];
    try {
      if (this.dataSource.options.type === 'postgres') {
        // Rows are claimed (deleted, and so locked) in one statement and the delete commits only
        // once the broker confirmed them: replicas sweeping too skip locked rows and take the
        // next ones; a crash or failure rolls back and restores them for the next attempt.
        return await withTransaction(this.dataSource, async (manager) => {
          batch = await this.claimUnpublished(manager, olderThan);
          if (batch.length > 0) await this.bus.publish(batch.map((row) => row.message));
          return batch.length;
        });
      }
      // SQLite: one process, one relay. Publish outside a transaction so the single writer is not
      // held while the broker confirms.
      batch = await withTransaction(this.dataSource, (manager) => this.unpublished(manager, olderThan));
      if (batch.length > 0) {
        await this.bus.publish(batch.map((row) => row.message));
        await withTransaction(this.dataSource, (manager) => this.deletePublished(manager, batch));
      }
      return batch.length;
    } catch (error) {
      // After the batch's transaction has ended: on PostgreSQL it held these rows' locks.
      if (batch.length > 0) await this.countFailedAttempt(batch);
      throw error;
    }
  }

  /** SQLite: the oldest unpublished rows, read by hand (entity hydration cost more than the query). */
  private async unpublished(manager: EntityManager, olderThan: Date | undefined): Promise<OutboxEntry[]> {
    const parameters: unknown[] = [this.batchSize];
    if (olderThan !== undefined) parameters.unshift(this.createdAtParameter(olderThan));
    const rows: OutboxRow[] = await manager.query(
      `SELECT seq, id, routing_key, body, headers FROM ${OUTBOX_TABLE} ${olderThan === undefined ? '' : 'WHERE created_at <= ?'} ORDER BY seq LIMIT ?`,
      parameters,
    );
    return rows.map(toOutboxEntry);
  }

  /**
   * PostgreSQL: deletes the oldest rows not locked by another relay and returns them, in seq
   * order; the caller publishes them before its transaction commits. The delete finds the claimed
   * seqs by primary key (`claimedKeys`); the claim itself needs no help: the planner scales its row
   * estimate to the table's current size, so a backlog is read from the index in seq order even
   * with statistics taken while the outbox was empty (a small table is sorted, which costs nothing).
   */
  private async claimUnpublished(manager: EntityManager, olderThan: Date | undefined): Promise<OutboxEntry[]> {
    const parameters: unknown[] = [this.batchSize];
    if (olderThan !== undefined) parameters.push(olderThan);
    // The structured result: TypeORM answers a PostgreSQL DELETE with [rows, count] otherwise.
    const { records } = await manager.queryRunner!.query(
      `DELETE FROM ${OUTBOX_TABLE}
       WHERE ${claimedKeys(this.dataSource, 'seq', `SELECT seq FROM ${OUTBOX_TABLE} ${olderThan === undefined ? '' : 'WHERE created_at <= $2'} ORDER BY seq LIMIT $1`)}
       RETURNING seq, id, routing_key, body, headers`,
      parameters,
      true,
    );
    return (records as OutboxRow[]).map(toOutboxEntry).sort((a, b) => a.seq - b.seq);
  }

  /** Records the failed attempt on the rows, which stay for the next one (for inspection); best effort. */
  private async countFailedAttempt(batch: OutboxEntry[]): Promise<void> {
    try {
      await withTransaction(this.dataSource, (manager) =>
        manager
          .createQueryBuilder()
          .update(OutboxMessage)
          .set({ attempts: () => 'attempts + 1' })
          .where('seq IN (:...seqs)', { seqs: batch.map((row) => row.seq) })
          .execute(),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay: could not record the failed attempt');
    }
  }

  /** The broker confirmed `rows`, so they leave the outbox. */
  private async deletePublished(manager: EntityManager, rows: OutboxEntry[]): Promise<void> {
    const parameters = SqlParameters.for(this.dataSource);
    const seqs = parameters.inList(rows.map((row) => row.seq));
    await manager.query(`DELETE FROM ${OUTBOX_TABLE} WHERE seq ${seqs}`, parameters.values);
  }

  private createdAtParameter(value: Date): unknown {
    return columnParameter(this.dataSource, OutboxMessage, 'createdAt', value);
  }

  private retryDelay(lane: Lane): number {
    const index = Math.min(lane.consecutiveFailures, this.retryDelaysMs.length) - 1;
    return this.retryDelaysMs[Math.max(index, 0)] ?? 0;
  }
}

interface OutboxRow {
  seq: string | number;
  id: string;
  routing_key: string;
  body: Buffer;
  headers: string;
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    seq: Number(row.seq),
    message: { id: row.id, routingKey: row.routing_key, body: row.body, headers: JSON.parse(row.headers) as Record<string, string> },
  };
}
