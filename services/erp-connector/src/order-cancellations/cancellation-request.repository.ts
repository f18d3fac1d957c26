import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CancellationRequestEntity } from './cancellation-request.entity.js';
import type { CancellationRequest } from './own-cancellations.js';

@Injectable()
export class CancellationRequestRepository {
  /** Replaces what `eventId` asked for (a redelivery computes it again against the ERP's current lines). */
  async replaceForEvent(manager: EntityManager, eventId: string, requests: readonly CancellationRequest[]): Promise<void> {
    await this.deleteForEvent(manager, eventId);
    if (requests.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(CancellationRequestEntity)
      .values(requests.map((request) => ({ ...request })))
      .updateEntity(false)
      .execute();
  }

  async deleteForEvent(manager: EntityManager, eventId: string): Promise<void> {
    await manager.delete(CancellationRequestEntity, { eventId });
  }

  /** The requests on a sales order the feed has not fully reported back yet. */
  async openForSalesOrder(manager: EntityManager, erpOrderId: string): Promise<CancellationRequest[]> {
    return manager
      .createQueryBuilder(CancellationRequestEntity, 'request')
      .where('request.erpOrderId = :erpOrderId', { erpOrderId })
      .andWhere('request.reportedQuantity < request.requestedQuantity')
      .getMany();
  }

  async saveReported(manager: EntityManager, requests: readonly CancellationRequest[]): Promise<void> {
    for (const request of requests) {
      await manager.update(
        CancellationRequestEntity,
        { eventId: request.eventId, erpOrderId: request.erpOrderId, erpLine: request.erpLine },
        { reportedQuantity: request.reportedQuantity },
      );
    }
  }
}
