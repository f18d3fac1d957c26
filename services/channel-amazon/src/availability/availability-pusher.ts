// Pushes pending desired_listings rows to Amazon: one loop per channel account (lease
// 'availability'), woken after a consumer commits. A small backlog goes as patchListingsItem per
// SKU (ACCEPTED marks the version pushed, INVALID holds the row with Amazon's issue); a backlog
// above the threshold goes as one JSON_LISTINGS_FEED, followed until Amazon processed it and
// settled from its processing report. While a feed is in flight nothing else is sent for the
// account, so a patch can never overtake a feed Amazon has not applied yet: a row's desired
// version only grows, and each push records exactly the versions it sent.
import { AccountWorker, StepFailure, type AccountStep, type StepOutcome, type WorkerLoopStatus } from '@retail-mesh/channel-kit';
import { withTransaction } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import type { FeedSubmission, ListingsFeedItem } from '../feeds/feed-submission.entity.js';
import type { FeedSubmissionRepository } from '../feeds/feed-submission.repository.js';
import { dutyLoopsConfig, type DutyDependencies } from '../workers/duty-loops.js';
import type { DesiredListingRepository } from './desired-listing.repository.js';
import {
  LISTINGS_FEED_CONTENT_TYPE,
  LISTINGS_FEED_TYPE,
  listingsFeedDocument,
  listingsFeedItems,
  patchBody,
  pushMethodFor,
  readListingsReport,
  refusalOfSubmission,
  type RefusedListing,
} from './listings-push.js';

export const AVAILABILITY_DUTY = 'availability';

export interface AvailabilityPusherOptions {
  feedThreshold: number;
  feedMaxMessages: number;
  pollIntervalMs: number;
  feedPollIntervalMs: number;
  holdMs: number;
  leaseTtlMs: number;
  failureBackoffMaxMs: number;
}

export interface AvailabilityPusherDependencies extends DutyDependencies {
  dataSource: DataSource;
  desired: DesiredListingRepository;
  feeds: FeedSubmissionRepository;
  options: AvailabilityPusherOptions;
}

type Pushed = Pick<ListingsFeedItem, 'sku' | 'version' | 'quantity'> & { sourceChangedAt: Date | null };

export class AvailabilityPusher extends AccountWorker {
  private readonly lastPushAt = new Map<string, Date>();

  constructor(private readonly deps: AvailabilityPusherDependencies) {
    super(dutyLoopsConfig(AVAILABILITY_DUTY, deps, { idleMs: deps.options.pollIntervalMs, waitMs: deps.options.feedPollIntervalMs }));
  }

  override status(channelAccountId: string): (WorkerLoopStatus & { lastPushAt: Date | null }) | undefined {
    const status = super.status(channelAccountId);
    return status ? { ...status, lastPushAt: this.lastPushAt.get(channelAccountId) ?? null } : undefined;
  }

  protected async step(loop: AccountStep): Promise<StepOutcome> {
    const channelAccountId = loop.channelAccountId;
    const [inFlight] = await this.deps.feeds.open(channelAccountId, ['listings']);
    if (inFlight) return this.follow(loop, inFlight);
    const { options } = this.deps;
    // One read decides and supplies the push: more rows than the threshold go as a feed (up to its
    // maximum), fewer as patches.
    const now = new Date();
    const rows = await this.deps.desired.pendingBatch(channelAccountId, now, Math.max(options.feedMaxMessages, options.feedThreshold + 1));
    if (rows.length === 0) return 'idle';
    this.deps.metrics.pendingRead(channelAccountId, rows, now);
    if (pushMethodFor(rows.length, options.feedThreshold) === 'feed') {
      await this.submitFeed(loop, rows.slice(0, options.feedMaxMessages));
      return 'wait';
    }
    await this.patch(loop, rows);
    // Versions may have arrived meanwhile: look again at once.
    return 'more';
  }

  private async patch(loop: AccountStep, rows: Awaited<ReturnType<DesiredListingRepository['pendingBatch']>>): Promise<void> {
    const account = this.deps.accounts.get(loop.channelAccountId);
    const client = this.deps.accounts.client(loop.channelAccountId);
    for (const row of rows) {
      const submission = await client.patchListingsItem(account.sellerId, row.sku, account.marketplaceIds, patchBody(row.desiredQuantity), {
        beforeAttempt: () => loop.holdLease(),
      });
      const item = { sku: row.sku, version: row.desiredVersion, quantity: row.desiredQuantity, sourceChangedAt: row.sourceChangedAt };
      const refusal = refusalOfSubmission(item, submission);
      if (refusal) await this.refuse(loop.channelAccountId, [refusal]);
      else await this.accepted(loop.channelAccountId, 'patch', [item]);
    }
  }

