import { Inject, Injectable } from '@nestjs/common';
import { HttpStatusError } from '@retail-mesh/channel-kit';
import { fromTimestamp, type erpV1, type ordersV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
import { InvalidArgumentError, NotFoundError, OutboxPublisher, UnavailableError } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ErpMalformedResponseError, isErpTransientError } from '../erp-client/erp-http.client.js';
import { ErpSalesOrderClient } from '../erp-client/erp-sales-order.client.js';
import { isPermanentRejection, netSuiteErrorOf } from '../erp-client/netsuite-error.js';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { toSalesOrderLink, salesOrderCreatedEvent, salesOrderRejectedEvent } from './sales-order-link.mapper.js';
import { SalesOrderLinkRepository } from './sales-order-link.repository.js';
import { assertSalesOrderInput, salesOrderExternalId, toNetSuiteSalesOrder } from './sales-order.mapper.js';

// Backoff ceiling of the HTTP client between retries (erp-connector.module.ts).
const RETRY_MAX_DELAY_MS = 5000;
const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

type Outcome = { status: 'CREATED'; erpOrderId: string } | { status: 'REJECTED'; code: string; message: string };

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

    const claim = await this.links.claim(order.orderId, key, salesOrderExternalId(order), this.claimMs);
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
    return this.finish(order, token, outcome);
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

  private async finish(order: ordersV1.Order, token: string, outcome: Outcome): Promise<erpV1.CreateSalesOrderResponse> {
    const at = new Date();
    const { link, won } = await this.outbox.transaction(async ({ manager, publish }) => {
      const claimed = await this.links.finish(manager, order.orderId, token, outcome);
      if (claimed && outcome.status === 'CREATED') await publish(salesOrderCreatedEvent(order.orderId, outcome.erpOrderId, at));
      if (claimed && outcome.status === 'REJECTED') await publish(salesOrderRejectedEvent(order.orderId, outcome, at));
      return { link: (await this.links.find(manager, { orderId: order.orderId }))!, won: claimed };
    });
    if (won && outcome.status === 'CREATED') {
      const since = order.placedAt ?? order.createdAt;
      if (since) this.metrics.orderIntake(order.channel, order.channelAccountId, (at.getTime() - fromTimestamp(since).getTime()) / 1000);
    }
    this.metrics.salesOrder(!won ? 'existing' : outcome.status === 'CREATED' ? 'created' : 'rejected');
    return { link: toSalesOrderLink(link), created: won && outcome.status === 'CREATED' };
  }
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
