import { Inject, Injectable } from '@nestjs/common';
import { ordersV1, type ordersEventsV1 } from '@retail-mesh/contracts';
import { PoisonMessageError } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { LOGGER } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ErpSalesOrderClient } from '../erp-client/erp-sales-order.client.js';
import { isPermanentRejection, netSuiteErrorOf } from '../erp-client/netsuite-error.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { SalesOrderLinkRepository } from '../sales-orders/sales-order-link.repository.js';
import { cancelledUnits, erpLineChanges } from './erp-line-changes.js';
import { OwnCancellationService } from './own-cancellation.service.js';

/** A sales order still being created: the cancellation waits for it (retried by the bus) rather than missing it. */
export class SalesOrderCreationInProgressError extends Error {
  override readonly name = 'SalesOrderCreationInProgressError';
}

/**
 * Applies a mesh cancellation to the ERP sales order: reads the order's lines from the ERP and
 * closes or lowers them (PATCH). Idempotent by construction (absolute targets computed against
 * the ERP's current lines), so it needs no inbox. Nothing to do when the cancellation came from
 * the ERP (CANCEL_REASON_ERP_CANCELLED) or the order has no ERP sales order. What it asks is
 * remembered first (keyed by the event), so the feed's report of it is not published back.
 */
@Injectable()
export class OrderCancellationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: SalesOrderLinkRepository,
    private readonly erp: ErpSalesOrderClient,
    private readonly own: OwnCancellationService,
    private readonly metrics: ErpConnectorMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `eventId`: the envelope id of the orders.order_cancelled event (the same on a redelivery). */
  async apply(event: ordersEventsV1.OrderCancelled, eventId: string): Promise<void> {
    const order = event.order;
    if (!order || order.orderId === '') throw new PoisonMessageError('orders.order_cancelled without an order id');
    if (event.reason === ordersV1.CancelReason.CANCEL_REASON_ERP_CANCELLED) return this.skip(order.orderId, 'cancelled in the ERP');

    const link = await this.links.find(this.dataSource.manager, { orderId: order.orderId });
    if (link?.status === 'PENDING' && link.claimedUntil !== null && link.claimedUntil > new Date()) {
      throw new SalesOrderCreationInProgressError(`the sales order of ${order.orderId} is being created; the cancellation follows`);
    }
    if (!link || link.status !== 'CREATED' || link.erpOrderId === null) return this.skip(order.orderId, 'no ERP sales order');

    let remembered = false;
    try {
      const salesOrder = await this.erp.get(link.erpOrderId);
      const { changes, unmatched } = erpLineChanges(event, salesOrder.lines);
      if (unmatched.length > 0) {
        this.logger.warn(
          { orderId: order.orderId, erpOrderId: link.erpOrderId, unmatched },
          'cancellation: order lines without an ERP line',
        );
      }
      if (changes.length === 0) {
        this.metrics.cancellation('unchanged');
        return;
      }
      await this.own.remember(eventId, link.erpOrderId, cancelledUnits(changes, salesOrder.lines));
      remembered = true;
      await this.erp.updateLines(link.erpOrderId, changes);
      this.metrics.cancellation('applied');
      this.logger.info({ orderId: order.orderId, erpOrderId: link.erpOrderId, changes }, 'cancellation applied to the ERP sales order');
    } catch (error) {
      // The ERP refuses the change itself (a line it will not close): retrying cannot help.
      if (isPermanentRejection(error)) {
        // Nothing changed in the ERP, so nothing will be reported back. (After a transient failure
        // the request stays: the change may have been made; the retry computes it again.)
        if (remembered) await this.own.forget(eventId);
        const { code, message } = netSuiteErrorOf(error);
        throw new PoisonMessageError(`the ERP refused to cancel sales order ${link.erpOrderId}: ${code} ${message}`);
      }
      throw error;
    }
  }

  private skip(orderId: string, why: string): void {
    this.metrics.cancellation('skipped');
    this.logger.debug({ orderId, why }, 'cancellation: nothing to do in the ERP');
  }
}
