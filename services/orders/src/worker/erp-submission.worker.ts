import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { erpV1 } from '@retail-mesh/contracts';
import type { Logger } from '@retail-mesh/observability';
import { LOGGER } from '@retail-mesh/service-kit';
import { toOrderMessage } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersMetrics } from '../orders.metrics.js';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';
import { PeerClients, peerFailureOf } from '../peers/peer-clients.js';
import { ErpGate } from './erp-gate.js';
import { SubmissionWindow } from './submission-window.js';
import { WorkQueue, type Claimed, type StepResult } from './work-queue.js';

/**
 * Takes RESERVED orders to ACCEPTED: ErpService.CreateSalesOrder (idempotency key = order id,
 * so a retry after a lost answer creates nothing twice; the orders of one claim go in one
 * CreateSalesOrders call), then ACCEPTED with the ERP order id
 * and orders.order_accepted.<channel> in one transaction. A sliding window of calls (ADR 0004):
 * orders are claimed in the order they were reserved and their calls started in that order, up
 * to ORDERS_ERP_WINDOW at once; each place is refilled as soon as its call is back and
 * committed. While the ERP connector answers UNAVAILABLE the gate holds the orders back (they
 * keep their place), then probes with the oldest. A permanent refusal puts the order on hold
 * (ERP_REJECTED).
 */
@Injectable()
export class ErpSubmissionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly window: SubmissionWindow<Claimed, StepResult>;

  constructor(
    private readonly queue: WorkQueue,
    private readonly peers: PeerClients,
    private readonly metrics: OrdersMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ORDERS_SETTINGS) settings: OrdersSettings,
  ) {
    this.window = new SubmissionWindow<Claimed, StepResult>({
      name: 'erp-submission',
      size: settings.erpWindow,
      claim: async (limit) => (await this.queue.claim(['RESERVED'], limit)).items,
      send: (item) => this.submit(item),
      unavailable: (result) => result.kind === 'wait',
      commit: async (results) => {
        await this.queue.commit(results);
      },
      gate: new ErpGate({ initialMs: settings.retryBackoffMs, maxMs: settings.retryMaxBackoffMs }),
      pollIntervalMs: settings.workerPollIntervalMs,
      retryDelayMs: settings.retryBackoffMs,
      logger,
    });
  }

  onApplicationBootstrap(): void {
    this.window.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.window.stop();
  }

  /** Call after committing RESERVED orders that are left in the queue. */
  wake(): void {
    this.window.wake();
  }

  /**
   * Takes RESERVED orders the caller still claims (just committed) straight into the window when
   * it has room and nothing older waits; returns those it took (their claims are the window's now).
   */
  offer(items: readonly Claimed[]): Claimed[] {
    return this.window.offer(items);
  }

  private async submit(item: Claimed): Promise<StepResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let response: erpV1.CreateSalesOrderResponse;
    try {
      // The window starts a claim's calls together: they go as one CreateSalesOrders.
      response = await this.peers.salesOrders.call({
        idempotencyKey: erpIdempotencyKey(item.order),
        order: toOrderMessage(item.order, item.lines),
      });
    } catch (error) {
      const failure = peerFailureOf(error);
      if (failure.permanent) {
        this.metrics.erpCall('rejected', seconds());
        return { item, kind: 'hold', reason: 'ERP_REJECTED', detail: `${failure.reason ?? failure.code}: ${failure.message}` };
      }
      this.metrics.erpCall('unavailable', seconds());
      this.metrics.peerFailed('erp-connector', failure.code);
      this.logger.debug(
        { order_id: item.order.orderId, code: failure.code, err: failure.message },
        'ERP connector unavailable; the order waits',
      );
      return { item, kind: 'wait' };
    }
    const link = response.link;
    if (link?.status === erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED && link.erpOrderId !== '') {
      this.metrics.erpCall(response.created ? 'created' : 'existing', seconds());
      return {
        item,
        kind: 'advance',
        action: { kind: 'accept' },
        detail: `ERP sales order ${link.erpOrderId}`,
        update: (claimed) => {
          claimed.order.erpOrderId = link.erpOrderId;
          return [];
        },
      };
    }
    if (link?.status === erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED) {
      this.metrics.erpCall('rejected', seconds());
      return { item, kind: 'hold', reason: 'ERP_REJECTED', detail: link.lastError || 'the ERP refused the sales order' };
    }
    // PENDING: the connector queued it (the ERP is down); ask again like after UNAVAILABLE.
    this.metrics.erpCall('unavailable', seconds());
    return { item, kind: 'wait' };
  }
}

/** The order id, then a new key for each time an operator released an ERP rejection (the ERP is asked anew). */
export function erpIdempotencyKey(order: Pick<OrderEntity, 'orderId' | 'erpAttempt'>): string {
  return order.erpAttempt <= 1 ? order.orderId : `${order.orderId}/${order.erpAttempt}`;
}
