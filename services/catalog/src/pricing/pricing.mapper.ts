import { catalogV1, toTimestamp } from '@retail-mesh/contracts';
import type { Money } from '@retail-mesh/domain';
import type { Discount, PromotionTerms } from './effective-price.js';
import { EffectivePriceEntity } from './effective-price.entity.js';
import { PriceListEntity } from './price-list.entity.js';
import { PriceEntity } from './price.entity.js';
import type { PromotionInput } from './pricing-input.js';
import { PromotionEntity } from './promotion.entity.js';

const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

export function toPriceListMessage(priceList: PriceListEntity, channelAccountIds: readonly string[]): catalogV1.PriceList {
  return {
    priceListId: priceList.priceListId,
    name: priceList.name,
    currency: priceList.currency,
    channelAccountIds: [...channelAccountIds].sort(),
    version: priceList.version,
    updatedAt: toTimestamp(priceList.updatedAt),
  };
}

export function toPriceMessage(price: PriceEntity, currency: string): catalogV1.Price {
  return {
    priceListId: price.priceListId,
    sku: price.sku,
    amount: money(price.amountMinor, currency),
    compareAtAmount: price.compareAtAmountMinor === null ? undefined : money(price.compareAtAmountMinor, currency),
    version: price.version,
    updatedAt: toTimestamp(price.updatedAt),
  };
}

export function toPromotionEntity(input: PromotionInput, version: number, updatedAt: Date): PromotionEntity {
  const { discount } = input;
  return Object.assign(new PromotionEntity(), {
    promotionId: input.promotionId,
    name: input.name,
    status: input.status,
    channelAccountIds: input.channelAccountIds,
    skus: input.skus,
    discountKind: discount.kind,
    discountBasisPoints: discount.kind === 'percent_off' ? discount.basisPoints : null,
    discountAmountMinor: discount.kind === 'percent_off' ? null : discount.amount.amountMinor,
    discountCurrency: discount.kind === 'percent_off' ? null : discount.amount.currency,
    startsAt: input.startsAt,
    endsAt: input.endsAt ?? null,
    priority: input.priority,
    version,
    updatedAt,
  });
}

export function discountOf(promotion: PromotionEntity): Discount {
  if (promotion.discountKind === 'percent_off') return { kind: 'percent_off', basisPoints: promotion.discountBasisPoints ?? 0 };
  return { kind: promotion.discountKind, amount: money(promotion.discountAmountMinor ?? 0, promotion.discountCurrency ?? '') };
}

export function toPromotionTerms(promotion: PromotionEntity): PromotionTerms {
  return {
    promotionId: promotion.promotionId,
    active: promotion.status === catalogV1.PromotionStatus.PROMOTION_STATUS_ACTIVE,
    channelAccountIds: promotion.channelAccountIds,
    skus: promotion.skus,
    discount: discountOf(promotion),
    startsAt: promotion.startsAt,
    endsAt: promotion.endsAt ?? undefined,
    priority: promotion.priority,
  };
}

export function toPromotionMessage(promotion: PromotionEntity): catalogV1.Promotion {
  const discount = discountOf(promotion);
  return {
    promotionId: promotion.promotionId,
    name: promotion.name,
    status: promotion.status,
    channelAccountIds: promotion.channelAccountIds,
    skus: promotion.skus,
    ...(discount.kind === 'percent_off' ? { percentOffBasisPoints: discount.basisPoints } : {}),
    ...(discount.kind === 'amount_off' ? { amountOff: discount.amount } : {}),
    ...(discount.kind === 'fixed_price' ? { fixedPrice: discount.amount } : {}),
    startsAt: toTimestamp(promotion.startsAt),
    endsAt: promotion.endsAt ? toTimestamp(promotion.endsAt) : undefined,
    priority: promotion.priority,
    version: promotion.version,
    updatedAt: toTimestamp(promotion.updatedAt),
  };
}

export function toEffectivePriceMessage(price: EffectivePriceEntity): catalogV1.EffectivePrice {
  return {
    channelAccountId: price.channelAccountId,
    channel: price.channel,
    sku: price.sku,
    amount: money(price.amountMinor, price.currency),
    compareAtAmount: price.compareAtAmountMinor === null ? undefined : money(price.compareAtAmountMinor, price.currency),
    priceListId: price.priceListId,
    promotionId: price.promotionId,
    version: price.version,
    computedAt: toTimestamp(price.computedAt),
  };
}
