// The ChannelAdapterService calls that make sense for Shopify availability today: push (store
// the desired quantity, wake the pusher, report how far it got), read back what Shopify shows,
// and the adapter's status per store (with the pending updates the pending_updates gauge counts).
import { channelV1, toTimestamp } from '@retail-mesh/contracts';
import { isQuantity } from '@retail-mesh/domain';
import { withTransaction } from '@retail-mesh/persistence';
import { InvalidArgumentError, NotFoundError } from '@retail-mesh/service-kit';
import type { DataSource } from 'typeorm';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import type { AvailabilityPusher } from '../availability/availability-pusher.js';
import type { DesiredInventoryRepository } from '../availability/desired-inventory.repository.js';
import type { ShopifyListingResolver } from '../listings/shopify-listing.resolver.js';
import type { ChannelShopifyMetrics } from '../metrics/channel-shopify.metrics.js';
import type { PollStatus } from '../orders/order-poller.js';
import { inventoryLevelRefKey, type ShopifyVariantRef } from '../shopify/shopify-admin.client.js';
import { accountHealth, pushResultFor } from './channel-adapter.mapper.js';

/** Updates per PushAvailability call. */
export const MAX_PUSH_UPDATES = 1000;
/** SKUs per GetListingState call. */
export const MAX_LISTING_STATE_SKUS = 250;

export interface ChannelAdapterServiceDependencies {
  dataSource: DataSource;
  accounts: ShopifyAccountRegistry;
  desired: DesiredInventoryRepository;
  pusher: AvailabilityPusher;
  listings: ShopifyListingResolver;
  metrics: ChannelShopifyMetrics;
  adapterVersion: string;
  /** How long PushAvailability waits for Shopify to accept before answering with what is still queued. */
  pushWaitMs: number;
  /** The order poll of an account (its cursor), for GetAdapterStatus. */
  orderPolls?: (channelAccountId: string) => PollStatus | undefined;
}

export class ShopifyChannelAdapterService {
  constructor(private readonly deps: ChannelAdapterServiceDependencies) {}

  async pushAvailability(request: channelV1.PushAvailabilityRequest): Promise<channelV1.PushAvailabilityResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (request.updates.length > MAX_PUSH_UPDATES) {
      throw new InvalidArgumentError('too_many_updates', `at most ${MAX_PUSH_UPDATES} updates per call, got ${request.updates.length}`);
    }
    for (const update of request.updates) validateUpdate(update);
    const wanted = request.updates.map((update) => ({
      channelAccountId,
      sku: update.sku,
      quantity: update.availableQuantity,
      version: update.version,
      sourceChangedAt: null,
    }));
    const stored = await withTransaction(this.deps.dataSource, (manager) => this.deps.desired.storeDesired(manager, wanted, new Date()));
    this.deps.metrics.staleDropped(channelAccountId, wanted.length - stored.length);
    if (stored.length > 0) this.deps.pusher.wake(channelAccountId);

