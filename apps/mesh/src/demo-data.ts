// Demo data for `npm start` and the flow tests: a few hundred SKUs stocked at two warehouses in
// the ERP sandbox, the same variants in a Shopify sandbox shop, the catalog's listings linking
// them, and a Shopify policy with safety stock. Seeded through the same public APIs a
// retailer's team would use (sandbox admin routes, gRPC), never by writing tables.
import { catalogV1, grpcServices, inventoryV1 } from '@retail-mesh/contracts';
import { createGrpcClient, forEachConcurrently } from '@retail-mesh/service-kit';
import type { MeshLayout } from './mesh-environment.js';

export const DEMO_LOCATIONS = ['WH-EAST', 'WH-WEST'] as const;
export const DEMO_SAFETY_STOCK = 2;
export const DEMO_SHOP = 'retail-mesh-demo';
export const DEMO_SHOPIFY_LOCATION_GID = 'gid://shopify/Location/7001';
/** Amazon (merchant-fulfilled) is served from the east warehouse only, with more safety stock. */
export const DEMO_AMAZON_LOCATIONS = ['WH-EAST'] as const;
export const DEMO_AMAZON_SAFETY_STOCK = 3;

export interface DemoSku {
  sku: string;
  productId: string;
  inventoryItemGid: string;
  variantGid: string;
  onHand: Record<(typeof DEMO_LOCATIONS)[number], number>;
}

const SIZES = ['S', 'M', 'L'] as const;

/** Reference data goes in a few calls at a time: one at a time, 700 round trips made start-up slow. */
const SEED_CONCURRENCY = 8;

/** GTIN-13 with its check digit, so the demo products pass the catalog's validation. */
function gtin13(body12: string): string {
  const sum = [...body12].reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3), 0);
  return `${body12}${(10 - (sum % 10)) % 10}`;
}

export function demoSkus(productCount = 100): DemoSku[] {
  const skus: DemoSku[] = [];
  for (let product = 1; product <= productCount; product += 1) {
    SIZES.forEach((size, sizeIndex) => {
      const n = product * 10 + sizeIndex;
      skus.push({
        sku: `DEMO-${String(product).padStart(3, '0')}-${size}`,
        productId: `demo-product-${product}`,
        inventoryItemGid: `gid://shopify/InventoryItem/${900000 + n}`,
        variantGid: `gid://shopify/ProductVariant/${800000 + n}`,
        // Deterministic, varied stock: some SKUs low enough that safety stock matters.
        onHand: { 'WH-EAST': (product * 7 + sizeIndex * 3) % 40, 'WH-WEST': (product * 11 + sizeIndex * 5) % 25 },
      });
    });
  }
  return skus;
}

async function postJson(url: string, method: 'POST' | 'PUT', body: unknown): Promise<unknown> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The Shopify shop and its variants, as they exist before the mesh pushes anything. */
export async function seedShopifySandbox(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  const account = layout.shopifyAccounts[0];
  await postJson(`${layout.sandboxUrls.shopify}/_sandbox/shops`, 'POST', {
    shop: DEMO_SHOP,
    accessToken: account.accessToken,
    clientSecret: account.clientSecret,
    plan: 'advanced',
  });
  await postJson(`${layout.sandboxUrls.shopify}/_sandbox/products`, 'POST', {
    shop: DEMO_SHOP,
    locations: [{ id: DEMO_SHOPIFY_LOCATION_GID, name: 'Retail mesh fulfilment' }],
    variants: skus.map((demo) => ({ sku: demo.sku, variantId: demo.variantGid, inventoryItemId: demo.inventoryItemGid })),
  });
}

/** The seller's listings on Amazon, before the mesh pushes any quantity. */
export async function seedAmazonSandbox(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  await postJson(
    `${layout.sandboxUrls.amazon}/_sandbox/listings`,
    'POST',
    skus.map((demo) => ({ sellerId: layout.amazonSeller.sellerId, sku: demo.sku, quantity: 0 })),
  );
}

