import { Injectable } from '@nestjs/common';
import { catalogV1, Events } from '@retail-mesh/contracts';
import { isUniqueViolation } from '@retail-mesh/persistence';
import {
  AbortedError,
  AlreadyExistsError,
  decodePageToken,
  NotFoundError,
  OutboxPublisher,
  pageOf,
  pageSizeOf,
} from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { normalizeProductInput } from './product-input.js';
import { toProductEntity, toProductMessage, toVariantEntities, toVariantMessage } from './products.mapper.js';
import { ProductsRepository } from './products.repository.js';

@Injectable()
export class ProductsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly products: ProductsRepository,
  ) {}

  /** Creates or replaces a product and its variants, and publishes ProductUpserted in the same transaction. */
  async upsertProduct(request: catalogV1.Product | null | undefined): Promise<catalogV1.Product> {
    const input = normalizeProductInput(request);
    try {
      return await this.publisher.transaction(async ({ manager, publish }) => {
        const existing = await this.products.findProductForUpdate(manager, input.productId);
        const skus = input.variants.map((variant) => variant.sku);
        const elsewhere = (await this.products.variantsBySku(manager, skus)).find((variant) => variant.productId !== input.productId);
        if (elsewhere)
          throw new AlreadyExistsError('sku_in_other_product', `SKU ${elsewhere.sku} belongs to product ${elsewhere.productId}`);
        const gtins = input.variants.flatMap((variant) => (variant.gtin === null ? [] : [variant.gtin]));
        const gtinOwner = (await this.products.variantsByGtin(manager, gtins)).find((variant) => variant.productId !== input.productId);
        if (gtinOwner) throw new AlreadyExistsError('gtin_in_use', `GTIN ${gtinOwner.gtin} is already SKU ${gtinOwner.sku}`);

        const product = toProductEntity(input, (existing?.version ?? 0) + 1, new Date());
        const variants = toVariantEntities(input);
        await this.products.replace(manager, product, variants, existing !== null);
        const message = toProductMessage(product, variants);
        await publish({ definition: Events.catalog.productUpserted, payload: { product: message }, subject: product.productId });
        return message;
      });
    } catch (error) {
      // Two first upserts of one product (or of one SKU/GTIN) raced and the other committed first.
      if (isUniqueViolation(error))
        throw new AbortedError('concurrent_update', `product ${input.productId} changed concurrently; retry`, { cause: error });
      throw error;
    }
  }

  async getProduct(productId: string): Promise<catalogV1.Product> {
    const product = await this.products.findProduct(this.dataSource.manager, productId);
    if (!product) throw new NotFoundError('product_not_found', `no product ${JSON.stringify(productId)}`);
    return toProductMessage(product, await this.products.variantsOf(this.dataSource.manager, [productId]));
  }

  async listProducts(request: catalogV1.ListProductsRequest): Promise<catalogV1.ListProductsResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 1)?.[0];
    const rows = await this.products.listProducts(
      this.dataSource.manager,
      request.statuses,
      after === undefined ? undefined : String(after),
      pageSize + 1,
    );
    const { items, nextPageToken } = pageOf(rows, pageSize, (product) => [product.productId]);
    const variants = await this.products.variantsOf(
      this.dataSource.manager,
      items.map((product) => product.productId),
    );
    return {
      products: items.map((product) =>
        toProductMessage(
          product,
          variants.filter((variant) => variant.productId === product.productId),
        ),
      ),
      page: { nextPageToken },
    };
  }

  async getVariant(sku: string): Promise<catalogV1.GetVariantResponse> {
    const variant = await this.products.findVariant(this.dataSource.manager, sku);
    if (!variant) throw new NotFoundError('variant_not_found', `no variant with SKU ${JSON.stringify(sku)}`);
    return { variant: toVariantMessage(variant), productId: variant.productId };
  }
}