    const skus = [...new Set(request.updates.map((update) => update.sku))];
    const deadline = Date.now() + this.deps.pushWaitMs;
    for (;;) {
      const rows = new Map((await this.deps.desired.find(channelAccountId, skus)).map((row) => [row.sku, row]));
      const accountError = this.deps.pusher.status(channelAccountId)?.lastError ?? null;
      const results = request.updates.map((update) => pushResultFor(update, rows.get(update.sku), accountError));
      const settled = results.every((result) => result.outcome !== channelV1.PushOutcome.PUSH_OUTCOME_FAILED);
      const remainingMs = deadline - Date.now();
      if (settled || remainingMs <= 0) return { results };
      await this.deps.pusher.nextProgress(remainingMs);
    }
  }

  /**
   * What Shopify shows now for each SKU at the location of its listing. A SKU the catalog has no
   * listing for is `listed: false`; if Shopify has a variant with that SKU its variant id is
   * still given, so reconciliation can tell an unmapped product from a missing one.
   */
  async getListingState(request: channelV1.GetListingStateRequest): Promise<channelV1.GetListingStateResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (request.skus.length > MAX_LISTING_STATE_SKUS) {
      throw new InvalidArgumentError('too_many_skus', `at most ${MAX_LISTING_STATE_SKUS} SKUs per call, got ${request.skus.length}`);
    }
    const client = this.deps.accounts.client(channelAccountId);
    const listings = await this.deps.listings.resolve(channelAccountId, request.skus);
    const targets = [...listings.values()].flatMap((listing) => (listing.listed ? [listing.target] : []));
    const levels = await client.getInventoryLevels(targets, ['available']);
    const unlisted = request.skus.filter((sku) => !listings.get(sku)?.listed);
    const variants = unlisted.length > 0 ? await client.findVariantsBySkus(unlisted) : new Map<string, ShopifyVariantRef[]>();
    const observedAt = toTimestamp(new Date());
    const states = request.skus.map((sku): channelV1.ListingState => {
      const listing = listings.get(sku);
      if (listing?.listed) {
        const available = levels.get(inventoryLevelRefKey(listing.target))?.quantities.available;
        return {
          sku,
          listed: available !== undefined,
          availableQuantity: available ?? 0,
          price: null,
          externalProductId: listing.productId,
          externalVariantId: listing.variantId,
          observedAt,
        };
      }
      const [variant] = variants.get(sku) ?? [];
      return {
        sku,
        listed: false,
        availableQuantity: 0,
        price: null,
        externalProductId: '',
        externalVariantId: variant?.variantId ?? '',
        observedAt,
      };
    });
    return { states };
  }

  async getAdapterStatus(request: channelV1.GetAdapterStatusRequest): Promise<channelV1.GetAdapterStatusResponse> {
    const ids = request.channelAccountId === '' ? this.deps.accounts.ids() : [this.servedAccount(request.channelAccountId)];
    // What the pending_updates gauge reads at scrape time.
    const pending = await this.deps.desired.pendingCounts(new Date());
    const accounts = ids.map((channelAccountId): channelV1.AccountStatus => {
      const status = this.deps.pusher.status(channelAccountId);
      const throttle = this.deps.accounts.throttle(channelAccountId);
      const orderPoll = this.deps.orderPolls?.(channelAccountId);
      return {
        channelAccountId,
        health: accountHealth({
          consecutiveFailures: status?.consecutiveFailures ?? 0,
          lastErrorKind: status?.lastErrorKind ?? null,
          throttleWaiting: throttle.waiting,
        }),
        rateLimitRemaining: Math.max(0, Math.floor(throttle.available())),
        orderCursor: orderPoll?.updatedAtSeen?.toISOString() ?? '',
        lastOrderSyncAt: orderPoll?.lastPollAt ? toTimestamp(orderPoll.lastPollAt) : null,
        lastPushAt: status?.lastPushAt ? toTimestamp(status.lastPushAt) : null,
        lastError: status?.lastError ?? '',
        lastErrorAt: status?.lastErrorAt ? toTimestamp(status.lastErrorAt) : null,
        pendingAvailabilityUpdates: pending.get(channelAccountId)?.waiting ?? 0,
        heldAvailabilityUpdates: pending.get(channelAccountId)?.held ?? 0,
      };
    });
    return { channel: SHOPIFY_CHANNEL, adapterVersion: this.deps.adapterVersion, accounts };
  }

  private servedAccount(channelAccountId: string): string {
    if (!this.deps.accounts.has(channelAccountId)) {
      throw new NotFoundError('channel_account_not_found', `this adapter serves no Shopify channel account "${channelAccountId}"`);
    }
    return channelAccountId;
  }
}

function validateUpdate(update: channelV1.AvailabilityUpdate): void {
  if (update.sku.trim() === '') throw new InvalidArgumentError('invalid_sku', 'every update needs a sku');
  if (!isQuantity(update.availableQuantity)) {
    throw new InvalidArgumentError(
      'invalid_quantity',
      `available_quantity of ${update.sku} must be a non-negative integer, got ${update.availableQuantity}`,
    );
  }
  if (!Number.isSafeInteger(update.version) || update.version < 1) {
    throw new InvalidArgumentError('invalid_version', `version of ${update.sku} must be a positive integer, got ${update.version}`);
  }
}
