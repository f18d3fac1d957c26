import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityColumns, forUpdate, inChunks, returnedRows, SqlParameters, withTransaction } from '@retail-mesh/persistence';
import { DataSource, In, type EntityManager } from 'typeorm';
import { SalesOrderLinkEntity, type LinkStatus } from './sales-order-link.entity.js';

export type ClaimDecision = 'done' | 'busy' | 'claim';

const LINK_TABLE = 'sales_order_link';

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

/** What an attempt came to: the ERP's sales order, or its refusal. */
export type Outcome = { status: 'CREATED'; erpOrderId: string } | { status: 'REJECTED'; code: string; message: string };

/** A request for the link of an order: its idempotency key and the external id of a first attempt. */
export interface ClaimRequest {
  orderId: string;
  key: string;
  externalId: string;
}

// Thirteen parameters a row: well under both databases' bound-parameter limits.
const LINKS_PER_STATEMENT = 100;

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

  /**
   * `claim` for several requests at once. An order seen for the first time (the usual case) gets
   * its link created already claimed, by one INSERT ... ON CONFLICT DO NOTHING for all of them
   * (atomic on its own: a concurrent insert of the same order makes it do nothing); only the
   * requests whose order already had a link (or came twice) go through `claim`'s locked read.
   */
  async claimMany(requests: readonly ClaimRequest[], claimMs: number): Promise<ClaimResult[]> {
    const now = new Date();
    const token = randomUUID();
    const firsts = new Map<string, SalesOrderLinkEntity>();
    for (const { orderId, key, externalId } of requests) {
      if (firsts.has(orderId)) continue;
      firsts.set(orderId, {
        orderId,
        idempotencyKey: key,
        externalId,
        erpOrderId: null,
        status: 'PENDING',
        attempts: 1,
        lastErrorCode: null,
        lastError: null,
        claimToken: token,
        claimedUntil: new Date(now.getTime() + claimMs),
        createdAt: now,
        updatedAt: now,
      });
    }
    const inserted = await this.insertClaimed([...firsts.values()].sort((a, b) => a.orderId.localeCompare(b.orderId)));
    const results: ClaimResult[] = [];
    for (const { orderId, key, externalId } of requests) {
      if (inserted.delete(orderId)) results.push({ kind: 'claimed', link: firsts.get(orderId)!, token });
      else results.push(await this.claim(orderId, key, externalId, claimMs));
    }
    return results;
  }

  /**
   * Records the outcomes of claimed attempts, in one statement per 100; returns the orders whose
   * claim still held (a lost one expired and was taken over: its outcome is not written).
   */
  async finishAll(
    manager: EntityManager,
    finished: ReadonlyArray<{ orderId: string; token: string; outcome: Outcome }>,
    at: Date,
  ): Promise<Set<string>> {
    const columns = EntityColumns.of(manager.connection, SalesOrderLinkEntity, [
      'orderId',
      'claimToken',
      'status',
      'erpOrderId',
      'lastErrorCode',
      'lastError',
      'updatedAt',
    ]);
    const won = await inChunks(finished, LINKS_PER_STATEMENT, (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map(({ orderId, token, outcome }) =>
          outcome.status === 'CREATED'
            ? [orderId, token, outcome.status, outcome.erpOrderId, null, null, at]
            : [orderId, token, outcome.status, null, outcome.code.slice(0, 64), outcome.message, at],
        ),
      );
      return returnedRows<{ order_id: string }>(
        manager,
        `WITH v(${columns.names}) AS (${source})
         UPDATE ${LINK_TABLE} SET status = v.status,
           erp_order_id = CASE WHEN v.status = 'CREATED' THEN v.erp_order_id ELSE ${LINK_TABLE}.erp_order_id END,
           last_error_code = v.last_error_code, last_error = v.last_error, claim_token = NULL, claimed_until = NULL,
           updated_at = v.updated_at
         FROM v WHERE ${LINK_TABLE}.order_id = v.order_id AND ${LINK_TABLE}.claim_token = v.claim_token
         RETURNING ${LINK_TABLE}.order_id`,
        parameters.values,
      );
    });
    return new Set(won.map((row) => row.order_id));
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

  /** Inserts the links whose order has none yet; returns their order ids. */
  private async insertClaimed(links: readonly SalesOrderLinkEntity[]): Promise<Set<string>> {
    const columns = EntityColumns.of(this.dataSource, SalesOrderLinkEntity, [
      'orderId',
      'idempotencyKey',
      'externalId',
      'erpOrderId',
      'status',
      'attempts',
      'lastErrorCode',
      'lastError',
      'claimToken',
      'claimedUntil',
      'createdAt',
      'updatedAt',
    ]);
    const inserted = await inChunks(links, LINKS_PER_STATEMENT, async (chunk) => {
      // Values in placeholder order: TypeORM's named parameters cost more than the statement here.
      const parameters = SqlParameters.for(this.dataSource);
      const source = parameters.rowSource(
        columns,
        chunk.map((link) => columns.valuesOf(link)),
      );
      const returned: Array<{ order_id: string }> = await this.dataSource.query(
        `INSERT INTO ${LINK_TABLE} (${columns.names}) ${source} ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
        parameters.values,
      );
      return returned;
    });
    return new Set(inserted.map((row) => row.order_id));
  }

  private async lockedLink(manager: EntityManager, orderId: string): Promise<SalesOrderLinkEntity> {
    const query = manager.createQueryBuilder(SalesOrderLinkEntity, 'link').where('link.order_id = :orderId', { orderId });
    return forUpdate(manager, query).getOneOrFail();
  }
}
