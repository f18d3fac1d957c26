// Pushes pending desired_inventory rows to Shopify: one loop per channel account, woken after a
// consumer commits (a poll is only the backstop), one inventorySetQuantities call per batch of up
// to 250 SKUs. Only one loop per account runs in the whole deployment (a lease row in the
// database), and a loop has at most one push in flight, so an older version can never reach
// Shopify after a newer one: a row's desired version only grows, and each push sends the
// versions it read and records exactly those.
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
import type { PushLeaseRepository } from './push-lease.repository.js';

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
  leases: PushLeaseRepository;
  listings: ShopifyListingResolver;
  metrics: ChannelShopifyMetrics;
  logger: Logger;
  /** This replica's lease holder id (random per process). */
  holderId: string;
  options?: AvailabilityPusherOptions;
}

export interface AccountPushStatus {
  /** This replica holds the account's push lease. */
  leader: boolean;
  lastPushAt: Date | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: Date | null;
  /** Failed loop iterations since the last success. */
  consecutiveFailures: number;
}

type LoopOutcome = 'idle' | 'more' | 'follower';

/** A push that failed for a reason of the adapter's own (not a Shopify call failure). */
class PushFailure extends Error {
  override readonly name = 'PushFailure';

  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

// Shopify contradicting a listing: the catalog's mapping may have changed, so ask it again next time.
const LISTING_REFUSALS = new Set(['INVALID_INVENTORY_ITEM', 'INVALID_LOCATION', 'ITEM_NOT_STOCKED_AT_LOCATION']);

type ResolvedOptions = Required<AvailabilityPusherOptions>;

class AccountPushLoop {
  readonly status: AccountPushStatus = {
    leader: false,
    lastPushAt: null,
    lastError: null,
    lastErrorKind: null,
    lastErrorAt: null,
    consecutiveFailures: 0,
  };
  private wakeRequested = false;
  private stopping = false;
  private sleeping: { wake: () => void; wakeable: boolean } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly channelAccountId: string,
    private readonly deps: AvailabilityPusherDependencies,
    private readonly options: ResolvedOptions,
    private readonly onProgress: () => void,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    if (this.sleeping?.wakeable) this.sleeping.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeping?.wake();
    await this.running;
    if (this.status.leader) {
      await this.deps.leases.release(this.channelAccountId, this.deps.holderId).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, channelAccountId: this.channelAccountId }, 'could not release the push lease');
      });
      this.status.leader = false;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      let delayMs: number;
      let wakeable: boolean;
      try {
        const outcome = await this.pushOnce();
        this.status.consecutiveFailures = 0;
        delayMs = outcome === 'more' ? 0 : outcome === 'idle' ? this.options.pollIntervalMs : this.followerCheckMs();
        // A follower is woken by commits too, but only the leader can act on them.
        wakeable = outcome === 'idle';
      } catch (error) {
        if (this.stopping) break;
        this.recordFailure(error);
        const backoffMs = Math.min(
          this.options.failureBackoffMaxMs,
          this.options.failureBackoffBaseMs * 2 ** (this.status.consecutiveFailures - 1),
        );
        // Shopify's own Retry-After (a wait too long for the client to sleep through) wins when longer.
        delayMs = Math.max(backoffMs, error instanceof ShopifyAdminError ? (error.retryAfterMs ?? 0) : 0);
        // Commits during a backoff must not cut it short: a burst of events would defeat it.
        wakeable = false;
      }
      this.onProgress();
      if (delayMs > 0 && !(wakeable && this.wakeRequested)) await this.sleep(delayMs, wakeable);
    }
  }

  private followerCheckMs(): number {
    return Math.min(this.options.pollIntervalMs, Math.ceil(this.options.leaseTtlMs / 2));
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { wake: done, wakeable };
    });
  }

  private async pushOnce(): Promise<LoopOutcome> {
    const now = new Date();
    this.status.leader = await this.deps.leases.acquire(this.channelAccountId, this.deps.holderId, now, this.options.leaseTtlMs);
    if (!this.status.leader) return 'follower';
    const rows = await this.deps.desired.pendingBatch(this.channelAccountId, now, this.options.batchSize);
    if (rows.length === 0) return 'idle';
    const listings = await this.deps.listings.resolve(
      this.channelAccountId,
      rows.map((row) => row.sku),
    );
    const plan = planPush(rows, listings);
    await this.refuse(plan.refused);
    if (plan.items.length > 0) await this.send(plan.items);
    // Versions may have arrived during the push: look again at once.
    return 'more';
  }

  private async send(initial: PushItem[]): Promise<void> {
    const client = this.deps.accounts.client(this.channelAccountId);
    let items = initial;
    for (let round = 1; items.length > 0; round++) {
      const idempotencyKey = pushIdempotencyKey(this.channelAccountId, items);
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
          { beforeAttempt: () => this.holdLease() },
        );
      } catch (error) {
        if (!(error instanceof ShopifyAdminError) || error.kind !== 'user_errors' || error.retryable) throw error;
        const decision = decideAfterUserErrors(items, error.userErrors);
        if (decision.action === 'fail') throw new PushFailure('refused_call', `Shopify refused the push: ${decision.message}`);
        await this.refuse(decision.refused);
        items = decision.items;
        if (decision.readBackFirst) {
          if (round >= this.options.maxCompareRounds) {
            throw new PushFailure('compare_conflict', `Shopify's quantities changed during each of ${round} compare-and-set attempts`);
          }
          items = await this.readBack(items);
        }
        continue;
      }
      await this.accepted(items);
      return;
    }
  }

  /**
   * Extends the lease before every attempt to send (retries included): a replica that paused
   * longer than the lease may have been replaced, and must then not send what it read before.
   */
  private async holdLease(): Promise<void> {
    if (await this.deps.leases.acquire(this.channelAccountId, this.deps.holderId, new Date(), this.options.leaseTtlMs)) return;
    this.status.leader = false;
    throw new PushFailure('lease_lost', 'another replica took over the push lease');
  }

  /** Compare values from what Shopify holds now: the mesh's quantity is authoritative, the mismatch is counted. */
  private async readBack(items: PushItem[]): Promise<PushItem[]> {
    const levels = await this.deps.accounts.client(this.channelAccountId).getInventoryLevels(
      items.map((item) => item.target),
      ['available'],
    );
    const available = new Map([...levels].map(([key, level]) => [key, level?.quantities.available]));
    const outcome = applyReadBack(items, available);
    this.deps.metrics.drifted(this.channelAccountId, outcome.drifted.length);
    if (outcome.drifted.length > 0) {
      this.deps.logger.info(
        { channelAccountId: this.channelAccountId, drifted: outcome.drifted },
        'Shopify quantities changed outside the mesh',
      );
    }
    await this.refuse(outcome.refused);
    return outcome.items;
  }

  private async accepted(items: PushItem[]): Promise<void> {
    const acceptedAt = new Date();
    await this.deps.desired.markPushed(this.channelAccountId, items, acceptedAt);
    const latencies = items
      .filter((item) => item.sourceChangedAt !== null)
      .map((item) => Math.max(0, acceptedAt.getTime() - (item.sourceChangedAt as Date).getTime()) / 1000);
    this.deps.metrics.pushed(this.channelAccountId, items.length, latencies);
    this.status.lastPushAt = acceptedAt;
  }

  private async refuse(refused: RefusedItem[]): Promise<void> {
    if (refused.length === 0) return;
    const now = new Date();
    await this.deps.desired.hold(this.channelAccountId, refused, new Date(now.getTime() + this.options.holdMs), now);
    this.deps.listings.forget(
      this.channelAccountId,
      refused.filter((item) => LISTING_REFUSALS.has(item.code)).map((item) => item.sku),
    );
    for (const item of refused) this.deps.metrics.refused(this.channelAccountId, item.code);
    this.deps.logger.warn({ channelAccountId: this.channelAccountId, refused }, 'availability updates put on hold');
  }

  private recordFailure(error: unknown): void {
    const kind =
      error instanceof ShopifyAdminError || error instanceof PushFailure
        ? error.kind
        : error instanceof ServiceError
          ? error.reason
          : 'internal';
    this.status.consecutiveFailures += 1;
    this.status.lastError = error instanceof Error ? error.message : String(error);
    this.status.lastErrorKind = kind;
    this.status.lastErrorAt = new Date();
    this.deps.metrics.pushFailed(this.channelAccountId, kind);
    this.deps.logger.warn(
      { err: error, channelAccountId: this.channelAccountId, kind, consecutiveFailures: this.status.consecutiveFailures },
      'availability push failed; the rows stay pending',
    );
  }
}

