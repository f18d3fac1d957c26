import { Injectable } from '@nestjs/common';
import { fromTimestamp, ordersV1, type channelEventsV1, type erpEventsV1 } from '@retail-mesh/contracts';
import { applyOrderAction, DomainValidationError, isWorkState, type LineQuantity, type OrderChange } from '@retail-mesh/domain';
import { eventIdFromName, PoisonMessageError } from '@retail-mesh/messaging';
import type { PublishInTransaction, ReceivedEvent, TransactionContext } from '@retail-mesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { orderShipped } from '../orders/order-events.js';
import type { OrderLineEntity } from '../orders/order-line.entity.js';
import { isOrderId } from '../orders/order-id.js';
import { OrderShipmentEntity } from '../orders/order-shipment.entity.js';
import { json, toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter, type ChangeRecord } from '../orders/order-writer.js';
import { OrdersMetrics, type CommittedChange } from '../orders.metrics.js';
import { PeerClients, peerFailureOf } from '../peers/peer-clients.js';
import { unitsShippedByChannel } from './channel-lines.js';
import { matchErpLines } from './erp-lines.js';
import { InboxTransaction } from './inbox-transaction.js';

/**
 * Shipments of orders. erp.shipment_created: the warehouse shipped (part of) an order. The
 * reserved units are consumed in inventory first (ConsumeReservation, whose shipment_id makes a
 * repeat a no-op, so a redelivery after a crash consumes nothing twice), then the shipped
 * quantities, the state (PARTIALLY_SHIPPED or SHIPPED), the shipment and
 * orders.order_shipped.<channel> commit with the inbox row. The channel's own shipments of the
 * orders it fulfils (applyFromChannel) commit the same way, without inventory.
 */
