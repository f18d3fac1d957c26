// The ChannelAdapterService calls that make sense for Shopify availability today: push (store
// the desired quantity, wake the pusher, report how far it got), read back what Shopify shows,
// and the adapter's status per store (with the pending updates the pending_updates gauge counts).
import { pushAvailability } from '@retail-mesh/channel-kit';
import { channelV1, toTimestamp } from '@retail-mesh/contracts';
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
import { accountHealth, PUSH_RESULT_WORDING } from './channel-adapter.mapper.js';

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

  pushAvailability(request: channelV1.PushAvailabilityRequest): Promise<channelV1.PushAvailabilityResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    const { dataSource, desired, pusher, metrics } = this.deps;
    return pushAvailability(
      { dataSource, desired, pusher, metrics, wording: PUSH_RESULT_WORDING, waitMs: this.deps.pushWaitMs },
      channelAccountId,
      request.updates,
    );
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
