// Resolvers of the sandbox's Admin API subset, as a graphql-js root value: plain objects whose
// function-valued fields take (args, context, info). Nested objects are built lazily.
import { GraphQLError, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { VersionFeatures } from '../api-versions.js';
import { orderRootFields } from '../orders/order-resolvers.js';
import type { SandboxServices } from '../sandbox-services.js';
import { webhookRootFields } from '../webhooks/webhook-resolvers.js';
import { MAX_INPUT_ITEMS, setQuantities, type SetQuantitiesInput, type SetQuantitiesResult } from '../inventory/set-quantities.js';
import {
  QUANTITY_NAMES,
  levelKey,
  numericIdOf,
  type AdjustmentGroup,
  type LevelState,
  type LocationState,
  type QuantityName,
  type ShopRegistry,
  type ShopState,
  type VariantState,
} from '../shops/shop-registry.js';
import { connection, type ConnectionArgs } from './connection.js';
import { idempotencyKeyOf } from './idempotency.js';

export interface ResolverScope {
  registry: ShopRegistry;
  services: SandboxServices;
  shop: ShopState;
  apiVersion: string;
  features: VersionFeatures;
  schema: GraphQLSchema;
}

function assertGid(id: string): void {
  if (numericIdOf(id) === undefined) throw new GraphQLError(`Invalid global id '${id}'`);
}

function locationNode(location: LocationState) {
  return { id: location.id, name: location.name, isActive: location.isActive };
}

function levelNode(scope: ResolverScope, level: LevelState) {
  const location = scope.shop.locations.get(level.locationId) as LocationState;
  return {
    id: `gid://shopify/InventoryLevel/${numericIdOf(level.locationId)}?inventory_item_id=${numericIdOf(level.inventoryItemId)}`,
    updatedAt: level.updatedAt,
    item: () => inventoryItemNode(scope, level.inventoryItemId),
    location: () => locationNode(location),
    quantities: ({ names }: { names: string[] }) =>
      names.map((name) => {
        if (!(QUANTITY_NAMES as readonly string[]).includes(name)) throw new GraphQLError(`The quantity name '${name}' is invalid.`);
        return {
          id: `gid://shopify/InventoryQuantity/${numericIdOf(level.locationId)}?inventory_item_id=${numericIdOf(level.inventoryItemId)}&name=${name}`,
          name,
          quantity: level.quantities[name as QuantityName],
          updatedAt: level.updatedAt,
        };
      }),
  };
}

function inventoryItemNode(scope: ResolverScope, inventoryItemId: string) {
  const variant = scope.shop.variantOfItem(inventoryItemId) as VariantState;
  const levels = () =>
    [...scope.shop.locations.values()]
      .map((location) => scope.shop.levels.get(levelKey(inventoryItemId, location.id)))
      .filter((level): level is LevelState => level !== undefined);
  return {
    id: inventoryItemId,
    sku: variant.sku,
    tracked: true,
    variant: () => variantNode(scope, variant),
    inventoryLevel: ({ locationId }: { locationId: string }) => {
      assertGid(locationId);
      const level = scope.shop.level(inventoryItemId, locationId);
      return level ? levelNode(scope, level) : null;
    },
    inventoryLevels: (args: ConnectionArgs) =>
      connection(
        levels().map((level) => ({ numericId: numericIdOf(level.locationId) ?? 0, level })),
        args,
        ({ level }) => levelNode(scope, level),
      ),
  };
}

function variantNode(scope: ResolverScope, variant: VariantState) {
  const levels = [...scope.shop.levels.values()].filter((level) => level.inventoryItemId === variant.inventoryItemId);
  return {
    id: variant.id,
    sku: variant.sku,
    title: variant.title,
    inventoryQuantity: levels.reduce((sum, level) => sum + level.quantities.available, 0),
    inventoryItem: () => inventoryItemNode(scope, variant.inventoryItemId),
  };
}

function groupNode(scope: ResolverScope, group: AdjustmentGroup) {
  return {
    id: group.id,
    createdAt: group.createdAt,
    reason: group.reason,
    referenceDocumentUri: group.referenceDocumentUri,
    changes: (filter: { inventoryItemIds?: string[] | null; locationIds?: string[] | null; quantityNames?: string[] | null }) =>
      group.changes
        .filter(
          (change) =>
            (!filter.inventoryItemIds || filter.inventoryItemIds.includes(change.inventoryItemId)) &&
            (!filter.locationIds || filter.locationIds.includes(change.locationId)) &&
            (!filter.quantityNames || filter.quantityNames.includes(change.name)),
        )
        .map((change) => ({
          name: change.name,
          delta: change.delta,
          quantityAfterChange: change.quantityAfterChange,
          ledgerDocumentUri: null,
          item: () => inventoryItemNode(scope, change.inventoryItemId),
          location: () => locationNode(scope.shop.locations.get(change.locationId) as LocationState),
        })),
  };
}

/**
 * Shopify's product search syntax, the part adapters use: `sku:ABC-1`, `sku:"A B"`, `sku:ABC*`,
 * terms joined by OR; any other term matches SKU or title text.
 */
export function variantMatcher(query: string | null | undefined): (variant: VariantState) => boolean {
  if (!query || query.trim() === '') return () => true;
  const terms = query.split(/\s+OR\s+/i).map((term) => term.trim());
  const predicates = terms.map((term) => {
    const skuTerm = /^sku:\s*(?:"([^"]*)"|'([^']*)'|(\S+))$/i.exec(term);
    if (skuTerm) {
      const value = skuTerm[1] ?? skuTerm[2] ?? skuTerm[3];
      return value.endsWith('*')
        ? (variant: VariantState) => variant.sku.startsWith(value.slice(0, -1))
        : (variant: VariantState) => variant.sku === value;
    }
    const text = term.replace(/^"|"$/g, '').toLowerCase();
    return (variant: VariantState) => variant.sku.toLowerCase().includes(text) || variant.title.toLowerCase().includes(text);
  });
  return (variant) => predicates.some((predicate) => predicate(variant));
}

