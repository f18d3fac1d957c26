import type { DataSource } from 'typeorm';
import { OrderCursor } from './order-cursor.entity.js';

/** The order polling cursor per account: up to where every update was listed after it settled (OrderCursor); it only moves forward. */
export class OrderCursorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async load(channelAccountId: string): Promise<Date | null> {
    const row = await this.dataSource.getRepository(OrderCursor).findOneBy({ channelAccountId });
    return row?.lastUpdatedAfter ?? null;
  }

  async advance(channelAccountId: string, to: Date, now: Date): Promise<void> {
    const current = await this.load(channelAccountId);
    if (current !== null && current.getTime() >= to.getTime()) return;
    await this.dataSource
      .getRepository(OrderCursor)
      .upsert({ channelAccountId, lastUpdatedAfter: to, updatedAt: now }, ['channelAccountId']);
  }
}
