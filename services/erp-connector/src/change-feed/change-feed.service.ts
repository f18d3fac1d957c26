import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventBus } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { EVENT_BUS, LOGGER, OutboxPublisher, type OutgoingEvent } from '@retail-mesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { isOwnFulfillmentRecord } from '../channel-fulfillments/item-fulfillment.mapper.js';
import { ErpChangeFeedClient } from '../erp-client/erp-change-feed.client.js';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { ErpStockPositionRepository } from '../erp-stock/erp-stock-position.repository.js';
import { FeedCursorConflictError, FeedCursorRepository, type FeedCursor } from '../feed-cursor/feed-cursor.repository.js';
import { OwnCancellationService } from '../order-cancellations/own-cancellation.service.js';
import { toOrderCancelledEvent, toShipmentCreatedEvent } from '../order-feed/order-events.mapper.js';
import { SalesOrderLinkRepository } from '../sales-orders/sales-order-link.repository.js';
import { toStockChangeBatchEvent } from '../stock-feed/stock-changed.mapper.js';
import type { StockFeedChange } from '../stock-feed/stock-feed-record.js';
import { parseFeedRecord, type FeedRecord, type FeedRecordType } from './feed-record.js';
import { deadLetterQueueOf, rejectedRecordMessage } from './rejected-record.js';

/** The cursor row of the change feed (named after the feed's first record type, kept for existing cursors). */
export const CHANGE_FEED = 'stock';

// Wait after a failed poll, doubling per consecutive failure up to the maximum. The HTTP client
// has already retried transient errors by then: this is for an ERP that stays down.
const ERROR_BACKOFF_MS = 500;
const MAX_ERROR_BACKOFF_MS = 30_000;

export type FeedRecordOutcome = 'published' | 'rejected' | 'duplicate' | 'ignored' | 'echo';

export interface PageResult {
  /**
   * Records of the page by type and outcome. `duplicate`: at or below the last published version;
   * `ignored`: a sales order the mesh did not create; `echo`: a cancellation the connector itself
   * asked for, or an item fulfillment it created, reported back.
   */
  records: Partial<Record<FeedRecordType | 'unknown', Partial<Record<FeedRecordOutcome, number>>>>;
  /** The page moved the cursor: changes are arriving, so the next page is read at once. */
  advanced: boolean;
  /** How far behind the ERP the connector is: age of the newest change read while more are waiting, else 0. */
  lagSeconds: number;
  /** Age of the page's oldest accepted change when its events committed (the first hop of every flow); unset without one. */
  committedChangeAgeSeconds?: number;
}

export interface ChangeFeedStatus {
  lastPolledAt: Date | null;
  /** Empty when the last poll succeeded. */
  lastError: string;
}

/**
 * Follows the ERP's change feed: the stock changes of a page become one erp.stock_change_batch, item fulfillments
 * erp.shipment_created and sales order cancellations erp.order_cancelled (for sales orders of a
 * mesh order: its id from the link table, else from the order's custom field). Each page:
 * rejected records are dead-lettered first (so nothing is lost if we crash before the cursor
 * moves: at worst a record is dead-lettered twice), then the events and the new cursor commit in
 * one transaction and the relay is woken. A restart resumes from the committed cursor; a page
 * whose transaction did not commit is read again (with the same, feed-derived event ids).
 * Failures never move the cursor. While pages keep moving the cursor the next one is read at once.
 */