/** Stock as the ERP knows it; each position becomes a record of the ERP's change feed. */
export async function seedErpStock(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  const changes = skus.flatMap((demo) => DEMO_LOCATIONS.map((location) => ({ sku: demo.sku, location, onHand: demo.onHand[location] })));
  await postJson(`${layout.sandboxUrls.erp}/_sandbox/stock`, 'PUT', changes);
}

/** Products, variants and the Shopify and Amazon listings in the catalog, and both channels' policies in inventory. */
export async function seedMeshReferenceData(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  const account = layout.shopifyAccounts[0];
  const amazonAccount = layout.amazonAccounts[0];
  const catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, `127.0.0.1:${layout.services.catalog.grpcPort}`);
  const inventory = createGrpcClient<inventoryV1.InventoryServiceClient>(
    grpcServices.inventory,
    `127.0.0.1:${layout.services.inventory.grpcPort}`,
  );
  try {
    await inventory.upsertChannelPolicy({
      policy: {
        channelAccountId: account.channelAccountId,
        channel: 'shopify',
        safetyStock: DEMO_SAFETY_STOCK,
        eligibleLocationIds: [...DEMO_LOCATIONS],
        version: 0,
      },
    } as inventoryV1.UpsertChannelPolicyRequest);
    await inventory.upsertChannelPolicy({
      policy: {
        channelAccountId: amazonAccount.channelAccountId,
        channel: 'amazon',
        safetyStock: DEMO_AMAZON_SAFETY_STOCK,
        eligibleLocationIds: [...DEMO_AMAZON_LOCATIONS],
        version: 0,
      },
    } as inventoryV1.UpsertChannelPolicyRequest);

    const byProduct = new Map<string, DemoSku[]>();
    for (const demo of skus) byProduct.set(demo.productId, [...(byProduct.get(demo.productId) ?? []), demo]);
    await forEachConcurrently([...byProduct], SEED_CONCURRENCY, async ([productId, variants]) => {
      await catalog.upsertProduct({
        product: {
          productId,
          title: `Demo product ${productId.split('-').at(-1)}`,
          description: 'Seeded by retail-mesh embedded mode',
          brand: 'Retail Mesh',
          status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
          variants: variants.map((demo, index) => ({
            sku: demo.sku,
            gtin: gtin13(`40${demo.inventoryItemGid.slice(-6).padStart(10, '0')}`),
            title: `${demo.sku} (${SIZES[index]})`,
            options: [{ name: 'Size', value: SIZES[index] }],
            status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
            weightGrams: 250,
          })),
          version: 0,
        },
      } as catalogV1.UpsertProductRequest);
    });
    await forEachConcurrently(skus, SEED_CONCURRENCY, async (demo) => {
      await catalog.upsertChannelListing({
        listing: {
          channelAccountId: account.channelAccountId,
          channel: 'shopify',
          sku: demo.sku,
          externalProductId: '',
          externalVariantId: demo.variantGid,
          externalInventoryItemId: demo.inventoryItemGid,
          externalLocationId: DEMO_SHOPIFY_LOCATION_GID,
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        },
      } as catalogV1.UpsertChannelListingRequest);
      await catalog.upsertChannelListing({
        listing: {
          channelAccountId: amazonAccount.channelAccountId,
          channel: 'amazon',
          sku: demo.sku,
          externalProductId: '',
          externalVariantId: '',
          externalInventoryItemId: '',
          externalLocationId: '',
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        },
      } as catalogV1.UpsertChannelListingRequest);
    });
  } finally {
    catalog.close();
    inventory.close();
  }
}

/** What the channels hold before the mesh runs: pass it as `beforeServices`, then seed the rest with seedDemoMesh. */
export async function seedDemoChannels(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  await seedShopifySandbox(layout, skus);
  await seedAmazonSandbox(layout, skus);
}

/** The mesh's reference data (through its APIs) and the ERP's stock, once the services run. */
export async function seedDemoMesh(layout: MeshLayout, skus: DemoSku[]): Promise<void> {
  await seedMeshReferenceData(layout, skus);
  await seedErpStock(layout, skus);
}
