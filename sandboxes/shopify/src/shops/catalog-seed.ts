// Seeding a shop's locations and variants (`POST /_sandbox/products`). Seeding is idempotent per
// SKU and per location name, so a test or the mesh start-up can run it more than once.
import {
  emptyQuantities,
  numericIdOf,
  levelKey,
  type LocationState,
  type ShopRegistry,
  type ShopState,
  type VariantState,
} from './shop-registry.js';

export interface LocationSeed {
  id?: string;
  name: string;
  isActive?: boolean;
}

export interface LevelSeed {
  /** The location's gid, or its name. */
  locationId?: string;
  locationName?: string;
  available?: number;
  /** Defaults to `available` (nothing committed). */
  onHand?: number;
}

export interface VariantSeed {
  sku: string;
  title?: string;
  variantId?: string;
  inventoryItemId?: string;
  /** Where the item is stocked. Default: every location of the shop, at 0. */
  levels?: LevelSeed[];
}

export interface CatalogSeed {
  locations?: LocationSeed[];
  variants?: VariantSeed[];
}

export type SeedResult = { ok: true; locations: LocationState[]; variants: VariantState[] } | { ok: false; error: string };

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function validate(seed: CatalogSeed): string | undefined {
  for (const [index, location] of (seed.locations ?? []).entries()) {
    if (typeof location?.name !== 'string' || location.name === '') return `locations[${index}].name is required`;
    if (location.id !== undefined && !location.id.startsWith('gid://shopify/Location/'))
      return `locations[${index}].id must be a Location gid`;
  }
  for (const [index, variant] of (seed.variants ?? []).entries()) {
    if (typeof variant?.sku !== 'string' || variant.sku === '') return `variants[${index}].sku is required`;
    if (variant.variantId !== undefined && !variant.variantId.startsWith('gid://shopify/ProductVariant/'))
      return `variants[${index}].variantId must be a ProductVariant gid`;
    if (variant.inventoryItemId !== undefined && !variant.inventoryItemId.startsWith('gid://shopify/InventoryItem/')) {
      return `variants[${index}].inventoryItemId must be an InventoryItem gid`;
    }
    for (const [levelIndex, level] of (variant.levels ?? []).entries()) {
      if (level.available !== undefined && !isNonNegativeInteger(level.available))
        return `variants[${index}].levels[${levelIndex}].available must be a non-negative integer`;
      if (level.onHand !== undefined && !isNonNegativeInteger(level.onHand))
        return `variants[${index}].levels[${levelIndex}].onHand must be a non-negative integer`;
    }
  }
  return undefined;
}

function ensureLocation(registry: ShopRegistry, shop: ShopState, seed: LocationSeed): LocationState {
  const existing =
    seed.id !== undefined ? shop.locations.get(seed.id) : [...shop.locations.values()].find((location) => location.name === seed.name);
  if (existing) {
    existing.name = seed.name;
    existing.isActive = seed.isActive ?? existing.isActive;
    return existing;
  }
  const { id, numericId } = seed.id !== undefined ? { id: seed.id, numericId: numericIdOf(seed.id) ?? 0 } : registry.newId('Location');
  const location = { id, numericId, name: seed.name, isActive: seed.isActive ?? true };
  shop.locations.set(id, location);
  return location;
}

function ensureVariant(registry: ShopRegistry, shop: ShopState, seed: VariantSeed): VariantState {
  const existing =
    seed.variantId !== undefined
      ? shop.variants.get(seed.variantId)
      : [...shop.variants.values()].find((variant) => variant.sku === seed.sku);
  if (existing) {
    existing.sku = seed.sku;
    existing.title = seed.title ?? existing.title;
    return existing;
  }
  const { id, numericId } =
    seed.variantId !== undefined ? { id: seed.variantId, numericId: numericIdOf(seed.variantId) ?? 0 } : registry.newId('ProductVariant');
  const inventoryItemId = seed.inventoryItemId ?? registry.newId('InventoryItem').id;
  const variant = { id, numericId, sku: seed.sku, title: seed.title ?? seed.sku, inventoryItemId };
  shop.variants.set(id, variant);
  shop.itemVariants.set(inventoryItemId, id);
  return variant;
}

export function seedCatalog(registry: ShopRegistry, shop: ShopState, seed: CatalogSeed): SeedResult {
  const problem = validate(seed);
  if (problem) return { ok: false, error: problem };
  for (const variant of seed.variants ?? []) {
    for (const level of variant.levels ?? []) {
      const known = [...shop.locations.values()].some(
        (location) => location.id === level.locationId || location.name === level.locationName,
      );
      const seeded = (seed.locations ?? []).some((location) => location.id === level.locationId || location.name === level.locationName);
      if (!known && !seeded)
        return { ok: false, error: `variant ${variant.sku}: unknown location ${level.locationId ?? level.locationName}` };
    }
  }

  const locations = (seed.locations ?? []).map((location) => ensureLocation(registry, shop, location));
  const variants = (seed.variants ?? []).map((variantSeed) => {
    const variant = ensureVariant(registry, shop, variantSeed);
    const levels: LevelSeed[] = variantSeed.levels ?? [...shop.locations.values()].map((location) => ({ locationId: location.id }));
    for (const level of levels) {
      const location = [...shop.locations.values()].find(
        (candidate) => candidate.id === level.locationId || candidate.name === level.locationName,
      );
      if (!location) continue;
      const key = levelKey(variant.inventoryItemId, location.id);
      const current = shop.levels.get(key);
      if (current && variantSeed.levels === undefined) continue;
      const quantities = current?.quantities ?? emptyQuantities();
      quantities.available = level.available ?? quantities.available;
      quantities.on_hand = level.onHand ?? level.available ?? quantities.on_hand;
      shop.levels.set(key, {
        inventoryItemId: variant.inventoryItemId,
        locationId: location.id,
        quantities,
        updatedAt: registry.timestamp(),
        appliedMutations: current?.appliedMutations ?? 0,
        history: current?.history ?? [],
      });
    }
    return variant;
  });
  return { ok: true, locations, variants };
}