@Injectable()
export class ChangeFeedService implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: Promise<void> | undefined;
  private stopping = new AbortController();
  private readonly state: ChangeFeedStatus = { lastPolledAt: null, lastError: '' };
  /** The cursor this poller last committed; read again after any failure (another replica may have moved it). */
  private knownCursor: FeedCursor | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly feed: ErpChangeFeedClient,
    private readonly cursors: FeedCursorRepository,
    private readonly erpStock: ErpStockPositionRepository,
    private readonly links: SalesOrderLinkRepository,
    private readonly ownCancellations: OwnCancellationService,
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

  status(): ChangeFeedStatus {
    return { ...this.state };
  }

  /** Reads and commits one page after the stored cursor. */
  async pollOnce(): Promise<PageResult> {
    try {
      return await this.readAndCommitPage();
    } catch (error) {
      this.knownCursor = undefined;
      throw error;
    }
  }

  private async readAndCommitPage(): Promise<PageResult> {
    // The compare-and-set in `advance` catches a cursor another poller moved since we committed ours.
    const cursor = this.knownCursor ?? (await this.cursors.load(this.dataSource.manager, CHANGE_FEED));
    const page = await this.feed.readPage(cursor.afterCursor, this.settings.feedPageSize, this.stopping.signal);
    const advanced = page.nextCursor !== cursor.afterCursor;
    const result: PageResult = { records: {}, advanced, lagSeconds: 0 };
    const count = (type: FeedRecordType | 'unknown', outcome: FeedRecordOutcome) => {
      const counts = (result.records[type] ??= {});
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    };

    const accepted: FeedRecord[] = [];
    const seen = new Set<string>();
    for (const [index, raw] of page.items.entries()) {
      // An item fulfillment the connector created for a channel's own shipment: orders has it
      // already (it is where it came from), and the channel shipped it; publishing it as
      // erp.shipment_created would ship the units twice. Recognised before validation, since such a
      // fulfillment may name no location (the channel's stock is not the ERP's).
      if (isOwnFulfillmentRecord(raw)) {
        this.logger.info(
          { after: cursor.afterCursor, index },
          'change feed: the connector’s own item fulfillment reported back; not published',
        );
        count('item_fulfillment', 'echo');
        continue;
      }
      const parsed = parseFeedRecord(raw);
      if (!parsed.ok) {
        await this.bus.deadLetter(
          deadLetterQueueOf(parsed.type),
          rejectedRecordMessage(raw, { feedId: parsed.feedId, after: cursor.afterCursor, index }, parsed.type),
          parsed.reason,
        );
        this.logger.warn(
          { feedId: parsed.feedId, type: parsed.type, after: cursor.afterCursor, index, reason: parsed.reason },
          'change feed: record rejected and dead-lettered',
        );
        count(parsed.type, 'rejected');
      } else if (Number(parsed.record.change.feedId) <= cursor.lastVersion || seen.has(parsed.record.change.feedId)) {
        count(parsed.record.type, 'duplicate');
      } else {
        seen.add(parsed.record.change.feedId);
        accepted.push(parsed.record);
      }
    }

    if (advanced) {
      const next = nextCursor(cursor, page.nextCursor, accepted);
      const stockChanges = accepted.flatMap((record) => (record.type === 'stock_change' ? [record.change] : []));
      await withTransaction(this.dataSource, async (manager) => {
        // The cursor first: a second poller that read the same page waits here for our commit,
        // then finds the cursor moved and rolls back before writing anything.
        await this.cursors.advance(manager, CHANGE_FEED, cursor, next);
        const events = await this.eventsOf(manager, accepted, stockChanges, count);
        await this.outbox.add(manager, events);
        await this.erpStock.record(manager, stockChanges);
      });
      this.knownCursor = next;
      // Feed order: the first accepted record is the oldest.
      const oldest = accepted[0];
      if (oldest !== undefined) result.committedChangeAgeSeconds = Math.max(0, (Date.now() - oldest.change.changedAt.getTime()) / 1000);
    } else {
      this.knownCursor = cursor;
    }
    const newest = accepted.at(-1);
    if (page.hasMore && newest !== undefined) result.lagSeconds = Math.max(0, (Date.now() - newest.change.changedAt.getTime()) / 1000);
    return result;
  }

  /** The events of the accepted records, feed order; order records of sales orders the mesh did not create are skipped. */
  private async eventsOf(
    manager: EntityManager,
    records: readonly FeedRecord[],
    stockChanges: readonly StockFeedChange[],
    count: (type: FeedRecordType, outcome: FeedRecordOutcome) => void,
  ): Promise<OutgoingEvent<unknown>[]> {
    const erpOrderIds = records.flatMap((record) => (record.type === 'stock_change' ? [] : [record.change.erpOrderId]));
    const orderIds = await this.links.orderIdsByErpOrderId(manager, erpOrderIds);
    const events: OutgoingEvent<unknown>[] = [];
    // The page's stock changes travel as one message (ADR 0007); orders' records one each.
    if (stockChanges.length > 0) events.push(toStockChangeBatchEvent(stockChanges));
    for (const record of records) {
      if (record.type === 'stock_change') {
        count(record.type, 'published');
        continue;
      }
      const orderId = orderIds.get(record.change.erpOrderId) ?? record.change.orderReference;
      if (orderId === null) {
        this.logger.info(
          { feedId: record.change.feedId, erpOrderId: record.change.erpOrderId, type: record.type },
          'change feed: not a sales order of the mesh; skipped',
        );
        count(record.type, 'ignored');
        continue;
      }
      if (record.type === 'item_fulfillment') {
        events.push(toShipmentCreatedEvent(record.change, orderId));
        count(record.type, 'published');
        continue;
      }
      // Only what the connector did not ask for itself is news (the rest would cancel units twice).
      const lines = await this.ownCancellations.notOwn(manager, record.change);
      if (lines.length === 0 && record.change.lines.length > 0) {
        this.logger.info(
          { feedId: record.change.feedId, erpOrderId: record.change.erpOrderId, orderId },
          'change feed: the connector’s own cancellation reported back; not published',
        );
        count(record.type, 'echo');
        continue;
      }
      events.push(toOrderCancelledEvent({ ...record.change, lines }, orderId));
      count(record.type, 'published');
    }
    return events;
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
        // Keep reading while changes arrive: the poll interval is the wait of a quiet feed, not a
        // pause between the pages of a busy one (it was, and set the first hop's latency under load).
        if (result.advanced) delayMs = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof FeedCursorConflictError) {
          this.logger.info({ err: error }, 'change feed: another poller moved the cursor; reading after its position');
          delayMs = 0;
        } else {
          failures += 1;
          this.state.lastError = error instanceof Error ? error.message : String(error);
          this.metrics.pollFailed();
          this.logger.error(
            { err: error, consecutiveFailures: failures },
            'change feed: poll failed; the cursor stays and the page is read again',
          );
          delayMs = Math.min(MAX_ERROR_BACKOFF_MS, ERROR_BACKOFF_MS * 2 ** (failures - 1));
        }
      }
      if (delayMs > 0) await pause(delayMs, this.stopping.signal);
    }
  }
}

function nextCursor(current: FeedCursor, afterCursor: string, records: readonly FeedRecord[]): FeedCursor {
  let { lastVersion, lastChangeAt } = current;
  for (const { change } of records) {
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