function payloadOf(scope: ResolverScope, result: SetQuantitiesResult) {
  return { inventoryAdjustmentGroup: result.group ? groupNode(scope, result.group) : null, userErrors: result.userErrors };
}

export function adminRootValue(scope: ResolverScope) {
  const { shop } = scope;
  return {
    ...orderRootFields(scope),
    ...webhookRootFields(scope),
    shop: () => ({ id: shop.id, name: shop.name, myshopifyDomain: shop.domain }),
    location: ({ id }: { id?: string | null }) => {
      if (id) assertGid(id);
      const location = id ? shop.locations.get(id) : [...shop.locations.values()][0];
      return location ? locationNode(location) : null;
    },
    locations: (args: ConnectionArgs & { includeInactive?: boolean | null; query?: string | null }) =>
      connection(
        [...shop.locations.values()].filter((location) => args.includeInactive || location.isActive),
        args,
        locationNode,
      ),
    productVariant: ({ id }: { id: string }) => {
      assertGid(id);
      const variant = shop.variants.get(id);
      return variant ? variantNode(scope, variant) : null;
    },
    productVariants: (args: ConnectionArgs & { query?: string | null }) =>
      connection([...shop.variants.values()].filter(variantMatcher(args.query)), args, (variant) => variantNode(scope, variant)),
    inventoryItem: ({ id }: { id: string }) => {
      assertGid(id);
      return shop.itemVariants.has(id) ? inventoryItemNode(scope, id) : null;
    },
    inventorySetQuantities: ({ input }: { input: SetQuantitiesInput }, _context: unknown, info: GraphQLResolveInfo) => {
      const key = idempotencyKeyOf(scope.schema, info);
      if (key === null && scope.features.idempotencyRequired) {
        throw new GraphQLError('The @idempotent directive is required for this mutation in this API version.', {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      if (input.quantities.length > MAX_INPUT_ITEMS) {
        throw new GraphQLError(
          `The input array size of ${input.quantities.length} is greater than the maximum allowed of ${MAX_INPUT_ITEMS}.`,
          {
            extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
          },
        );
      }
      const fingerprint = JSON.stringify(input);
      if (key !== null) {
        const previous = shop.idempotency.get(key);
        if (previous && previous.fingerprint !== fingerprint) {
          return payloadOf(scope, {
            group: null,
            userErrors: [
              {
                code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
                field: null,
                message: 'The same idempotency key cannot be used with different operation parameters.',
              },
            ],
          });
        }
        if (previous) {
          shop.counters.idempotentReplays += 1;
          return payloadOf(scope, previous.result as SetQuantitiesResult);
        }
      }
      const result = setQuantities(scope.registry, shop, input, scope.features, key);
      if (key !== null) shop.idempotency.set(key, { fingerprint, result });
      return payloadOf(scope, result);
    },
  };
}
