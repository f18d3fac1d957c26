import { Injectable } from '@nestjs/common';
import { In, MoreThan, type EntityManager } from 'typeorm';
import { forUpdate } from '@retail-mesh/persistence';
import { ProductEntity } from './product.entity.js';
import { VariantEntity } from './variant.entity.js';

/** Products and variants tables. Every method takes the manager of the caller's transaction (or the DataSource's). */
@Injectable()
export class ProductsRepository {
  /** The product, locked until the transaction ends. */
  findProductForUpdate(manager: EntityManager, productId: string): Promise<ProductEntity | null> {
    return forUpdate(
      manager,
      manager.getRepository(ProductEntity).createQueryBuilder('product').where('product.productId = :productId', { productId }),
    ).getOne();
  }

  findProduct(manager: EntityManager, productId: string): Promise<ProductEntity | null> {
    return manager.findOneBy(ProductEntity, { productId });
  }

  variantsOf(manager: EntityManager, productIds: readonly string[]): Promise<VariantEntity[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return manager.find(VariantEntity, { where: { productId: In([...productIds]) }, order: { productId: 'ASC', position: 'ASC' } });
  }

  findVariant(manager: EntityManager, sku: string): Promise<VariantEntity | null> {
    return manager.findOneBy(VariantEntity, { sku });
  }

  variantsBySku(manager: EntityManager, skus: readonly string[]): Promise<VariantEntity[]> {
    return skus.length === 0 ? Promise.resolve([]) : manager.findBy(VariantEntity, { sku: In([...skus]) });
  }

  variantsByGtin(manager: EntityManager, gtins: readonly string[]): Promise<VariantEntity[]> {
    return gtins.length === 0 ? Promise.resolve([]) : manager.findBy(VariantEntity, { gtin: In([...gtins]) });
  }

  /** Replaces the product row and all its variants. */
  async replace(manager: EntityManager, product: ProductEntity, variants: readonly VariantEntity[], existed: boolean): Promise<void> {
    if (existed) {
      await manager.update(ProductEntity, { productId: product.productId }, product);
      await manager.delete(VariantEntity, { productId: product.productId });
    } else {
      await manager.insert(ProductEntity, product);
    }
    await manager.insert(VariantEntity, [...variants]);
  }

  /** Up to `limit` products after `afterProductId`, by id, optionally of some statuses. */
  listProducts(
    manager: EntityManager,
    statuses: readonly number[],
    afterProductId: string | undefined,
    limit: number,
  ): Promise<ProductEntity[]> {
    return manager.find(ProductEntity, {
      where: {
        ...(statuses.length > 0 ? { status: In([...statuses]) } : {}),
        ...(afterProductId !== undefined ? { productId: MoreThan(afterProductId) } : {}),
      },
      order: { productId: 'ASC' },
      take: limit,
    });
  }
}
