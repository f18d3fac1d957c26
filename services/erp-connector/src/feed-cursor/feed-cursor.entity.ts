import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where the connector stands in an ERP change feed. Saved in the transaction that queues the feed's events. */
@Entity({ name: 'feed_cursor' })
export class FeedCursorEntity {
  /** The feed, e.g. `stock`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  feed!: string;

  /** The ERP's cursor to read after (opaque to us; the stock feed uses its sequence number). */
  @Column({ name: 'after_cursor', type: 'varchar', length: 64 })
  afterCursor!: string;

  /** Version (feed sequence) of the last change published from this feed; 0 before the first. */
  @Column(portableColumn.bigint({ name: 'last_version' }))
  lastVersion!: number;

  /** ERP time of the last change published from this feed. */
  @Column(portableColumn.timestamp({ name: 'last_change_at', nullable: true }))
  lastChangeAt!: Date | null;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
