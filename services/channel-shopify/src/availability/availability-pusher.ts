// Pushes pending desired_inventory rows to Shopify: one loop per channel account, woken after a
// consumer commits (a poll is only the backstop), one inventorySetQuantities call per batch of up
// to 250 SKUs. Only one loop per account runs in the whole deployment (a lease row in the
// database), and a loop has at most one push in flight, so an older version can never reach
// Shopify after a newer one: a row's desired version only grows, and each push sends the
// versions it read and records exactly those.
import {
  AccountWorker,
  StepFailure,
  type AccountStep,
  type StepOutcome,
  type WorkerLeaseStore,
  type WorkerLoopStatus,
} from '@retail-mesh/channel-kit';
import type { Logger } from '@retail-mesh/observability';
import { ServiceError } from '@retail-mesh/service-kit';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import type { ShopifyListingResolver } from '../listings/shopify-listing.resolver.js';
import type { ChannelShopifyMetrics } from '../metrics/channel-shopify.metrics.js';
import { ShopifyAdminError } from '../shopify/shopify-admin.client.js';
import {
  applyReadBack,
  decideAfterUserErrors,
  MAX_PUSH_BATCH,
  planPush,
  pushIdempotencyKey,
  pushReferenceDocumentUri,
  type PushItem,
  type RefusedItem,
} from './availability-push.js';
import type { DesiredInventoryRepository } from './desired-inventory.repository.js';

/** The duty of the push loops (their lease, their log lines). */
export const AVAILABILITY_DUTY = 'availability';

export interface AvailabilityPusherOptions {
  /** SKUs per inventorySetQuantities call; Shopify allows 250. */
  batchSize?: number;
  /** Backstop when nothing woke the loop (rows another replica stored, holds that expired). Default 5 s. */
  pollIntervalMs?: number;
  /** How long a refused row waits before it is tried again; a newer version retries at once. Default 5 min. */
  holdMs?: number;
  /** Lease per account; a replica that dies is replaced after this long. Default 30 s. */
  leaseTtlMs?: number;
  /** Backoff of the loop after a failed push (the client has already retried): doubled per failure up to the maximum. */
  failureBackoffBaseMs?: number;
  failureBackoffMaxMs?: number;
  /** Compare-and-set rounds per push before giving up until the next loop. Default 3. */
  maxCompareRounds?: number;
}

export interface AvailabilityPusherDependencies {
  accounts: ShopifyAccountRegistry;
  desired: DesiredInventoryRepository;
  leases: WorkerLeaseStore;
  listings: ShopifyListingResolver;
  metrics: ChannelShopifyMetrics;
  logger: Logger;
  /** This replica's lease holder id (random per process). */
  holderId: string;
  options?: AvailabilityPusherOptions;
}

export type AccountPushStatus = WorkerLoopStatus & { lastPushAt: Date | null };

// Shopify contradicting a listing: the catalog's mapping may have changed, so ask it again next time.
const LISTING_REFUSALS = new Set(['INVALID_INVENTORY_ITEM', 'INVALID_LOCATION', 'ITEM_NOT_STOCKED_AT_LOCATION']);

type ResolvedOptions = Required<AvailabilityPusherOptions>;

export class AvailabilityPusher extends AccountWorker {
  private readonly options: ResolvedOptions;
  private readonly lastPushAt = new Map<string, Date>();

  constructor(private readonly deps: AvailabilityPusherDependencies) {
    const options: ResolvedOptions = {
      batchSize: Math.min(MAX_PUSH_BATCH, deps.options?.batchSize ?? MAX_PUSH_BATCH),
      pollIntervalMs: deps.options?.pollIntervalMs ?? 5_000,
      holdMs: deps.options?.holdMs ?? 300_000,
      leaseTtlMs: deps.options?.leaseTtlMs ?? 30_000,
      failureBackoffBaseMs: deps.options?.failureBackoffBaseMs ?? 1_000,
      failureBackoffMaxMs: deps.options?.failureBackoffMaxMs ?? 60_000,
      maxCompareRounds: deps.options?.maxCompareRounds ?? 3,
    };
    super({
      accountIds: deps.accounts.ids(),
      options: {
        idleMs: options.pollIntervalMs,
        failureBackoffBaseMs: options.failureBackoffBaseMs,
        failureBackoffMaxMs: options.failureBackoffMaxMs,
      },
      logger: deps.logger,
      lease: { store: deps.leases, duty: AVAILABILITY_DUTY, holderId: deps.holderId, ttlMs: options.leaseTtlMs },
      // The catalog (listings) answering with an error of its own.
      failureKind: (error) => (error instanceof ServiceError ? error.reason : undefined),
      onFailure: (channelAccountId, { error, kind, consecutiveFailures }) => {
        deps.metrics.pushFailed(channelAccountId, kind);
        deps.logger.warn({ err: error, channelAccountId, kind, consecutiveFailures }, 'availability push failed; the rows stay pending');
      },
    });
    this.options = options;
  }

