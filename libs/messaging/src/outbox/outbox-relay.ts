// Publishes what business transactions wrote to the outbox. Woken right after a commit
// (`wake()`), with a slow poll as the backstop for a wake that never came (a crash between
// commit and wake, another replica's rows, a failed attempt).
import { columnParameter, Placeholders, withTransaction } from '@retail-mesh/persistence';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { BusMessage, EventBus } from '../event-bus.js';
import { silentLogger, type BusLogger } from '../event-bus-hooks.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';

export const DEFAULT_OUTBOX_BATCH_SIZE = 500;
export const DEFAULT_OUTBOX_POLL_INTERVAL_MS = 1000;
export const DEFAULT_OUTBOX_RETRY_DELAYS_MS = [250, 1000, 5000, 15000];
export const DEFAULT_OUTBOX_RETENTION_MS = 60 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 1000;

/** Optional hooks for metrics; every method is optional. */
export interface OutboxRelayObserver {
  /** A batch was confirmed by the broker and marked published. */
  published?(count: number): void;
  /** Publishing a batch failed; its rows stay and are retried after a delay. */
  failed?(error: unknown): void;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  bus: EventBus;
  /** Rows per `bus.publish` call. Default 500. */
  batchSize?: number;
  /** The backstop poll when nobody calls `wake()`. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Delay after consecutive failure n (index n-1; the last one repeats). Default [250, 1000, 5000, 15000]. */
  retryDelaysMs?: number[];
  /** How long published rows are kept for inspection before the relay deletes them. Default 1 h. */
  retentionMs?: number;
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

interface Sleep {
  /** Whether `wake()` may cut it short (not a back-off after a failure). */
  wakeable: boolean;
  finish(): void;
}

// One relay per DataSource in a process: two would publish the same rows twice on SQLite.
const running = new WeakMap<DataSource, OutboxRelay>();

export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly bus: EventBus;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryDelaysMs: number[];
  private readonly retentionMs: number;
  private readonly logger: BusLogger;
  private readonly observer: OutboxRelayObserver;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeRequested = false;
  private sleep: Sleep | undefined;
  private consecutiveFailures = 0;
  private lastPurgeAt = 0;

  constructor(options: OutboxRelayOptions) {
    if (!options.dataSource.hasMetadata(OutboxMessage)) {
      throw new Error(
        'the DataSource lacks the outbox: add OutboxMessage to its entities and CreateOutboxMessages1764201600000 to its migrations',
      );
    }
    this.dataSource = options.dataSource;
    this.bus = options.bus;
    this.batchSize = options.batchSize ?? DEFAULT_OUTBOX_BATCH_SIZE;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_OUTBOX_POLL_INTERVAL_MS;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_OUTBOX_RETRY_DELAYS_MS;
    this.retentionMs = options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS;
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
  }

  /** Starts the loop; it first publishes whatever is already waiting (rows left by a crash). */
  start(): void {
    if (this.loop !== undefined) return;
    const other = running.get(this.dataSource);
    if (other !== undefined) throw new Error('an OutboxRelay is already running on this DataSource');
    running.set(this.dataSource, this);
    this.stopping = false;
    this.loop = this.run();
  }

  /** Publishes soon: call it after a transaction that added outbox messages has committed. */
  wake(): void {
    this.wakeRequested = true;
    if (this.sleep?.wakeable) this.sleep.finish();
  }

  /**
   * Stops the loop: the batch in flight completes, then what was committed before the call is
   * published (until the outbox is empty or a publish fails; failed rows wait for the next start).
   */
  async stop(): Promise<void> {
    if (this.loop === undefined) return;
    this.stopping = true;
    this.sleep?.finish();
    await this.loop;
    this.loop = undefined;
    running.delete(this.dataSource);
  }