export class AvailabilityPusher {
  private readonly loops = new Map<string, AccountPushLoop>();
  private progressWaiters: Array<() => void> = [];

  constructor(deps: AvailabilityPusherDependencies) {
    const options: ResolvedOptions = {
      batchSize: Math.min(MAX_PUSH_BATCH, deps.options?.batchSize ?? MAX_PUSH_BATCH),
      pollIntervalMs: deps.options?.pollIntervalMs ?? 5_000,
      holdMs: deps.options?.holdMs ?? 300_000,
      leaseTtlMs: deps.options?.leaseTtlMs ?? 30_000,
      failureBackoffBaseMs: deps.options?.failureBackoffBaseMs ?? 1_000,
      failureBackoffMaxMs: deps.options?.failureBackoffMaxMs ?? 60_000,
      maxCompareRounds: deps.options?.maxCompareRounds ?? 3,
    };
    for (const channelAccountId of deps.accounts.ids()) {
      this.loops.set(channelAccountId, new AccountPushLoop(channelAccountId, deps, options, () => this.progressed()));
    }
  }

  start(): void {
    for (const loop of this.loops.values()) loop.start();
  }

  /** After a commit that stored desired rows of the account. */
  wake(channelAccountId: string): void {
    this.loops.get(channelAccountId)?.wake();
  }

  status(channelAccountId: string): AccountPushStatus | undefined {
    return this.loops.get(channelAccountId)?.status;
  }

  /** Resolves after the next loop iteration of any account, or after `timeoutMs`. */
  nextProgress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.progressWaiters.push(done);
    });
  }

  /** Finishes the push in flight (the service-wide abort signal cuts its waits short) and releases the leases. */
  async stop(): Promise<void> {
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    this.progressed();
  }

  private progressed(): void {
    for (const wake of this.progressWaiters.splice(0)) wake();
  }
}