  override status(channelAccountId: string): AccountPushStatus | undefined {
    const status = super.status(channelAccountId);
    return status ? { ...status, lastPushAt: this.lastPushAt.get(channelAccountId) ?? null } : undefined;
  }

  protected async step(account: AccountStep): Promise<StepOutcome> {
    const { channelAccountId } = account;
    const now = new Date();
    const rows = await this.deps.desired.pendingBatch(channelAccountId, now, this.options.batchSize);
    if (rows.length === 0) return 'idle';
    this.deps.metrics.pendingRead(channelAccountId, rows, now);
    const listings = await this.deps.listings.resolve(
      channelAccountId,
      rows.map((row) => row.sku),
    );
    const plan = planPush(rows, listings);
    await this.refuse(channelAccountId, plan.refused);
    if (plan.items.length > 0) await this.send(account, plan.items);
    // A full batch may have left rows behind: look again at once. A partial one took every pending
    // row; versions stored during the push woke the loop, which then runs again at once (reading
    // the table after every push read it twice per push under load, the database's costliest query).
    return rows.length < this.options.batchSize ? 'idle' : 'more';
  }

  private async send(account: AccountStep, initial: PushItem[]): Promise<void> {
    const { channelAccountId } = account;
    const client = this.deps.accounts.client(channelAccountId);
    let items = initial;
    for (let round = 1; items.length > 0; round++) {
      const idempotencyKey = pushIdempotencyKey(channelAccountId, items);
      try {
        await client.setInventoryQuantities(
          {
            idempotencyKey,
            name: 'available',
            reason: 'correction',
            referenceDocumentUri: pushReferenceDocumentUri(idempotencyKey),
            quantities: items.map((item) => ({
              inventoryItemId: item.target.inventoryItemId,
              locationId: item.target.locationId,
              quantity: item.quantity,
              changeFromQuantity: item.changeFromQuantity,
            })),
          },
          // Before every attempt to send (retries included): a replica replaced while it paused must not send what it read before.
          { beforeAttempt: () => account.holdLease() },
        );
      } catch (error) {
        if (!(error instanceof ShopifyAdminError) || error.kind !== 'user_errors' || error.retryable) throw error;
        const decision = decideAfterUserErrors(items, error.userErrors);
        if (decision.action === 'fail') throw new StepFailure('refused_call', `Shopify refused the push: ${decision.message}`);
        await this.refuse(channelAccountId, decision.refused);
        items = decision.items;
        if (decision.readBackFirst) {
          if (round >= this.options.maxCompareRounds) {
            throw new StepFailure('compare_conflict', `Shopify's quantities changed during each of ${round} compare-and-set attempts`);
          }
          items = await this.readBack(channelAccountId, items);
        }
        continue;
      }
      await this.accepted(channelAccountId, items);
      return;
    }
  }

  /** Compare values from what Shopify holds now: the mesh's quantity is authoritative, the mismatch is counted. */
  private async readBack(channelAccountId: string, items: PushItem[]): Promise<PushItem[]> {
    const levels = await this.deps.accounts.client(channelAccountId).getInventoryLevels(
      items.map((item) => item.target),
      ['available'],
    );
    const available = new Map([...levels].map(([key, level]) => [key, level?.quantities.available]));
    const outcome = applyReadBack(items, available);
    this.deps.metrics.drifted(channelAccountId, outcome.drifted.length);
    if (outcome.drifted.length > 0) {
      this.deps.logger.info({ channelAccountId, drifted: outcome.drifted }, 'Shopify quantities changed outside the mesh');
    }
    await this.refuse(channelAccountId, outcome.refused);
    return outcome.items;
  }

  private async accepted(channelAccountId: string, items: PushItem[]): Promise<void> {
    const acceptedAt = new Date();
    await this.deps.desired.markPushed(channelAccountId, items, acceptedAt);
    const latencies = items
      .filter((item) => item.sourceChangedAt !== null)
      .map((item) => Math.max(0, acceptedAt.getTime() - (item.sourceChangedAt as Date).getTime()) / 1000);
    this.deps.metrics.pushed(channelAccountId, items.length, latencies);
    this.lastPushAt.set(channelAccountId, acceptedAt);
  }

  private async refuse(channelAccountId: string, refused: RefusedItem[]): Promise<void> {
    if (refused.length === 0) return;
    const now = new Date();
    await this.deps.desired.hold(channelAccountId, refused, new Date(now.getTime() + this.options.holdMs), now);
    this.deps.listings.forget(
      channelAccountId,
      refused.filter((item) => LISTING_REFUSALS.has(item.code)).map((item) => item.sku),
    );
    for (const item of refused) this.deps.metrics.refused(channelAccountId, item.code);
    this.deps.logger.warn({ channelAccountId, refused }, 'availability updates put on hold');
  }
}
