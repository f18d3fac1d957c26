import { Inject, Injectable } from '@nestjs/common';
import { HttpStatusError } from '@retail-mesh/channel-kit';
import { fromTimestamp, type erpV1, type ordersV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
import { InvalidArgumentError, NotFoundError, OutboxPublisher, UnavailableError, type OutgoingEvent } from '@retail-mesh/service-kit';
import { GroupCommit } from '@retail-mesh/persistence';
import { DataSource } from 'typeorm';
import { ErpMalformedResponseError, isErpTransientError } from '../erp-client/erp-http.client.js';
import { ErpSalesOrderClient } from '../erp-client/erp-sales-order.client.js';
import { isPermanentRejection, netSuiteErrorOf } from '../erp-client/netsuite-error.js';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { toSalesOrderLink, salesOrderCreatedEvent, salesOrderRejectedEvent } from './sales-order-link.mapper.js';
import type { SalesOrderLinkEntity } from './sales-order-link.entity.js';
import { SalesOrderLinkRepository, type ClaimRequest, type ClaimResult, type Outcome } from './sales-order-link.repository.js';
import { assertSalesOrderInput, salesOrderExternalId, toNetSuiteSalesOrder } from './sales-order.mapper.js';

// Backoff ceiling of the HTTP client between retries (erp-connector.module.ts).
const RETRY_MAX_DELAY_MS = 5000;
const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** A claimed attempt's outcome, to be recorded. */
interface Finished {
  order: ordersV1.Order;
  link: SalesOrderLinkEntity;
  token: string;
  outcome: Outcome;
}

// Requests whose link rows one transaction claims or finishes at most.
const MAX_GROUP = 100;

/**
 * CreateSalesOrder and GetSalesOrder. One sales order per mesh order: the link row is claimed in
 * a short transaction (a concurrent request for the same order sees the claim and answers
 * UNAVAILABLE, to be retried), the ERP is called outside any transaction, and the outcome is
 * written with its event (erp.sales_order_created / _rejected) in one transaction. The ERP call
 * itself is idempotent, so a retry after a lost answer finds the first sales order:
 *   netsuite: upsert by external id with X-NetSuite-Idempotency-Key (a repeat answers 400
 *             IDEMPOTENCY_ERROR pointing at the first result);
 *   lookup:   query by external id, create only if absent; after an ambiguous failure of the
 *             create, query again before answering.
 */
@Injectable()
export class SalesOrderService {
  /** Longer than any one attempt can take, so a live claim is never taken over mid-call. */
  private readonly claimMs: number;
  // Concurrent requests claim and finish their links together: one transaction for all that
  // arrive while the previous one runs.
  private readonly claims = new GroupCommit<ClaimRequest, ClaimResult>(MAX_GROUP, (requests) =>
    this.links.claimMany(requests, this.claimMs),
  );
  private readonly finishes = new GroupCommit<Finished, { link: SalesOrderLinkEntity; won: boolean }>(MAX_GROUP, (finished) =>
    this.finishAll(finished),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly links: SalesOrderLinkRepository,
    private readonly erp: ErpSalesOrderClient,
    private readonly outbox: OutboxPublisher,
    private readonly metrics: ErpConnectorMetrics,
    @Inject(ERP_CONNECTOR_SETTINGS) private readonly settings: ErpConnectorSettings,
  ) {
    const attempts = settings.orderRequestRetries + 1;
    // Up to three calls per attempt (a lookup, the write, a lookup after an ambiguous write).
    this.claimMs = 3 * attempts * settings.requestTimeoutMs + settings.orderRequestRetries * RETRY_MAX_DELAY_MS + 1000;
  }

  async create(request: erpV1.CreateSalesOrderRequest): Promise<erpV1.CreateSalesOrderResponse> {
    const order = request.order;
    assertSalesOrderInput(order);
    const key = request.idempotencyKey.trim() || order.orderId;
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new InvalidArgumentError('invalid_idempotency_key', `idempotency_key is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
    }
    const { customerIds, defaultCustomerId } = this.settings;
    const customerId = Object.hasOwn(customerIds, order.channelAccountId) ? customerIds[order.channelAccountId] : defaultCustomerId;
    const body = toNetSuiteSalesOrder(order, { customerId });

    const claim = await this.claims.submit({ orderId: order.orderId, key, externalId: salesOrderExternalId(order) });
    if (claim.kind === 'done') {
      this.metrics.salesOrder(claim.link.status === 'CREATED' ? 'existing' : 'rejected');
      return { link: toSalesOrderLink(claim.link), created: false };
    }
    if (claim.kind === 'busy') {
      this.metrics.salesOrder('in_progress');
      throw new UnavailableError('sales_order_in_progress', `another request is creating the sales order of ${order.orderId}; retry`);
    }

    const { link, token } = claim;
    let outcome: Outcome;
    try {
      // The external id stays the one of the first attempt, whatever the order says now.
      outcome = { status: 'CREATED', erpOrderId: await this.placeInErp(link.externalId, { ...body, externalId: link.externalId }, key) };
    } catch (error) {
      if (!isPermanentRejection(error)) {
        const message = error instanceof Error ? error.message : String(error);
        await this.links.release(order.orderId, token, errorCodeOf(error), message);
        this.metrics.salesOrder('unavailable');
        throw new UnavailableError('erp_unavailable', `the ERP could not take the sales order of ${order.orderId}: ${message}`, {
          cause: error,
        });
      }
      outcome = { status: 'REJECTED', ...netSuiteErrorOf(error) };
    }
    return this.finish({ order, link, token, outcome });
  }

  async get(request: erpV1.GetSalesOrderRequest): Promise<erpV1.GetSalesOrderResponse> {
    const key = request.orderId ? { orderId: request.orderId } : request.erpOrderId ? { erpOrderId: request.erpOrderId } : undefined;
    if (key === undefined) throw new InvalidArgumentError('missing_key', 'give order_id or erp_order_id');
    const link = await this.links.find(this.dataSource.manager, key);
    if (!link) throw new NotFoundError('sales_order_not_found', `no sales order link for ${JSON.stringify(key)}`);
    return { link: toSalesOrderLink(link) };
  }

  /** Documents waiting for the ERP (GetFeedStatus). */
  pendingCount(): Promise<number> {
    return this.links.countPending(this.dataSource.manager);
  }

  private async placeInErp(externalId: string, body: Record<string, unknown>, key: string): Promise<string> {
    if (this.settings.idempotencyMode === 'netsuite') {
      // NetSuite's idempotency keys are UUIDs: a name-based one, so every retry of this request sends the same.
      return this.erp.upsert(externalId, body, eventIdFromName(`erp-sales-order:${key}`));
    }
    const existing = await this.erp.findByExternalId(externalId);
    if (existing.length > 0) return oldest(existing);
    try {
      return await this.erp.create(body);
    } catch (error) {
      if (!isErpTransientError(error)) throw error;
      // The answer may have been lost after the ERP created the order: look before giving up.
      const afterwards = await this.erp.findByExternalId(externalId);
      if (afterwards.length > 0) return oldest(afterwards);
      throw error;
    }
  }

  private async finish(finished: Finished): Promise<erpV1.CreateSalesOrderResponse> {
    const { order, outcome } = finished;
    const { link, won } = await this.finishes.submit(finished);
    if (won && outcome.status === 'CREATED') {
      const since = order.placedAt ?? order.createdAt;
      if (since)
        this.metrics.orderIntake(order.channel, order.channelAccountId, (link.updatedAt.getTime() - fromTimestamp(since).getTime()) / 1000);
    }
    this.metrics.salesOrder(!won ? 'existing' : outcome.status === 'CREATED' ? 'created' : 'rejected');
    return { link: toSalesOrderLink(link), created: won && outcome.status === 'CREATED' };
  }

  /**
   * Records the outcomes of claimed attempts with their events in one transaction. A link whose
   * claim was lost (expired and taken over) keeps what the other request wrote: it is read back.
   */
  private finishAll(finished: readonly Finished[]): Promise<Array<{ link: SalesOrderLinkEntity; won: boolean }>> {
    const at = new Date();
    return this.outbox.transaction(async ({ manager, publish }) => {
      const won = await this.links.finishAll(
        manager,
        finished.map(({ order, token, outcome }) => ({ orderId: order.orderId, token, outcome })),
        at,
      );
      const events = finished.flatMap(({ order, outcome }): Array<OutgoingEvent<unknown>> => {
        if (!won.has(order.orderId)) return [];
        return [
          outcome.status === 'CREATED'
            ? salesOrderCreatedEvent(order.orderId, outcome.erpOrderId, at)
            : salesOrderRejectedEvent(order.orderId, outcome, at),
        ];
      });
      if (events.length > 0) await publish(...events);
      const results: Array<{ link: SalesOrderLinkEntity; won: boolean }> = [];
      for (const { order, link, outcome } of finished) {
        if (won.has(order.orderId)) results.push({ link: finishedLink(link, outcome, at), won: true });
        else results.push({ link: (await this.links.find(manager, { orderId: order.orderId }))!, won: false });
      }
      return results;
    });
  }
}

/** The link as `SalesOrderLinkRepository.finishAll` leaves it. */
function finishedLink(link: SalesOrderLinkEntity, outcome: Outcome, at: Date): SalesOrderLinkEntity {
  const values =
    outcome.status === 'CREATED'
      ? { erpOrderId: outcome.erpOrderId, lastErrorCode: null, lastError: null }
      : { lastErrorCode: outcome.code.slice(0, 64), lastError: outcome.message };
  return { ...link, ...values, status: outcome.status, claimToken: null, claimedUntil: null, updatedAt: at };
}

/** The lowest internal id: the first sales order, when an ERP without idempotency let duplicates in. */
function oldest(ids: readonly string[]): string {
  return [...ids].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))[0];
}

function errorCodeOf(error: unknown): string {
  if (error instanceof HttpStatusError) return netSuiteErrorOf(error).code;
  if (error instanceof ErpMalformedResponseError) return 'MALFORMED_RESPONSE';
  if (error instanceof Error && error.name === 'TimeoutError') return 'TIMEOUT';
  return 'UNREACHABLE';
}
