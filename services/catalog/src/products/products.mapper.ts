import { catalogV1, toTimestamp } from '@retail-mesh/contracts';
import { ProductEntity } from './product.entity.js';
import type { ProductInput } from './product-input.js';
import { VariantEntity } from './variant.entity.js';

export function toProductMessage(product: ProductEntity, variants: readonly VariantEntity[]): catalogV1.Product {
  return {
    productId: product.productId,
    title: product.title,
    description: product.description,
    brand: product.brand,
    status: product.status,
    variants: [...variants].sort((a, b) => a.position - b.position).map(toVariantMessage),
    version: product.version,
    updatedAt: toTimestamp(product.updatedAt),
  };
}

export function toVariantMessage(variant: VariantEntity): catalogV1.Variant {
  return {
    sku: variant.sku,
    gtin: variant.gtin ?? '',
    title: variant.title,
    options: variant.options,
    status: variant.status,
    weightGrams: variant.weightGrams,
  };
}

export function toProductEntity(input: ProductInput, version: number, updatedAt: Date): ProductEntity {
  return Object.assign(new ProductEntity(), {
    productId: input.productId,
    title: input.title,
    description: input.description,
    brand: input.brand,
    status: input.status,
    version,
    updatedAt,
  });
}

export function toVariantEntities(input: ProductInput): VariantEntity[] {
  return input.variants.map((variant, position) =>
    Object.assign(new VariantEntity(), {
      sku: variant.sku,
      productId: input.productId,
      position,
      gtin: variant.gtin,
      title: variant.title,
      options: variant.options,
      status: variant.status,
      weightGrams: variant.weightGrams,
    }),
  );
}
