// Sends queued acknowledgements, seller cancellations (whole items, acknowledgement feed) and order
// adjustments (units of an item that keeps units to ship, payment adjustment feed) to Amazon, one
// loop per account (lease 'order-feeds'). Pending actions of a kind are batched into one feed at
// most every AMAZON_ORDER_FEED_BATCH_MS (createFeed allows one feed every two minutes after its
// burst); a submitted feed is followed until Amazon processed it, then each action is settled
// from the processing report: done (an acknowledgement publishes channel.order_acknowledged in
// the same transaction) or failed with Amazon's message. A cancellation the report accepted is
// read back with getOrderItems: done once its items show no units to ship, else queued again. An
// adjustment is done once the report accepted it (a refund is not read back from the Orders API;
// the report is Amazon's verdict on it). A feed that ends FATAL puts its actions back in the queue
// (nothing of it was applied); both retries stop after AMAZON_ORDER_FEED_MAX_ATTEMPTS.
import { AccountWorker, StepFailure, type AccountStep, type StepOutcome } from '@retail-mesh/channel-kit';
import { Events, toTimestamp } from '@retail-mesh/contracts';
import type { OutboxPublisher } from '@retail-mesh/service-kit';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import type { FeedPurpose, FeedSubmission } from '../feeds/feed-submission.entity.js';
import type { FeedSubmissionRepository } from '../feeds/feed-submission.repository.js';
import { dutyLoopsConfig, type DutyDependencies } from '../workers/duty-loops.js';
import { itemsStillOpen } from '../order-events/order-events.mapper.js';
import {
  acknowledgementFeed,
  actionVerdicts,
  cancellationFeed,
  ORDER_FEED_CONTENT_TYPE,
  paymentAdjustmentFeed,
  ORDER_FEED_TYPE,
  readXmlProcessingReport,
  type OrderFeed,
} from './order-feed.documents.js';
import type { OrderFeedAction, OrderFeedActionKind } from './order-feed-action.entity.js';
import type { OrderFeedActionRepository } from './order-feed-action.repository.js';
import { PAYMENT_ADJUSTMENT_FEED_TYPE } from './payment-adjustment.js';

export const ORDER_FEEDS_DUTY = 'order-feeds';
const ACTIONS_PER_FEED = 1000;
const KINDS: readonly OrderFeedActionKind[] = ['acknowledge', 'cancel', 'adjust'];

export interface OrderFeedWorkerOptions {
  batchMs: number;
  feedPollIntervalMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  leaseTtlMs: number;
  failureBackoffMaxMs: number;
}

export interface OrderFeedWorkerDependencies extends DutyDependencies {
  actions: OrderFeedActionRepository;
  feeds: FeedSubmissionRepository;
  publisher: OutboxPublisher;
  options: OrderFeedWorkerOptions;
}

export class OrderFeedWorker extends AccountWorker {
  constructor(private readonly deps: OrderFeedWorkerDependencies) {
    super(dutyLoopsConfig(ORDER_FEEDS_DUTY, deps, { idleMs: deps.options.pollIntervalMs, waitMs: deps.options.feedPollIntervalMs }));
  }

  protected async step(loop: AccountStep): Promise<StepOutcome> {
    const { channelAccountId } = loop;
    let busy = false;
    for (const submission of await this.deps.feeds.open(channelAccountId, KINDS)) {
      if (!(await this.follow(loop, submission))) busy = true;
    }
    for (const kind of KINDS) {
      const pending = await this.deps.actions.pending(channelAccountId, kind, ACTIONS_PER_FEED);
      if (pending.length === 0) continue;
      // A feed's purpose is the kind of its actions.
      const last = await this.deps.feeds.lastSubmittedAt(channelAccountId, kind);
      if (last !== null && Date.now() - last.getTime() < this.deps.options.batchMs) {
        busy = true;
        continue;
      }
      await this.submit(loop, kind, pending);
      busy = true;
    }
    return busy ? 'wait' : 'idle';
  }

  private async submit(loop: AccountStep, kind: OrderFeedActionKind, actions: OrderFeedAction[]): Promise<void> {
    const { channelAccountId } = loop;
    const account = this.deps.accounts.get(channelAccountId);
    const feed: OrderFeed =
      kind === 'acknowledge'
        ? acknowledgementFeed(account.sellerId, actions)
        : kind === 'cancel'
          ? cancellationFeed(account.sellerId, actions)
          : paymentAdjustmentFeed(account.sellerId, actions);
    const feedType = kind === 'adjust' ? PAYMENT_ADJUSTMENT_FEED_TYPE : ORDER_FEED_TYPE;
    const purpose: FeedPurpose = kind;
    const { feedId } = await this.deps.accounts
      .client(channelAccountId)
      .submitFeed(feedType, ORDER_FEED_CONTENT_TYPE, feed.content, account.marketplaceIds, {
        beforeAttempt: () => loop.holdLease(),
      });
    const records = new Map<string, number[]>();
    for (const [record, actionId] of feed.actionOfRecord) records.set(actionId, [...(records.get(actionId) ?? []), record]);
    await this.deps.publisher.transaction(async ({ manager }) => {
      const now = new Date();
      await this.deps.feeds.record(manager, { feedId, channelAccountId, feedType, purpose, listingsItems: null }, now);
      await this.deps.actions.markSubmitted(manager, feedId, records, now);
    });
    this.deps.metrics.feedSubmitted(channelAccountId, feedType);
    this.deps.logger.info({ channelAccountId, feedId, feedType, actions: actions.length }, 'order feed submitted');
  }