  private async submitFeed(loop: AccountStep, rows: Awaited<ReturnType<DesiredListingRepository['pendingBatch']>>): Promise<void> {
    const account = this.deps.accounts.get(loop.channelAccountId);
    const items = listingsFeedItems(rows);
    const { feedId } = await this.deps.accounts
      .client(loop.channelAccountId)
      .submitFeed(LISTINGS_FEED_TYPE, LISTINGS_FEED_CONTENT_TYPE, listingsFeedDocument(account.sellerId, items), account.marketplaceIds, {
        beforeAttempt: () => loop.holdLease(),
      });
    await withTransaction(this.deps.dataSource, (manager) =>
      this.deps.feeds.record(
        manager,
        { feedId, channelAccountId: loop.channelAccountId, feedType: LISTINGS_FEED_TYPE, purpose: 'listings', listingsItems: items },
        new Date(),
      ),
    );
    this.deps.metrics.feedSubmitted(loop.channelAccountId, LISTINGS_FEED_TYPE);
    this.deps.logger.info(
      { channelAccountId: loop.channelAccountId, feedId, skus: items.length },
      'availability sent as a JSON_LISTINGS_FEED',
    );
  }

  /** Reads a submitted feed's status; once Amazon is done, settles the rows from its processing report. */
  private async follow(loop: AccountStep, submission: FeedSubmission): Promise<StepOutcome> {
    const client = this.deps.accounts.client(loop.channelAccountId);
    const feed = await client.getFeed(submission.feedId);
    if (feed.processingStatus === 'IN_QUEUE' || feed.processingStatus === 'IN_PROGRESS') {
      if (feed.processingStatus !== submission.processingStatus) await this.deps.feeds.setStatus(submission.feedId, feed.processingStatus);
      return 'wait';
    }
    const complete = () =>
      withTransaction(this.deps.dataSource, (manager) =>
        this.deps.feeds.complete(manager, submission.feedId, feed.processingStatus, new Date()),
      );
    if (feed.processingStatus !== 'DONE' || feed.resultFeedDocumentId === undefined) {
      // FATAL / CANCELLED: Amazon applied nothing; the rows stay pending and go out again.
      await complete();
      throw new StepFailure('feed_not_processed', `JSON_LISTINGS_FEED ${submission.feedId} ended ${feed.processingStatus}`);
    }
    const report = await client.downloadFeedDocument(feed.resultFeedDocumentId);
    const reading = readListingsReport(report, submission.feedId, submission.listingsItems ?? []);
    await complete();
    if (!reading.ok) throw new StepFailure('report_unreadable', `JSON_LISTINGS_FEED ${submission.feedId}: ${reading.reason}`);
    await this.accepted(
      loop.channelAccountId,
      'feed',
      reading.accepted.map((item) => ({ ...item, sourceChangedAt: item.sourceChangedAt === null ? null : new Date(item.sourceChangedAt) })),
    );
    await this.refuse(loop.channelAccountId, reading.refused);
    return 'more';
  }

  private async accepted(channelAccountId: string, method: 'patch' | 'feed', items: Pushed[]): Promise<void> {
    if (items.length === 0) return;
    const acceptedAt = new Date();
    await this.deps.desired.markPushed(channelAccountId, items, acceptedAt);
    const latencies = items
      .filter((item) => item.sourceChangedAt !== null)
      .map((item) => Math.max(0, acceptedAt.getTime() - (item.sourceChangedAt as Date).getTime()) / 1000);
    this.deps.metrics.pushed(channelAccountId, items.length, latencies, method);
    this.lastPushAt.set(channelAccountId, acceptedAt);
  }

  private async refuse(channelAccountId: string, refused: RefusedListing[]): Promise<void> {
    if (refused.length === 0) return;
    const now = new Date();
    await this.deps.desired.hold(channelAccountId, refused, new Date(now.getTime() + this.deps.options.holdMs), now);
    for (const item of refused) this.deps.metrics.refused(channelAccountId, item.code);
    this.deps.logger.warn({ channelAccountId, refused }, 'Amazon refused availability updates; they are held');
  }
}
