import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const INBOX_TABLE = 'inbox_messages';

/** An event a consumer has processed; its key makes a second processing impossible. */
@Entity({ name: INBOX_TABLE })
export class InboxMessage {
  /** The consumer (its queue name, `<service>.<purpose>`). */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  consumer!: string;

  /** The event (envelope) id. */
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column(portableColumn.timestamp({ name: 'processed_at' }))
  processedAt!: Date;
}
