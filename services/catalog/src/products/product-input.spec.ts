import { catalogV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { normalizeProductInput } from './product-input.js';

const { ProductStatus } = catalogV1;

function product(overrides: Partial<catalogV1.Product> = {}): catalogV1.Product {
  return catalogV1.Product.fromPartial({
    productId: 'TEE',
    title: ' Organic tee ',
    variants: [
      { sku: 'TEE-M', gtin: '4006381333931', options: [{ name: 'Size', value: 'M' }], weightGrams: 180 },
      { sku: 'TEE-L', status: ProductStatus.PRODUCT_STATUS_ARCHIVED },
    ],
    ...overrides,
  });
}

describe('normalizeProductInput', () => {
  it('trims the title, defaults statuses and turns an empty GTIN into none', () => {
    const input = normalizeProductInput(product({ status: ProductStatus.PRODUCT_STATUS_ACTIVE }));
    expect(input).toMatchObject({ productId: 'TEE', title: 'Organic tee', status: ProductStatus.PRODUCT_STATUS_ACTIVE });
    expect(input.variants).toEqual([
      {
        sku: 'TEE-M',
        gtin: '4006381333931',
        title: '',
        options: [{ name: 'Size', value: 'M' }],
        status: ProductStatus.PRODUCT_STATUS_ACTIVE,
        weightGrams: 180,
      },
      { sku: 'TEE-L', gtin: null, title: '', options: [], status: ProductStatus.PRODUCT_STATUS_ARCHIVED, weightGrams: 0 },
    ]);
    expect(normalizeProductInput(product()).status).toBe(ProductStatus.PRODUCT_STATUS_DRAFT);
  });

  it.each([
    ['missing_product', null],
    ['invalid_product_id', product({ productId: '' })],
    ['invalid_title', product({ title: '   ' })],
    ['invalid_status', product({ status: 42 as catalogV1.ProductStatus })],
    ['missing_variants', product({ variants: [] })],
    ['invalid_sku', product({ variants: [catalogV1.Variant.fromPartial({ sku: 'bad sku' })] })],
    ['duplicate_sku', product({ variants: [catalogV1.Variant.fromPartial({ sku: 'A' }), catalogV1.Variant.fromPartial({ sku: 'A' })] })],
    ['invalid_gtin', product({ variants: [catalogV1.Variant.fromPartial({ sku: 'A', gtin: '4006381333932' })] })],
    [
      'duplicate_gtin',
      product({
        variants: [
          catalogV1.Variant.fromPartial({ sku: 'A', gtin: '96385074' }),
          catalogV1.Variant.fromPartial({ sku: 'B', gtin: '96385074' }),
        ],
      }),
    ],
    ['invalid_weight', product({ variants: [catalogV1.Variant.fromPartial({ sku: 'A', weightGrams: -1 })] })],
    ['invalid_option', product({ variants: [catalogV1.Variant.fromPartial({ sku: 'A', options: [{ name: ' ', value: 'M' }] })] })],
  ])('rejects with %s', (reason, input) => {
    expect(() => normalizeProductInput(input)).toThrow(expect.objectContaining({ name: 'DomainValidationError', reason }));
  });
});
