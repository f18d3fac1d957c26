import type { DataSource, EntityManager } from 'typeorm';
import type { KnownOrder } from './amazon-order.mapper.js';
import { AmazonOrderEntity } from './amazon-order.entity.js';

const MAX_ERROR_LENGTH = 1000;

export interface OrderRecord {
  channelAccountId: string;
  amazonOrderId: string;
  lastUpdateDate: string;
  orderStatus: string;
  orderId?: string | null;
  submittedAt?: Date | null;
  cancelSubmittedAt?: Date | null;
  shippedUnitsReported?: number;
  lastError?: string | null;
}

/** The amazon_orders table: what the intake knows of each Amazon order it read. */
export class AmazonOrderRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(channelAccountId: string, amazonOrderIds: readonly string[]): Promise<Map<string, KnownOrder & { amazonOrderId: string }>> {
    if (amazonOrderIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(AmazonOrderEntity)
      .createQueryBuilder('row')
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('row.amazonOrderId IN (:...ids)', { ids: [...amazonOrderIds] })
      .getMany();
    return new Map(
      rows.map((row) => [
        row.amazonOrderId,
        {
          amazonOrderId: row.amazonOrderId,
          lastUpdateDate: row.lastUpdateDate,
          orderStatus: row.orderStatus,
          orderId: row.orderId,
          cancelSubmitted: row.cancelSubmittedAt !== null,
          shippedUnitsReported: row.shippedUnitsReported,
        },
      ]),
    );
  }

  /** Inserts or updates the record; fields not given keep their stored value. */
  async save(manager: EntityManager, record: OrderRecord, now: Date): Promise<void> {
    const existing = await manager.findOneBy(AmazonOrderEntity, {
      channelAccountId: record.channelAccountId,
      amazonOrderId: record.amazonOrderId,
    });
    const merged = {
      channelAccountId: record.channelAccountId,
      amazonOrderId: record.amazonOrderId,
      lastUpdateDate: record.lastUpdateDate,
      orderStatus: record.orderStatus,
      orderId: record.orderId !== undefined ? record.orderId : (existing?.orderId ?? null),
      submittedAt: record.submittedAt !== undefined ? record.submittedAt : (existing?.submittedAt ?? null),
      cancelSubmittedAt: record.cancelSubmittedAt !== undefined ? record.cancelSubmittedAt : (existing?.cancelSubmittedAt ?? null),
      shippedUnitsReported: record.shippedUnitsReported ?? existing?.shippedUnitsReported ?? 0,
      lastError: record.lastError !== undefined ? (record.lastError?.slice(0, MAX_ERROR_LENGTH) ?? null) : (existing?.lastError ?? null),
      updatedAt: now,
    };
    await manager.upsert(AmazonOrderEntity, merged, ['channelAccountId', 'amazonOrderId']);
  }
}
