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
import { WorkQueue, type Claimed, type StepResult } from './work-queue.js';
import { WorkLoop } from './work-loop.js';

/**
 * Takes RESERVED orders to ACCEPTED: ErpService.CreateSalesOrder (idempotency key = order id,
 * so a retry after a lost answer creates nothing twice), then ACCEPTED with the ERP order id
 * and orders.order_accepted.<channel> in one transaction. One pass at a time, claiming the
 * orders in the order they were reserved; while the ERP connector answers UNAVAILABLE the gate
 * holds them back (they keep their place), then probes with the oldest. A permanent refusal
 * puts the order on hold (ERP_REJECTED).
 */
@Injectable()
export class ErpSubmissionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: WorkLoop;
  private readonly gate: ErpGate;

  constructor(
    private readonly queue: WorkQueue,
    private readonly peers: PeerClients,
    private readonly metrics: OrdersMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {
    this.gate = new ErpGate({ initialMs: settings.retryBackoffMs, maxMs: settings.retryMaxBackoffMs });
    this.loop = new WorkLoop(() => this.pass(), {
      name: 'erp-submission',
      concurrency: 1,
      pollIntervalMs: settings.workerPollIntervalMs,
      retryDelayMs: settings.retryBackoffMs,
      logger,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Call after committing RESERVED orders. */
  wake(): void {
    this.loop.wake();
  }

  private async pass(): Promise<boolean> {
    const admitted = this.gate.admit(this.settings.workerBatchSize, Date.now());
    if (admitted === 0) {
      this.loop.wakeIn(this.gate.waitMs(Date.now()));
      return false;
    }
    const batch = await this.queue.claim(['RESERVED'], admitted).catch((error: unknown) => {
      this.gate.unused();
      throw error;
    });
    if (batch.items.length === 0) {
      this.gate.unused();
      return false;
    }
    let available = true;
    try {
      // Started in reservation order: the oldest order's call goes first.
      const results = await Promise.all(batch.items.map((item) => this.submit(item)));
      available = results.every((result) => result.kind !== 'wait');
      if (available) this.gate.succeeded();
      else this.gate.unavailable(Date.now());
      await this.queue.commit(batch, results);
    } finally {
      await this.queue.finish(batch);
    }
    if (!available) {
      this.loop.wakeIn(this.gate.waitMs(Date.now()));
      return false;
    }
    return batch.items.length === admitted;
  }

  private async submit(item: Claimed): Promise<StepResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let response: erpV1.CreateSalesOrderResponse;
    try {
      response = await this.peers.erp.createSalesOrder({
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