  /** True once the feed is settled (its actions done, failed or queued again). */
  private async follow(loop: AccountStep, submission: FeedSubmission): Promise<boolean> {
    const { channelAccountId } = loop;
    const client = this.deps.accounts.client(channelAccountId);
    const feed = await client.getFeed(submission.feedId);
    if (feed.processingStatus === 'IN_QUEUE' || feed.processingStatus === 'IN_PROGRESS') {
      if (feed.processingStatus !== submission.processingStatus) await this.deps.feeds.setStatus(submission.feedId, feed.processingStatus);
      return false;
    }
    const actions = await this.deps.actions.inFeed(submission.feedId);
    // A feed's purpose is the kind of its actions (open() was asked for those purposes only).
    const kind = submission.purpose as OrderFeedActionKind;
    if (feed.processingStatus !== 'DONE' || feed.resultFeedDocumentId === undefined) {
      await this.deps.publisher.transaction(async ({ manager }) => {
        const now = new Date();
        const { retried, failed } = await this.deps.actions.retry(
          manager,
          actions,
          `feed ${submission.feedId} ended ${feed.processingStatus}`,
          this.deps.options.maxAttempts,
          now,
        );
        this.deps.metrics.feedAction(channelAccountId, kind, 'retried', retried);
        this.deps.metrics.feedAction(channelAccountId, kind, 'failed', failed);
        await this.deps.feeds.complete(manager, submission.feedId, feed.processingStatus, now);
      });
      return true;
    }
    const report = await client.downloadFeedDocument(feed.resultFeedDocumentId);
    const reading = readXmlProcessingReport(report);
    if (!reading.ok) throw new StepFailure('report_unreadable', `order feed ${submission.feedId}: ${reading.reason}`);
    const actionOfRecord = new Map<number, string>();
    for (const action of actions) for (const record of action.feedRecords ?? []) actionOfRecord.set(record, action.id);
    const verdicts = actionVerdicts({ actionOfRecord }, reading.errors);
    const notApplied = await this.cancellationsNotApplied(channelAccountId, actions, verdicts);
    await this.deps.publisher.transaction(async ({ manager, publish }) => {
      const now = new Date();
      for (const action of actions) {
        const error = verdicts.get(action.id);
        const stillOpen = notApplied.get(action.id);
        if (stillOpen !== undefined) {
          const reason = `Amazon accepted the cancellation, but getOrderItems still shows item ${stillOpen.join(', ')} with units to ship`;
          const { retried, failed } = await this.deps.actions.retry(manager, [action], reason, this.deps.options.maxAttempts, now);
          this.deps.metrics.feedAction(channelAccountId, action.kind, 'retried', retried);
          this.deps.metrics.feedAction(channelAccountId, action.kind, 'failed', failed);
          this.deps.logger.warn({ channelAccountId, amazonOrderId: action.amazonOrderId, items: stillOpen }, reason);
          continue;
        }
        await this.deps.actions.settle(manager, action.id, error, now);
        this.deps.metrics.feedAction(channelAccountId, action.kind, error === undefined ? 'done' : 'failed');
        if (error !== undefined) {
          this.deps.logger.warn(
            { channelAccountId, amazonOrderId: action.amazonOrderId, kind: action.kind, error },
            'Amazon refused an order feed message',
          );
          continue;
        }
        if (action.kind === 'adjust') {
          this.deps.logger.info(
            { channelAccountId, amazonOrderId: action.amazonOrderId, feedId: submission.feedId, items: action.adjustItems },
            'Amazon took the order adjustment: the units are cancelled and refunded',
          );
        }
        if (action.kind === 'acknowledge') {
          await publish({
            definition: Events.channel.orderAcknowledged,
            payload: {
              channelAccountId,
              channel: AMAZON_CHANNEL,
              channelOrderId: action.amazonOrderId,
              orderId: action.orderId,
              acknowledgedAt: toTimestamp(now),
            },
            subject: action.orderId,
            channel: AMAZON_CHANNEL,
            channelAccountId,
          });
        }
      }
      await this.deps.feeds.complete(manager, submission.feedId, feed.processingStatus, now);
    });
    return true;
  }

  /**
   * Read-back of the cancellations the report accepted: per action, the items getOrderItems still
   * shows with units to ship (an action missing from the map is applied, or was refused).
   */
  private async cancellationsNotApplied(
    channelAccountId: string,
    actions: readonly OrderFeedAction[],
    verdicts: ReadonlyMap<string, string | undefined>,
  ): Promise<Map<string, string[]>> {
    const notApplied = new Map<string, string[]>();
    const client = this.deps.accounts.client(channelAccountId);
    for (const action of actions) {
      if (action.kind !== 'cancel' || verdicts.get(action.id) !== undefined) continue;
      const stillOpen = itemsStillOpen(action.cancelItems ?? [], await client.getOrderItems(action.amazonOrderId));
      if (stillOpen.length > 0) notApplied.set(action.id, stillOpen);
    }
    return notApplied;
  }
}
