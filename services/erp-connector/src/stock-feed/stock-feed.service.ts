import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventBus } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { EVENT_BUS, LOGGER, OutboxPublisher } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ErpStockFeedClient } from '../erp-client/erp-stock-feed.client.js';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { ErpStockPositionRepository } from '../erp-stock/erp-stock-position.repository.js';
import { FeedCursorConflictError, FeedCursorRepository, type FeedCursor } from '../feed-cursor/feed-cursor.repository.js';
import { rejectedRecordMessage, toStockChangedEvent } from './stock-changed.mapper.js';
import { parseStockFeedRecord, type StockFeedChange } from './stock-feed-record.js';

export const STOCK_FEED = 'stock';
/** Rejected feed records go to `<this>.dlq`, where operations can read them. */
export const STOCK_FEED_QUEUE = 'erp-connector.stock-feed';

// Wait after a failed poll, doubling per consecutive failure up to the maximum. The HTTP client
// has already retried transient errors by then: this is for an ERP that stays down.
const ERROR_BACKOFF_MS = 500;
const MAX_ERROR_BACKOFF_MS = 30_000;

export interface PageResult {
  published: number;
  rejected: number;
  /** Records at or below the last published version (an ERP re-sending history): dropped. */
  duplicates: number;
  hasMore: boolean;
  /** How far behind the ERP the connector is: age of the newest change read while more are waiting, else 0. */
  lagSeconds: number;
}

export interface StockFeedStatus {
  lastPolledAt: Date | null;
  /** Empty when the last poll succeeded. */
  lastError: string;
}

/**
 * Follows the ERP's stock change feed. Each page: rejected records are dead-lettered first (so
 * nothing is lost if we crash before the cursor moves: at worst a record is dead-lettered twice),
 * then the StockChanged events and the new cursor commit in one transaction and the relay is
 * woken. A restart resumes from the committed cursor; a page whose transaction did not commit is
 * read again (with the same, feed-derived event ids). Failures never move the cursor.
 */
@Injectable()
export class StockFeedService implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: Promise<void> | undefined;
  private stopping = new AbortController();
  private readonly state: StockFeedStatus = { lastPolledAt: null, lastError: '' };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly feed: ErpStockFeedClient,
    private readonly cursors: FeedCursorRepository,
    private readonly erpStock: ErpStockPositionRepository,
    private readonly outbox: OutboxPublisher,
    private readonly metrics: ErpConnectorMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ERP_CONNECTOR_SETTINGS) private readonly settings: ErpConnectorSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.loop !== undefined) return;
    this.stopping = new AbortController();
    this.loop = this.run();
  }

  /** Stops after the page in progress (its transaction commits or rolls back); the relay, stopped after us, flushes it. */
  async onApplicationShutdown(): Promise<void> {
    if (this.loop === undefined) return;
    this.stopping.abort();
    await this.loop;
    this.loop = undefined;
  }

  status(): StockFeedStatus {
    return { ...this.state };
  }

  /** Reads and commits one page after the stored cursor. */
  async pollOnce(): Promise<PageResult> {
    const cursor = await this.cursors.load(this.dataSource.manager, STOCK_FEED);
    const page = await this.feed.readPage(cursor.afterCursor, this.settings.feedPageSize, this.stopping.signal);
    const changes: StockFeedChange[] = [];
    const seen = new Set<string>();
    let rejected = 0;
    let duplicates = 0;
    for (const [index, raw] of page.items.entries()) {
      const parsed = parseStockFeedRecord(raw);
      if (!parsed.ok) {
        await this.bus.deadLetter(
          STOCK_FEED_QUEUE,
          rejectedRecordMessage(raw, { feedId: parsed.feedId, after: cursor.afterCursor, index }),
          parsed.reason,
        );
        this.logger.warn(
          { feedId: parsed.feedId, after: cursor.afterCursor, index, reason: parsed.reason },
          'stock feed: record rejected and dead-lettered',
        );
        rejected += 1;
      } else if (Number(parsed.change.feedId) <= cursor.lastVersion || seen.has(parsed.change.feedId)) {
        duplicates += 1;
      } else {
        seen.add(parsed.change.feedId);
        changes.push(parsed.change);
      }
    }

    if (page.nextCursor !== cursor.afterCursor) {
      const next = nextCursor(cursor, page.nextCursor, changes);
      await withTransaction(this.dataSource, async (manager) => {
        // The cursor first: a second poller that read the same page waits here for our commit,
        // then finds the cursor moved and rolls back before writing anything.
        await this.cursors.advance(manager, STOCK_FEED, cursor, next);
        await this.outbox.add(manager, changes.map(toStockChangedEvent));
        await this.erpStock.record(manager, changes);
      });
      if (changes.length > 0) this.outbox.wake();
    }
    const newest = changes.at(-1);
    const lagSeconds = page.hasMore && newest !== undefined ? Math.max(0, (Date.now() - newest.changedAt.getTime()) / 1000) : 0;
    return { published: changes.length, rejected, duplicates, hasMore: page.hasMore && page.items.length > 0, lagSeconds };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      let delayMs = this.settings.pollIntervalMs;
      try {
        const result = await this.pollOnce();
        failures = 0;
        this.state.lastPolledAt = new Date();
        this.state.lastError = '';
        this.metrics.pageRead(result);
        // Keep reading while the ERP says more is waiting.
        if (result.hasMore) delayMs = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof FeedCursorConflictError) {
          this.logger.info({ err: error }, 'stock feed: another poller moved the cursor; reading after its position');
          delayMs = 0;
        } else {
          failures += 1;
          this.state.lastError = error instanceof Error ? error.message : String(error);
          this.metrics.pollFailed();
          this.logger.error(
            { err: error, consecutiveFailures: failures },
            'stock feed: poll failed; the cursor stays and the page is read again',
          );
          delayMs = Math.min(MAX_ERROR_BACKOFF_MS, ERROR_BACKOFF_MS * 2 ** (failures - 1));
        }
      }
      if (delayMs > 0) await pause(delayMs, this.stopping.signal);
    }
  }
}

function nextCursor(current: FeedCursor, afterCursor: string, changes: StockFeedChange[]): FeedCursor {
  let { lastVersion, lastChangeAt } = current;
  for (const change of changes) {
    const version = Number(change.feedId);
    if (version > lastVersion) {
      lastVersion = version;
      lastChangeAt = change.changedAt;
    }
  }
  return { afterCursor, lastVersion, lastChangeAt };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
