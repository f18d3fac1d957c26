// Which Shopify inventory level a SKU's availability goes to, read from the catalog's channel
// listing (the catalog owns SKU <-> channel ids). Shopify addresses inventory by inventory item
// and location gids; listings may carry them as gids or as the bare numeric ids of the REST API.
import type { catalogV1 } from '@retail-mesh/contracts';

export interface ShopifyInventoryTarget {
  inventoryItemId: string;
  locationId: string;
}

export type ShopifyListing =
  | { listed: true; sku: string; target: ShopifyInventoryTarget; productId: string; variantId: string }
  | { listed: false; sku: string; reason: string };

const NUMERIC_ID = /^[1-9][0-9]{0,19}$/;
const SHOPIFY_GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([1-9][0-9]{0,19})$/;

/** A Shopify gid of `kind` from a gid or a numeric id; undefined when it is neither, or a gid of another kind. */
export function toShopifyGid(kind: string, value: string): string | undefined {
  const trimmed = value.trim();
  if (NUMERIC_ID.test(trimmed)) return `gid://shopify/${kind}/${trimmed}`;
  const match = SHOPIFY_GID.exec(trimmed);
  return match && match[1] === kind ? trimmed : undefined;
}

/** Maps the catalog's listing of `sku` (undefined when there is none) to where Shopify keeps its inventory. */
export function toShopifyListing(sku: string, listing: catalogV1.ChannelListing | undefined): ShopifyListing {
  if (listing === undefined) return { listed: false, sku, reason: 'the catalog has no listing of this SKU for the channel account' };
  if (listing.externalInventoryItemId === '') return { listed: false, sku, reason: 'the listing has no external_inventory_item_id' };
  if (listing.externalLocationId === '') return { listed: false, sku, reason: 'the listing has no external_location_id' };
  const inventoryItemId = toShopifyGid('InventoryItem', listing.externalInventoryItemId);
  if (inventoryItemId === undefined) {
    return {
      listed: false,
      sku,
      reason: `external_inventory_item_id "${listing.externalInventoryItemId}" is not a Shopify InventoryItem id`,
    };
  }
  const locationId = toShopifyGid('Location', listing.externalLocationId);
  if (locationId === undefined) {
    return { listed: false, sku, reason: `external_location_id "${listing.externalLocationId}" is not a Shopify Location id` };
  }
  return {
    listed: true,
    sku,
    target: { inventoryItemId, locationId },
    productId: toShopifyGid('Product', listing.externalProductId) ?? listing.externalProductId,
    variantId: toShopifyGid('ProductVariant', listing.externalVariantId) ?? listing.externalVariantId,
  };
}
