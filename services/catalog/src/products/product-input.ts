// Checks and normalises an UpsertProduct request before anything is written. Pure.
import { catalogV1 } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { assertGtin, assertProductId, assertSku } from './product-identifiers.js';

const { ProductStatus } = catalogV1;

export interface VariantInput {
  sku: string;
  gtin: string | null;
  title: string;
  options: { name: string; value: string }[];
  status: catalogV1.ProductStatus;
  weightGrams: number;
}

export interface ProductInput {
  productId: string;
  title: string;
  description: string;
  brand: string;
  status: catalogV1.ProductStatus;
  variants: VariantInput[];
}

const STATUSES = new Set([ProductStatus.PRODUCT_STATUS_DRAFT, ProductStatus.PRODUCT_STATUS_ACTIVE, ProductStatus.PRODUCT_STATUS_ARCHIVED]);

/**
 * An unspecified product status means DRAFT and an unspecified variant status means the
 * product's; an empty GTIN means none. `version` and `updated_at` are the service's to set.
 */
export function normalizeProductInput(product: catalogV1.Product | null | undefined): ProductInput {
  if (!product) throw new DomainValidationError('missing_product', 'product is required');
  assertProductId(product.productId);
  const title = product.title.trim();
  if (title.length === 0 || title.length > 500) throw new DomainValidationError('invalid_title', 'title must be 1-500 characters');
  if (product.brand.length > 200) throw new DomainValidationError('invalid_brand', 'brand must be at most 200 characters');
  const status = statusOf(product.status, ProductStatus.PRODUCT_STATUS_DRAFT, 'product');
  if (product.variants.length === 0) throw new DomainValidationError('missing_variants', 'a product needs at least one variant');

  const skus = new Set<string>();
  const gtins = new Set<string>();
  const variants = product.variants.map((variant): VariantInput => {
    assertSku(variant.sku);
    if (skus.has(variant.sku)) throw new DomainValidationError('duplicate_sku', `SKU ${variant.sku} appears twice`);
    skus.add(variant.sku);
    const gtin = variant.gtin === '' ? null : variant.gtin;
    if (gtin !== null) {
      assertGtin(gtin);
      if (gtins.has(gtin)) throw new DomainValidationError('duplicate_gtin', `GTIN ${gtin} appears on two variants`);
      gtins.add(gtin);
    }
    if (!Number.isSafeInteger(variant.weightGrams) || variant.weightGrams < 0) {
      throw new DomainValidationError(
        'invalid_weight',
        `weight_grams of ${variant.sku} must be a non-negative integer, got ${variant.weightGrams}`,
      );
    }
    if (variant.title.length > 500)
      throw new DomainValidationError('invalid_title', `title of ${variant.sku} must be at most 500 characters`);
    for (const option of variant.options) {
      if (option.name.trim() === '') throw new DomainValidationError('invalid_option', `an option of ${variant.sku} has no name`);
    }
    return {
      sku: variant.sku,
      gtin,
      title: variant.title,
      options: variant.options.map((option) => ({ name: option.name, value: option.value })),
      status: statusOf(variant.status, status, `variant ${variant.sku}`),
      weightGrams: variant.weightGrams,
    };
  });
  return { productId: product.productId, title, description: product.description, brand: product.brand, status, variants };
}

function statusOf(value: catalogV1.ProductStatus, whenUnspecified: catalogV1.ProductStatus, what: string): catalogV1.ProductStatus {
  if (value === ProductStatus.PRODUCT_STATUS_UNSPECIFIED) return whenUnspecified;
  if (!STATUSES.has(value)) throw new DomainValidationError('invalid_status', `${what} has an unknown status ${value}`);
  return value;
}
