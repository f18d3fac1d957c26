// Keeps the effective price of every listing (channel account x SKU) current: recomputes it
// when a listing, price list, price or promotion changes, stores it with a per-key version and
// publishes PriceChanged (channel-scoped) in the same transaction when what the channel must
// show changed.
import { Injectable } from '@nestjs/common';
import { Events } from '@retail-mesh/contracts';
import type { Money } from '@retail-mesh/domain';
import type { TransactionContext } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { ChannelListingEntity } from '../listings/channel-listing.entity.js';
import { computeEffectivePrice } from './effective-price.js';
import { EffectivePriceEntity } from './effective-price.entity.js';
import { toEffectivePriceMessage, toPromotionTerms } from './pricing.mapper.js';
import { PricingRepository } from './pricing.repository.js';

type ListingKey = Pick<ChannelListingEntity, 'channelAccountId' | 'sku' | 'channel'>;

interface Computed {
  /** Computed now, with the version it has (the stored one if nothing changed, else the next). */
  price: EffectivePriceEntity;
  /** Amount or compare-at price differ from the last published: a PriceChanged is due. */
  changed: boolean;
  /** Anything stored differs (including which list or promotion it came from). */
  differs: boolean;
  existed: boolean;
}

const keyOf = (listing: { channelAccountId: string; sku: string }) => `${listing.channelAccountId}\u0000${listing.sku}`;

@Injectable()
export class EffectivePricesService {
  constructor(private readonly pricing: PricingRepository) {}

  /** Recomputes the listings' prices; stores and publishes those that changed. Returns how many PriceChanged were published. */
  async refresh(context: TransactionContext, listings: readonly ListingKey[], at = new Date()): Promise<number> {
    let published = 0;
    for (const { price, changed, differs, existed } of await this.compute(context.manager, listings, at)) {
      if (!differs) continue;
      await this.pricing.saveEffectivePrice(context.manager, price, existed);
      if (!changed) continue;
      await context.publish({
        definition: Events.catalog.priceChanged,
        payload: { price: toEffectivePriceMessage(price) },
        subject: price.sku,
        channel: price.channel,
        channelAccountId: price.channelAccountId,
      });
      published += 1;
    }
    return published;
  }

  /** What the account shows for the SKU now; undefined when it has no price list or the list no price for it. */
  async current(manager: EntityManager, listing: ListingKey, at = new Date()): Promise<EffectivePriceEntity | undefined> {
    return (await this.compute(manager, [listing], at))[0]?.price;
  }

  private async compute(manager: EntityManager, listings: readonly ListingKey[], at: Date): Promise<Computed[]> {
    const unique = [...new Map(listings.map((listing) => [keyOf(listing), listing])).values()];
    if (unique.length === 0) return [];
    const assignments = await this.pricing.accountAssignments(manager, [...new Set(unique.map((listing) => listing.channelAccountId))]);
    const listOfAccount = new Map(assignments.map((assignment) => [assignment.channelAccountId, assignment.priceListId]));
    const currencies = new Map<string, string>();
    const prices = new Map<string, { amount: Money; compareAtAmount: Money | undefined }>();
    for (const priceListId of new Set(listOfAccount.values())) {
      const priceList = await this.pricing.findPriceList(manager, priceListId);
      if (!priceList) continue;
      currencies.set(priceListId, priceList.currency);
      const skus = unique.filter((listing) => listOfAccount.get(listing.channelAccountId) === priceListId).map((listing) => listing.sku);
      for (const price of await this.pricing.prices(manager, priceListId, [...new Set(skus)])) {
        prices.set(`${priceListId}\u0000${price.sku}`, {
          amount: { amountMinor: price.amountMinor, currency: priceList.currency },
          compareAtAmount:
            price.compareAtAmountMinor === null ? undefined : { amountMinor: price.compareAtAmountMinor, currency: priceList.currency },
        });
      }
    }
    const promotions = (await this.pricing.activePromotions(manager)).map(toPromotionTerms);
    const stored = new Map((await this.pricing.effectivePrices(manager, unique)).map((price) => [keyOf(price), price]));

    const computed: Computed[] = [];
    for (const listing of unique) {
      const priceListId = listOfAccount.get(listing.channelAccountId);
      const listPrice = priceListId === undefined ? undefined : prices.get(`${priceListId}\u0000${listing.sku}`);
      if (priceListId === undefined || !listPrice) continue;
      const result = computeEffectivePrice({ priceListId, ...listPrice }, promotions, {
        channelAccountId: listing.channelAccountId,
        sku: listing.sku,
        at,
      });
      const previous = stored.get(keyOf(listing));
      const compareAtAmountMinor = result.compareAtAmount?.amountMinor ?? null;
      const changed =
        !previous ||
        previous.amountMinor !== result.amount.amountMinor ||
        previous.currency !== result.amount.currency ||
        previous.compareAtAmountMinor !== compareAtAmountMinor;
      const price = Object.assign(new EffectivePriceEntity(), {
        channelAccountId: listing.channelAccountId,
        sku: listing.sku,
        channel: listing.channel,
        amountMinor: result.amount.amountMinor,
        currency: result.amount.currency,
        compareAtAmountMinor,
        priceListId,
        promotionId: result.promotionId ?? '',
        version: changed ? (previous?.version ?? 0) + 1 : previous.version,
        computedAt: at,
      });
      const differs =
        changed ||
        previous.priceListId !== price.priceListId ||
        previous.promotionId !== price.promotionId ||
        previous.channel !== price.channel;
      computed.push({ price, changed, differs, existed: previous !== undefined });
    }
    return computed;
  }
}
