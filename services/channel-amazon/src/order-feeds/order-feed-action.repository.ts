import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@retail-mesh/persistence';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { dedupeKeyOf } from './order-feed.documents.js';
import { OrderFeedAction, type CancelItem, type OrderFeedActionKind } from './order-feed-action.entity.js';
import type { AdjustItem } from './payment-adjustment.js';

const MAX_ERROR_LENGTH = 1000;

export interface NewOrderFeedAction {
  channelAccountId: string;
  kind: OrderFeedActionKind;
  amazonOrderId: string;
  orderId: string;
  erpOrderId: string;
  cancelItems?: CancelItem[];
  adjustItems?: AdjustItem[];
  /** Instead of the one derived from kind, order and items (adjustments, and CancelOrder RPCs with a key). */
  dedupeKey?: string;
}

/** The order_feed_actions table: acknowledgements and cancellations queued for, or carried by, order feeds. */
export class OrderFeedActionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Queues the action in the caller's transaction unless the same one exists; returns the stored action either way. */
  async enqueue(manager: EntityManager, action: NewOrderFeedAction, now: Date): Promise<OrderFeedAction> {
    const dedupeKey = action.dedupeKey ?? dedupeKeyOf(action.kind, action.amazonOrderId, action.cancelItems);
    const existing = await manager.findOneBy(OrderFeedAction, { channelAccountId: action.channelAccountId, kind: action.kind, dedupeKey });
    if (existing) return existing;
    const row: OrderFeedAction = {
      id: randomUUID(),
      channelAccountId: action.channelAccountId,
      kind: action.kind,
      dedupeKey,
      amazonOrderId: action.amazonOrderId,
      orderId: action.orderId,
      erpOrderId: action.erpOrderId,
      cancelItems: action.cancelItems ?? null,
      adjustItems: action.adjustItems ?? null,
      state: 'pending',
      feedId: null,
      feedRecords: null,
      attempts: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await manager.insert(OrderFeedAction, row);
    } catch (error) {
      // The same action queued concurrently (a replica, the RPC and the consumer): it exists once.
      if (!isUniqueViolation(error)) throw error;
    }
    return row;
  }

  /** The action queued under this dedupe key, if any. */
  async find(channelAccountId: string, kind: OrderFeedActionKind, dedupeKey: string): Promise<OrderFeedAction | null> {
    return this.dataSource.getRepository(OrderFeedAction).findOneBy({ channelAccountId, kind, dedupeKey });
  }

  async get(id: string): Promise<OrderFeedAction | null> {
    return this.dataSource.getRepository(OrderFeedAction).findOneBy({ id });
  }

  async pending(channelAccountId: string, kind: OrderFeedActionKind, limit: number): Promise<OrderFeedAction[]> {
    return this.dataSource
      .getRepository(OrderFeedAction)
      .find({ where: { channelAccountId, kind, state: 'pending' }, order: { createdAt: 'ASC' }, take: limit });
  }

  async inFeed(feedId: string): Promise<OrderFeedAction[]> {
    return this.dataSource.getRepository(OrderFeedAction).find({ where: { feedId, state: 'submitted' } });
  }

  async markSubmitted(manager: EntityManager, feedId: string, records: ReadonlyMap<string, number[]>, now: Date): Promise<void> {
    for (const [id, feedRecords] of records) {
      await manager.update(OrderFeedAction, { id, state: 'pending' }, { state: 'submitted', feedId, feedRecords, updatedAt: now });
    }
  }

  async settle(manager: EntityManager, id: string, error: string | undefined, now: Date): Promise<void> {
    await manager.update(
      OrderFeedAction,
      { id },
      { state: error === undefined ? 'done' : 'failed', lastError: error?.slice(0, MAX_ERROR_LENGTH) ?? null, updatedAt: now },
    );
  }

  /** After a feed without verdict (FATAL): back in the queue, or failed once it used up its attempts. */
  async retry(
    manager: EntityManager,
    actions: readonly OrderFeedAction[],
    reason: string,
    maxAttempts: number,
    now: Date,
  ): Promise<{ retried: number; failed: number }> {
    let retried = 0;
    for (const action of actions) {
      const attempts = action.attempts + 1;
      const failed = attempts >= maxAttempts;
      await manager.update(
        OrderFeedAction,
        { id: action.id },
        {
          state: failed ? 'failed' : 'pending',
          feedId: null,
          feedRecords: null,
          attempts,
          lastError: reason.slice(0, MAX_ERROR_LENGTH),
          updatedAt: now,
        },
      );
      if (!failed) retried += 1;
    }
    return { retried, failed: actions.length - retried };
  }

  /** Amazon order ids of the account whose acknowledgement Amazon took. */
  async acknowledged(channelAccountId: string, amazonOrderIds: readonly string[]): Promise<Set<string>> {
    if (amazonOrderIds.length === 0) return new Set();
    const rows = await this.dataSource
      .getRepository(OrderFeedAction)
      .findBy({ channelAccountId, kind: 'acknowledge', state: 'done', amazonOrderId: In([...amazonOrderIds]) });
    return new Set(rows.map((row) => row.amazonOrderId));
  }
}
