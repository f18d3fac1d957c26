import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Generated, PrimaryColumn } from 'typeorm';

export const OUTBOX_TABLE = 'outbox_messages';

/** A message written in a business transaction, waiting for (or kept after) publication. */
@Entity({ name: OUTBOX_TABLE })
export class OutboxMessage {
  /** Insertion order: the relay publishes in this order. A bigint, read as a number. */
  @PrimaryColumn({ type: 'bigint', transformer: { to: (value: unknown) => value, from: (value: string | number) => Number(value) } })
  @Generated('increment')
  seq!: number;

  /** The event (envelope) id. */
  @Column({ type: 'uuid', unique: true })
  id!: string;

  @Column({ name: 'routing_key', type: 'varchar', length: 255 })
  routingKey!: string;

  @Column(portableColumn.bytes())
  body!: Buffer;

  @Column(portableColumn.json())
  headers!: Record<string, string>;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  /** Null until the broker confirmed it. */
  @Column(portableColumn.timestamp({ name: 'published_at', nullable: true }))
  publishedAt!: Date | null;

  /** Publish attempts, successful or not. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;
}