@Injectable()
export class ShipmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly peers: PeerClients,
    private readonly inbox: InboxTransaction,
    private readonly metrics: OrdersMetrics,
  ) {}

  async apply(event: ReceivedEvent<erpEventsV1.ShipmentCreated>): Promise<void> {
    const { payload } = event;
    if (payload.erpShipmentId === '') throw new PoisonMessageError('ShipmentCreated has no erp_shipment_id');
    if (payload.lines.length === 0) throw new PoisonMessageError(`ShipmentCreated ${payload.erpShipmentId} has no lines`);
    const changeId = `shipment:${payload.erpShipmentId}`;

    const order = await this.findOrder(this.dataSource.manager, payload);
    if (await this.orders.hasErpChange(this.dataSource.manager, order.orderId, changeId)) return;
    const lines = (await this.orders.linesOf(this.dataSource.manager, [order.orderId])).get(order.orderId) ?? [];
    const shipped = this.shippedLines(order, lines, payload);
    const shipmentId = eventIdFromName(`shipment:${order.orderId}:${payload.erpShipmentId}`);
    if (order.reservationId !== null) {
      try {
        // The shipment's feed version tells inventory which ERP stock change takes the units off on hand.
        await this.peers.inventory.consumeReservation({
          reservationId: order.reservationId,
          lines: shipped,
          shipmentId,
          erpVersion: payload.version,
        });
      } catch (error) {
        const failure = peerFailureOf(error);
        if (failure.permanent) {
          throw new PoisonMessageError(
            `inventory refused to consume reservation ${order.reservationId} for shipment ${payload.erpShipmentId}: ${failure.reason ?? failure.code}: ${failure.message}`,
          );
        }
        throw error;
      }
    }

    await this.inbox.run(event, async (manager, publish) => {
      const current = await this.orders.findByIdForUpdate(manager, order.orderId);
      // Another delivery of the same shipment (another event id) got there first.
      if (!current || (await this.orders.hasErpChange(manager, order.orderId, changeId))) return [];
      const currentLines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
      const quantities = this.shippedLines(current, currentLines, payload);
      const shipment = toShipment(currentLines, quantities, {
        shipmentId,
        erpShipmentId: payload.erpShipmentId,
        locationId: payload.locationId,
        carrier: payload.carrier,
        serviceLevel: payload.serviceLevel,
        trackingNumber: payload.trackingNumber,
        trackingUrl: payload.trackingUrl,
        shippedAt: payload.shippedAt,
      });
      const tracking = [payload.carrier, payload.trackingNumber].filter((part) => part !== '').join(' ');
      return [
        await this.record(manager, publish, current, currentLines, quantities, shipment, {
          erpShipmentId: payload.erpShipmentId,
          change: 'shipped',
          actor: 'erp',
          detail: `ERP shipment ${payload.erpShipmentId}${tracking ? ` (${tracking})` : ''}: ${describe(quantities)}`,
          erpChangeId: changeId,
        }),
      ];
    });
  }

  /**
   * channel.shipment_confirmed with shipped_by_channel: the channel shipped units of an order it
   * fulfils (Amazon FBA). No merchant stock was reserved for it, so inventory consumes nothing;
   * the units the channel shows shipped beyond the order's shipped quantities become a shipment,
   * committed with orders.order_shipped and the inbox row. A report the order already shows (a
   * repeated poll, another report overtaken by a later one) changes nothing. A confirmation of a
   * mesh shipment (shipped_by_channel unset) is not for orders.
   */
  async applyFromChannel(
    event: ReceivedEvent<channelEventsV1.ShipmentConfirmed>,
    { manager, publish, afterCommit }: TransactionContext,
  ): Promise<void> {
    const { payload } = event;
    if (!payload.shippedByChannel) return;
    if (payload.shipmentId === '') throw new PoisonMessageError('ShipmentConfirmed with shipped_by_channel has no shipment_id');
    const orderId = isOrderId(payload.orderId)
      ? payload.orderId
      : (await this.orders.findByChannelOrder(manager, payload.channelAccountId, payload.channelOrderId))?.orderId;
    const order = orderId ? await this.orders.findByIdForUpdate(manager, orderId) : null;
    if (!order) {
      throw new PoisonMessageError(
        `ShipmentConfirmed ${payload.shipmentId} is for an unknown order ${payload.orderId || `${payload.channelAccountId}/${payload.channelOrderId}`}`,
      );
    }
    if (!order.fulfilledByChannel) {
      throw new PoisonMessageError(`order ${order.orderId} is shipped by the seller: the channel cannot report shipping it itself`);
    }
    const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
    let quantities: LineQuantity[];
    try {
      quantities = unitsShippedByChannel(lines, payload.shippedByChannel.lines);
    } catch (error) {
      if (error instanceof DomainValidationError)
        throw new PoisonMessageError(`channel shipment ${payload.shipmentId} for order ${order.orderId}: ${error.message}`);
      throw error;
    }
    if (quantities.length === 0) return;
    // Not yet accepted (the worker commits it shortly): retried until it is.
    if (isWorkState(order.state)) throw new Error(`order ${order.orderId} is ${order.state}: the shipment waits for it to be accepted`);
    const channel = event.channel ?? order.channel;
    const shipment = toShipment(lines, quantities, {
      shipmentId: eventIdFromName(`shipment:${order.orderId}:channel:${payload.shipmentId}`),
      erpShipmentId: '',
      locationId: '',
      carrier: '',
      serviceLevel: '',
      trackingNumber: '',
      trackingUrl: '',
      shippedAt: payload.confirmedAt,
    });
    const committed = await this.record(manager, publish, order, lines, quantities, shipment, {
      // Unique per order, as the ERP's shipment ids are.
      erpShipmentId: `channel:${payload.shipmentId}`,
      change: 'shipped',
      actor: 'channel',
      detail: `shipped by ${channel} (report ${payload.shipmentId}): ${describe(quantities)}`,
    });
    afterCommit(() => this.metrics.changed([committed]));
  }

  /** Records a shipment of `quantities`: the order's new state and lines, the shipment row, the history and orders.order_shipped. */
  private async record(
    manager: EntityManager,
    publish: PublishInTransaction,
    current: OrderEntity,
    currentLines: readonly OrderLineEntity[],
    quantities: readonly LineQuantity[],
    shipment: ordersV1.Shipment,
    entry: ChangeRecord & { erpShipmentId: string },
  ): Promise<CommittedChange> {
    const change = this.ship(current, currentLines, quantities);
    const after = new Map(change.lines.map((line) => [line.lineId, line]));
    const changedLines = currentLines
      .filter((line) => after.get(line.lineId)!.shippedQuantity !== line.shippedQuantity)
      .map((line) => ({ ...line, shippedQuantity: after.get(line.lineId)!.shippedQuantity }));
    const updatedLines = currentLines.map((line) => changedLines.find((changed) => changed.lineId === line.lineId) ?? line);
    const now = new Date();
    const { erpShipmentId, ...history } = entry;
    await manager.insert(OrderShipmentEntity, {
      shipmentId: shipment.shipmentId,
      orderId: current.orderId,
      erpShipmentId,
      details: json(ordersV1.Shipment.toJSON(shipment)),
      shippedAt: shipment.shippedAt ? fromTimestamp(shipment.shippedAt) : now,
      createdAt: now,
    });
    const written = await this.writer.write(
      manager,
      publish,
      {
        order: { ...current, state: change.to },
        lines: updatedLines,
        changedLines,
        from: current.state,
        expected: { version: current.version },
        record: history,
        events: (message) => [orderShipped(message, shipment, change.to === 'SHIPPED')],
      },
      now,
    );
    if (!written.written) throw new Error(`order ${current.orderId} changed concurrently; retrying`);
    return written.committed;
  }

  private async findOrder(manager: EntityManager, payload: erpEventsV1.ShipmentCreated): Promise<OrderEntity> {
    const order = isOrderId(payload.orderId)
      ? await this.orders.findById(manager, payload.orderId)
      : payload.erpOrderId
        ? await this.orders.findByErpOrderId(manager, payload.erpOrderId)
        : null;
    if (!order)
      throw new PoisonMessageError(
        `ShipmentCreated ${payload.erpShipmentId} is for an unknown order ${payload.orderId || payload.erpOrderId || '(none given)'}`,
      );
    return order;
  }

  /** The order lines the shipment ships; throws for a shipment that can never apply. */
  private shippedLines(order: OrderEntity, lines: readonly OrderLineEntity[], payload: erpEventsV1.ShipmentCreated): LineQuantity[] {
    // Created in the ERP but not yet recorded as ACCEPTED (the worker commits it shortly): retry later.
    if (isWorkState(order.state)) throw new Error(`order ${order.orderId} is ${order.state}: the shipment waits for it to be accepted`);
    try {
      const quantities = matchErpLines(lines, payload.lines, false);
      this.ship(order, lines, quantities);
      return quantities;
    } catch (error) {
      if (error instanceof PoisonMessageError) throw error;
      if (error instanceof DomainValidationError)
        throw new PoisonMessageError(`shipment ${payload.erpShipmentId} for order ${order.orderId}: ${error.message}`);
      throw error;
    }
  }

  private ship(order: OrderEntity, lines: readonly OrderLineEntity[], quantities: readonly LineQuantity[]): OrderChange {
    try {
      return applyOrderAction(order.state, toLineQuantities(lines), { kind: 'ship', lines: quantities });
    } catch (error) {
      if (error instanceof DomainValidationError) throw new PoisonMessageError(`order ${order.orderId} cannot ship: ${error.message}`);
      throw error;
    }
  }
}

/** The shipment of `quantities`, its lines named as the order names them. */
function toShipment(
  lines: readonly OrderLineEntity[],
  quantities: readonly LineQuantity[],
  fields: Omit<ordersV1.Shipment, 'lines'>,
): ordersV1.Shipment {
  const byId = new Map(lines.map((line) => [line.lineId, line]));
  return {
    ...fields,
    lines: quantities.map((line) => ({
      lineId: line.lineId,
      channelLineId: byId.get(line.lineId)!.channelLineId,
      sku: byId.get(line.lineId)!.sku,
      quantity: line.quantity,
    })),
  };
}

function describe(quantities: readonly LineQuantity[]): string {
  return quantities.map((line) => `${line.quantity} of ${line.lineId}`).join(', ');
}