  /** Unpublished rows and the age of the oldest, for a backlog gauge and alert. */
  async backlog(): Promise<OutboxBacklog> {
    const repository = this.dataSource.getRepository(OutboxMessage);
    const [count, oldest] = await Promise.all([
      repository.countBy({ publishedAt: IsNull() }),
      repository.findOne({ where: { publishedAt: IsNull() }, order: { seq: 'ASC' }, select: { seq: true, createdAt: true } }),
    ]);
    const oldestAgeSeconds = oldest === null ? 0 : Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000);
    return { count, oldestAgeSeconds };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      const outcome = await this.cycle();
      // SQLite and the in-process bus never wait for I/O: let timers, sockets and consumers run
      // between batches of a large backlog.
      if (outcome === 'more') await new Promise<void>((resolve) => setImmediate(resolve));
      if (outcome === 'more' || this.stopping) continue;
      if (outcome === 'failed') await this.pause(this.retryDelay(), false);
      else if (!this.wakeRequested) await this.pause(this.pollIntervalMs, true);
    }
    // Drain: publish what was committed before stop() was called.
    let outcome: CycleOutcome;
    do outcome = await this.cycle();
    while (outcome === 'more');
  }

  private async cycle(): Promise<CycleOutcome> {
    let published: number;
    try {
      published = await this.publishBatch();
    } catch (error) {
      this.consecutiveFailures += 1;
      this.logger.error(
        { err: error, consecutiveFailures: this.consecutiveFailures },
        'outbox relay: publishing failed; the messages stay in the outbox and are retried',
      );
      this.observer.failed?.(error);
      return 'failed';
    }
    this.consecutiveFailures = 0;
    if (published > 0) this.observer.published?.(published);
    if (published === this.batchSize) return 'more';
    await this.purgeIfDue();
    return 'caught-up';
  }

  private async publishBatch(): Promise<number> {
    let batch: BusMessageRow[] = [];
    try {
      if (this.dataSource.options.type === 'postgres') {
        // Rows are claimed (marked, and locked) in one statement and the mark commits only once
        // the broker confirmed them: replicas running their own relay skip locked rows and take
        // the next ones; a crash or failure rolls back and unlocks them for the next attempt.
        return await withTransaction(this.dataSource, async (manager) => {
          // The partial index yields unpublished rows in seq order. Statistics taken while the
          // outbox was nearly empty make the planner sort the whole backlog for every batch instead.
          await manager.query('SET LOCAL enable_sort = off');
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
        await withTransaction(this.dataSource, (manager) => this.markPublished(manager, batch));
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
    const rows: OutboxRow[] = await manager.query(
      `SELECT seq, id, routing_key, body, headers FROM ${OUTBOX_TABLE} WHERE published_at IS NULL ORDER BY seq LIMIT ?`,
      [this.batchSize],
    );
    return rows.map(toBusMessageRow);
  }

  /**
   * PostgreSQL: marks the oldest unpublished rows not locked by another relay as published and
   * returns them, in seq order; the caller publishes them before its transaction commits.
   */
  private async claimUnpublished(manager: EntityManager): Promise<BusMessageRow[]> {
    // The structured result: TypeORM answers a PostgreSQL UPDATE with [rows, count] otherwise.
    const { records } = await manager.queryRunner!.query(
      `UPDATE ${OUTBOX_TABLE} SET published_at = $1, attempts = attempts + 1
       WHERE seq IN (SELECT seq FROM ${OUTBOX_TABLE} WHERE published_at IS NULL ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING seq, id, routing_key, body, headers`,
      [new Date(), this.batchSize],
      true,
    );
    return (records as OutboxRow[]).map(toBusMessageRow).sort((a, b) => a.seq - b.seq);
  }

  /** Records the attempt for inspection (`attempts` on rows still unpublished); best effort. */
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

  /** SQLite: records that the broker confirmed `rows`. */
  private async markPublished(manager: EntityManager, rows: BusMessageRow[]): Promise<void> {
    const seqs = Placeholders.for(this.dataSource).list(rows.length);
    await manager.query(`UPDATE ${OUTBOX_TABLE} SET published_at = ?, attempts = attempts + 1 WHERE seq IN (${seqs})`, [
      columnParameter(this.dataSource, OutboxMessage, 'publishedAt', new Date()),
      ...rows.map((row) => row.seq),
    ]);
  }

  private async purgeIfDue(): Promise<void> {
    if (Date.now() - this.lastPurgeAt < PURGE_INTERVAL_MS) return;
    this.lastPurgeAt = Date.now();
    try {
      const cutoff = columnParameter(this.dataSource, OutboxMessage, 'publishedAt', new Date(Date.now() - this.retentionMs));
      await withTransaction(this.dataSource, (manager) =>
        manager.createQueryBuilder().delete().from(OutboxMessage).where('published_at <= :cutoff', { cutoff }).execute(),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox relay: could not delete old published messages');
    }
  }

  private retryDelay(): number {
    const index = Math.min(this.consecutiveFailures, this.retryDelaysMs.length) - 1;
    return this.retryDelaysMs[Math.max(index, 0)] ?? 0;
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.sleep = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.sleep = { wakeable, finish };
    });
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
