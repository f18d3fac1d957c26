import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface VariantOptionValue {
  name: string;
  value: string;
}

/** A sellable variant. The SKU is unique across the catalog; so is the GTIN when set. */
@Entity({ name: 'variants' })
export class VariantEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ name: 'product_id', type: 'varchar', length: 64 })
  productId!: string;

  /** Order of the variant within its product, as the upsert listed them. */
  @Column({ type: 'integer' })
  position!: number;

  /** Null when the variant has none (unique indexes allow many nulls on both databases). */
  @Column({ type: 'varchar', length: 14, nullable: true })
  gtin!: string | null;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column(portableColumn.json())
  options!: VariantOptionValue[];

  /** catalogV1.ProductStatus */
  @Column({ type: 'integer' })
  status!: number;

  @Column(portableColumn.bigint({ name: 'weight_grams' }))
  weightGrams!: number;
}
