import { Injectable } from '@nestjs/common';
import { fromTimestamp, ordersV1, type erpEventsV1 } from '@retail-mesh/contracts';
import { applyOrderAction, DomainValidationError, isWorkState, type LineQuantity, type OrderChange } from '@retail-mesh/domain';
import { eventIdFromName, PoisonMessageError } from '@retail-mesh/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReceivedEvent } from '@retail-mesh/service-kit';
import { orderShipped } from '../orders/order-events.js';
import type { OrderLineEntity } from '../orders/order-line.entity.js';
import { isOrderId } from '../orders/order-id.js';
import { OrderShipmentEntity } from '../orders/order-shipment.entity.js';
import { json, toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter } from '../orders/order-writer.js';
import { PeerClients, peerFailureOf } from '../peers/peer-clients.js';
import { matchErpLines } from './erp-lines.js';
import { InboxTransaction } from './inbox-transaction.js';

/**
 * erp.shipment_created: the warehouse shipped (part of) an order. The reserved units are
 * consumed in inventory first (ConsumeReservation, whose shipment_id makes a repeat a no-op, so
 * a redelivery after a crash consumes nothing twice), then the shipped quantities, the state
 * (PARTIALLY_SHIPPED or SHIPPED), the shipment and orders.order_shipped.<channel> commit with
 * the inbox row.
 */
@Injectable()
export class ShipmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly peers: PeerClients,
    private readonly inbox: InboxTransaction,
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
      const change = this.ship(current, currentLines, quantities);
      const after = new Map(change.lines.map((line) => [line.lineId, line]));
      const changedLines = currentLines
        .filter((line) => after.get(line.lineId)!.shippedQuantity !== line.shippedQuantity)
        .map((line) => ({ ...line, shippedQuantity: after.get(line.lineId)!.shippedQuantity }));
      const updatedLines = currentLines.map((line) => changedLines.find((changed) => changed.lineId === line.lineId) ?? line);
      const shipment = toShipment(shipmentId, payload, quantities, currentLines);
      const now = new Date();
      await manager.insert(OrderShipmentEntity, {
        shipmentId,
        orderId: current.orderId,
        erpShipmentId: payload.erpShipmentId,
        details: json(ordersV1.Shipment.toJSON(shipment)),
        shippedAt: payload.shippedAt ? fromTimestamp(payload.shippedAt) : now,
        createdAt: now,
      });
      const tracking = [payload.carrier, payload.trackingNumber].filter((part) => part !== '').join(' ');
      const written = await this.writer.write(
        manager,
        publish,
        {
          order: { ...current, state: change.to },
          lines: updatedLines,
          changedLines,
          from: current.state,
          expected: { version: current.version },
          record: {
            change: 'shipped',
            actor: 'erp',
            detail: `ERP shipment ${payload.erpShipmentId}${tracking ? ` (${tracking})` : ''}: ${quantities.map((line) => `${line.quantity} of ${line.lineId}`).join(', ')}`,
            erpChangeId: changeId,
          },
          events: (message) => [orderShipped(message, shipment, change.to === 'SHIPPED')],
        },
        now,
      );
      if (!written.written) throw new Error(`order ${current.orderId} changed concurrently; retrying`);
      return [written.committed];
    });
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

function toShipment(
  shipmentId: string,
  payload: erpEventsV1.ShipmentCreated,
  quantities: readonly LineQuantity[],
  lines: readonly OrderLineEntity[],
): ordersV1.Shipment {
  const byId = new Map(lines.map((line) => [line.lineId, line]));
  return {
    shipmentId,
    erpShipmentId: payload.erpShipmentId,
    locationId: payload.locationId,
    carrier: payload.carrier,
    serviceLevel: payload.serviceLevel,
    trackingNumber: payload.trackingNumber,
    trackingUrl: payload.trackingUrl,
    lines: quantities.map((line) => ({
      lineId: line.lineId,
      channelLineId: byId.get(line.lineId)!.channelLineId,
      sku: byId.get(line.lineId)!.sku,
      quantity: line.quantity,
    })),
    shippedAt: payload.shippedAt ?? undefined,
  };
}
