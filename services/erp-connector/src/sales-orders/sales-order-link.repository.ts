import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { forUpdate, withTransaction } from '@retail-mesh/persistence';
import { DataSource, In, type EntityManager } from 'typeorm';
import { SalesOrderLinkEntity, type LinkStatus } from './sales-order-link.entity.js';

export type ClaimDecision = 'done' | 'busy' | 'claim';

/**
 * What a request for `key` does with the link as stored: a CREATED link is the answer whatever
 * the key (one sales order per order); a REJECTED one is the answer for the key that got it, and
 * tried again for a new key (an operator released the hold after fixing the ERP); a PENDING one
 * is claimed unless another request holds a live claim.
 */
export function decideClaim(
  link: Pick<SalesOrderLinkEntity, 'status' | 'idempotencyKey' | 'claimedUntil'>,
  key: string,
  now: Date,
): ClaimDecision {
  if (link.status === 'CREATED') return 'done';
  if (link.status === 'REJECTED' && link.idempotencyKey === key) return 'done';
  if (link.claimedUntil !== null && link.claimedUntil > now) return 'busy';
  return 'claim';
}

export type ClaimResult =
  | { kind: 'done'; link: SalesOrderLinkEntity }
  | { kind: 'busy'; link: SalesOrderLinkEntity }
  | { kind: 'claimed'; link: SalesOrderLinkEntity; token: string };

@Injectable()
export class SalesOrderLinkRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the link on the first request and claims it for this request, in one short
   * transaction holding the row lock: of two concurrent requests for one order, one claims and
   * the other sees the claim. The ERP is called after the commit, never inside the transaction.
   */
  claim(orderId: string, key: string, externalId: string, claimMs: number): Promise<ClaimResult> {
    return withTransaction(this.dataSource, async (manager) => {
      const now = new Date();
      await manager
        .createQueryBuilder()
        .insert()
        .into(SalesOrderLinkEntity)
        .values({
          orderId,
          idempotencyKey: key,
          externalId,
          erpOrderId: null,
          status: 'PENDING',
          attempts: 0,
          lastErrorCode: null,
          lastError: null,
          claimToken: null,
          claimedUntil: null,
          createdAt: now,
          updatedAt: now,
        })
        .orIgnore()
        .execute();
      const link = await this.lockedLink(manager, orderId);
      const decision = decideClaim(link, key, now);
      if (decision !== 'claim') return { kind: decision, link };
      const token = randomUUID();
      Object.assign(link, {
        status: 'PENDING' satisfies LinkStatus,
        idempotencyKey: key,
        attempts: link.attempts + 1,
        claimToken: token,
        claimedUntil: new Date(now.getTime() + claimMs),
        updatedAt: now,
      });
      await manager.save(SalesOrderLinkEntity, link);
      return { kind: 'claimed', link, token };
    });
  }

  /** Records the outcome of a claimed attempt; false when the claim was lost (expired and taken over). */
  async finish(
    manager: EntityManager,
    orderId: string,
    token: string,
    outcome: { status: 'CREATED'; erpOrderId: string } | { status: 'REJECTED'; code: string; message: string },
  ): Promise<boolean> {
    const values =
      outcome.status === 'CREATED'
        ? { status: outcome.status, erpOrderId: outcome.erpOrderId, lastErrorCode: null, lastError: null }
        : { status: outcome.status, lastErrorCode: outcome.code.slice(0, 64), lastError: outcome.message };
    const result = await manager.update(
      SalesOrderLinkEntity,
      { orderId, claimToken: token },
      { ...values, claimToken: null, claimedUntil: null, updatedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Gives the claim back after a transient failure, keeping the error for GetSalesOrder. */
  async release(orderId: string, token: string, code: string, message: string): Promise<void> {
    await this.dataSource.manager.update(
      SalesOrderLinkEntity,
      { orderId, claimToken: token },
      { lastErrorCode: code.slice(0, 64), lastError: message, claimToken: null, claimedUntil: null, updatedAt: new Date() },
    );
  }

  find(manager: EntityManager, key: { orderId: string } | { erpOrderId: string }): Promise<SalesOrderLinkEntity | null> {
    return manager.findOne(SalesOrderLinkEntity, { where: key, order: { orderId: 'ASC' } });
  }

  /** Mesh order ids of the ERP sales orders given (those the connector created). */
  async orderIdsByErpOrderId(manager: EntityManager, erpOrderIds: readonly string[]): Promise<Map<string, string>> {
    if (erpOrderIds.length === 0) return new Map();
    const links = await manager.find(SalesOrderLinkEntity, { where: { erpOrderId: In([...new Set(erpOrderIds)]) } });
    return new Map(links.map((link) => [link.erpOrderId!, link.orderId]));
  }

  countPending(manager: EntityManager): Promise<number> {
    return manager.count(SalesOrderLinkEntity, { where: { status: 'PENDING' } });
  }

  private async lockedLink(manager: EntityManager, orderId: string): Promise<SalesOrderLinkEntity> {
    const query = manager.createQueryBuilder(SalesOrderLinkEntity, 'link').where('link.order_id = :orderId', { orderId });
    return forUpdate(manager, query).getOneOrFail();
  }
}
