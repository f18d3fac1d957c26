// Publishes what business transactions wrote to the outbox. Woken right after a commit
// (`wake()`), with a slow poll as the backstop for a wake that never came (a crash between
// commit and wake, another replica's rows, a failed attempt).
import { SqlParameters, withTransaction } from '@retail-mesh/persistence';
import { type DataSource, type EntityManager } from 'typeorm';
import type { BusMessage, EventBus } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../event-bus-hooks.js';
import { WakeSignal } from '../loops/wake-signal.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';

export const DEFAULT_OUTBOX_BATCH_SIZE = 500;
export const DEFAULT_OUTBOX_POLL_INTERVAL_MS = 1000;
export const DEFAULT_OUTBOX_RETRY_DELAYS_MS = [250, 1000, 5000, 15000];

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
  /** The backstop poll when nobody calls `wake()`. Default 1000 ms. */
  pollIntervalMs?: number;
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

type CycleOutcome = 'more' | 'caught-up' | 'failed';

/** One loop of the relay: it claims, publishes and commits a batch at a time. */
interface Lane {
  consecutiveFailures: number;
}

// One relay per DataSource in a process: two would publish the same rows twice on SQLite.
const running = new WeakMap<DataSource, OutboxRelay>();

export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly bus: EventBus;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryDelaysMs: number[];
  private readonly logger: BusLogger;
  private readonly observer: OutboxRelayObserver;
  private readonly lanes: Lane[];
  private loop: Promise<void> | undefined;
  /** Shared by the lanes; a new one per start, as stop() ends it for good. */
  private signal = new WakeSignal();

  constructor(options: OutboxRelayOptions) {
    if (!options.dataSource.hasMetadata(OutboxMessage)) {
      throw new Error('the DataSource lacks the outbox: add OutboxMessage to its entities and OUTBOX_MIGRATIONS to its migrations');
    }
    this.dataSource = options.dataSource;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_OUTBOX_POLL_INTERVAL_MS;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_OUTBOX_RETRY_DELAYS_MS;
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
    const batchesInFlight = options.dataSource.options.type === 'postgres' ? (options.batchesInFlight ?? 2) : 1;
    this.lanes = Array.from({ length: batchesInFlight }, () => ({ consecutiveFailures: 0 }));
  }

  /** Starts the loop; it first publishes whatever is already waiting (rows left by a crash). */
  start(): void {
    if (this.loop !== undefined) return;
    const other = running.get(this.dataSource);
    if (other !== undefined) throw new Error('an OutboxRelay is already running on this DataSource');
    running.set(this.dataSource, this);
    const signal = new WakeSignal();
    this.signal = signal;
    this.loop = Promise.all(this.lanes.map((lane) => this.run(lane, signal))).then(() => undefined);
  }

  /** Publishes soon: call it after a transaction that added outbox messages has committed. */
  wake(): void {
    // One idle lane takes the new rows now; busy lanes look again after their batch.
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
      const outcome = await this.cycle(lane);
      // SQLite and the in-process bus never wait for I/O: let timers, sockets and consumers run
      // between batches of a large backlog.
      if (outcome === 'more') await new Promise<void>((resolve) => setImmediate(resolve));
      else if (outcome === 'failed') await signal.sleep(this.retryDelay(lane), { wakeable: false });
      else await signal.sleep(this.pollIntervalMs, { wakeable: true, since: seen });
    }
    // Drain: publish what was committed before stop() was called.
    let outcome: CycleOutcome;
    do outcome = await this.cycle(lane);
    while (outcome === 'more');
  }

  private async cycle(lane: Lane): Promise<CycleOutcome> {
    let published: number;
    try {
      published = await this.publishBatch();
    } catch (error) {
      lane.consecutiveFailures += 1;
      this.logger.error(
        { err: error, consecutiveFailures: lane.consecutiveFailures },
        'outbox relay: publishing failed; the messages stay in the outbox and are retried',
      );
      this.observer.failed?.(error);
      return 'failed';
    }
    lane.consecutiveFailures = 0;
    if (published > 0) this.observer.published?.(published);
    return published === this.batchSize ? 'more' : 'caught-up';
  }

  private async publishBatch(): Promise<number> {
    let batch: BusMessageRow[] = [];
    try {
      if (this.dataSource.options.type === 'postgres') {
        // Rows are claimed (deleted, and so locked) in one statement and the delete commits only
        // once the broker confirmed them: replicas running their own relay skip locked rows and
        // take the next ones; a crash or failure rolls back and restores them for the next attempt.
        return await withTransaction(this.dataSource, async (manager) => {
          batch = await this.claimUnpublished(manager);
          if (batch.length > 0) await this.bus.publish(batch.map((row) => row.message));
          return batch.length;
        });
      }
      // SQLite: one process, one relay. Publish outside a transaction so the single writer is not
      // held while the broker confirms.
      batch = await withTransaction(this.dataSource, (manager) => this.unpublished(manager));
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

  /** SQLite: the oldest unpublished rows, read by hand (the relay's hot path; entity hydration cost more than the query). */
  private async unpublished(manager: EntityManager): Promise<BusMessageRow[]> {
    const rows: OutboxRow[] = await manager.query(`SELECT seq, id, routing_key, body, headers FROM ${OUTBOX_TABLE} ORDER BY seq LIMIT ?`, [
      this.batchSize,
    ]);
    return rows.map(toBusMessageRow);
  }

  /**
   * PostgreSQL: deletes the oldest rows not locked by another relay and returns them, in seq
   * order; the caller publishes them before its transaction commits. A delete writes far less
   * than marking the rows published and purging them later.
   *
   * `seq = ANY(ARRAY(...))` rather than `seq IN (...)`: the claimed seqs become one array, so the
   * delete always looks them up by primary key, whatever the statistics say. With `IN` the planner
   * hash-joins the claim with a scan of the whole table while it holds a few thousand rows. The
   * claim itself needs no help: the planner scales its row estimate to the table's current size,
   * so a backlog is read from the index in seq order even with statistics taken while the outbox
   * was empty (a small table is sorted, which costs nothing).
   */
  private async claimUnpublished(manager: EntityManager): Promise<BusMessageRow[]> {
    // The structured result: TypeORM answers a PostgreSQL DELETE with [rows, count] otherwise.
    const { records } = await manager.queryRunner!.query(
      `DELETE FROM ${OUTBOX_TABLE}
       WHERE seq = ANY(ARRAY(SELECT seq FROM ${OUTBOX_TABLE} ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED))
       RETURNING seq, id, routing_key, body, headers`,
      [this.batchSize],
      true,
    );
    return (records as OutboxRow[]).map(toBusMessageRow).sort((a, b) => a.seq - b.seq);
  }

  /** Records the failed attempt on the rows, which stay for the next one (for inspection); best effort. */
  private async countFailedAttempt(batch: BusMessageRow[]): Promise<void> {
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

  /** SQLite: the broker confirmed `rows`, so they leave the outbox. */
  private async deletePublished(manager: EntityManager, rows: BusMessageRow[]): Promise<void> {
    const parameters = SqlParameters.for(this.dataSource);
    const seqs = parameters.list(rows.map((row) => row.seq));
    await manager.query(`DELETE FROM ${OUTBOX_TABLE} WHERE seq IN (${seqs})`, parameters.values);
  }

  private retryDelay(lane: Lane): number {
    const index = Math.min(lane.consecutiveFailures, this.retryDelaysMs.length) - 1;
    return this.retryDelaysMs[Math.max(index, 0)] ?? 0;
  }
}

/** An outbox row as the relay reads it: its position and the message. */
interface BusMessageRow {
  seq: number;
  message: BusMessage;
}

interface OutboxRow {
  seq: string | number;
  id: string;
  routing_key: string;
  body: Buffer;
  headers: string;
}

function toBusMessageRow(row: OutboxRow): BusMessageRow {
  return {
    seq: Number(row.seq),
    message: { id: row.id, routingKey: row.routing_key, body: row.body, headers: JSON.parse(row.headers) as Record<string, string> },
  };
}
