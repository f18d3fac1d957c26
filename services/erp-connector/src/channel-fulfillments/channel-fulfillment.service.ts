import { Inject, Injectable } from '@nestjs/common';
import type { ordersEventsV1 } from '@retail-mesh/contracts';
import { Inbox, PoisonMessageError } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { LOGGER } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ErpSalesOrderClient } from '../erp-client/erp-sales-order.client.js';
import { isPermanentRejection, netSuiteErrorOf } from '../erp-client/netsuite-error.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { SalesOrderLinkRepository } from '../sales-orders/sales-order-link.repository.js';
import {
  channelFulfillmentIdempotencyKey,
  channelShipmentDecision,
  itemFulfillmentLines,
  shippedAtOf,
  toItemFulfillmentBody,
} from './item-fulfillment.mapper.js';

/** A sales order still being created: the shipment waits for it (retried by the bus). */
export class SalesOrderNotReadyError extends Error {
  override readonly name = 'SalesOrderNotReadyError';
}

export interface ShippedEvent {
  payload: ordersEventsV1.OrderShipped;
  /** Envelope id (the same on a redelivery). */
  eventId: string;
  /** Envelope time. */
  time: Date;
}

/**
 * Tells the ERP of the shipments a channel made of the orders it fulfils (Amazon FBA): the ERP
 * sales order becomes fulfilled through NetSuite's transform into an item fulfillment. The ERP is
 * called outside any transaction, with an idempotency key derived from the mesh shipment (a retry
 * after a lost answer, or a redelivery before the inbox row committed, creates nothing twice);
 * the inbox row commits after the ERP answered, so a later redelivery does not call the ERP again.
 */
@Injectable()
export class ChannelFulfillmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: SalesOrderLinkRepository,
    private readonly erp: ErpSalesOrderClient,
    private readonly metrics: ErpConnectorMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `queue`: the consumer's queue, the inbox's consumer name. */
  async record(queue: string, event: ShippedEvent): Promise<void> {
    const decision = channelShipmentDecision(event.payload);
    if (decision.kind === 'invalid') throw new PoisonMessageError(decision.reason);
    if (decision.kind === 'skip') {
      this.metrics.channelFulfillment('skipped');
      this.logger.debug({ orderId: event.payload.order?.orderId, why: decision.reason }, 'order shipped: nothing to tell the ERP');
      return;
    }
    const { order, shipment } = decision;
    if (await Inbox.seen(this.dataSource.manager, queue, event.eventId)) {
      this.metrics.channelFulfillment('duplicate');
      return;
    }

    const erpOrderId = await this.salesOrderOf(order.orderId, order.erpOrderId);
    const salesOrder = await this.erp.get(erpOrderId);
    const { lines, unmatched } = itemFulfillmentLines(order, shipment, salesOrder.lines);
    if (unmatched.length > 0) {
      throw new PoisonMessageError(
        `shipment ${shipment.shipmentId} of ${order.orderId}: lines ${unmatched.join(', ')} have no line on ERP sales order ${erpOrderId}`,
      );
    }
    const body = toItemFulfillmentBody(order, shipment, lines, shippedAtOf(shipment, event.time));
    let result;
    try {
      result = await this.erp.transformToItemFulfillment(erpOrderId, body, channelFulfillmentIdempotencyKey(shipment.shipmentId));
    } catch (error) {
      // The ERP refuses the fulfillment itself (more than is left, an order it cannot fulfil): retrying cannot help.
      if (isPermanentRejection(error)) {
        this.metrics.channelFulfillment('rejected');
        const { code, message } = netSuiteErrorOf(error);
        throw new PoisonMessageError(
          `the ERP refused to fulfil sales order ${erpOrderId} for shipment ${shipment.shipmentId}: ${code} ${message}`,
        );
      }
      throw error;
    }
    await Inbox.record(this.dataSource.manager, queue, [event.eventId]);
    this.metrics.channelFulfillment(result.outcome);
    this.logger.info(
      {
        orderId: order.orderId,
        erpOrderId,
        shipmentId: shipment.shipmentId,
        itemFulfillmentId: result.itemFulfillmentId,
        outcome: result.outcome,
      },
      'channel shipment recorded in the ERP as an item fulfillment',
    );
  }

  /** The ERP sales order of the order: the link's (waiting while it is being created), else the one the order names. */
  private async salesOrderOf(orderId: string, erpOrderIdOfOrder: string): Promise<string> {
    const link = await this.links.find(this.dataSource.manager, { orderId });
    if (link?.status === 'CREATED' && link.erpOrderId !== null) return link.erpOrderId;
    if (link?.status === 'PENDING' && link.claimedUntil !== null && link.claimedUntil > new Date()) {
      throw new SalesOrderNotReadyError(`the sales order of ${orderId} is being created; the shipment follows`);
    }
    if (erpOrderIdOfOrder !== '') return erpOrderIdOfOrder;
    throw new PoisonMessageError(`order ${orderId} has no ERP sales order to fulfil`);
  }
}
