import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'products' })
export class ProductEntity {
  @PrimaryColumn({ name: 'product_id', type: 'varchar', length: 64 })
  productId!: string;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'varchar', length: 200 })
  brand!: string;

  /** catalogV1.ProductStatus */
  @Column({ type: 'integer' })
  status!: number;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
