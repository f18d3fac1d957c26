// What the mesh asks of Shopify for an order, each idempotent and confirmed by reading the order
// back: acknowledge (tag it with the ERP order), confirm a shipment (fulfillmentCreate on the open
// fulfillment order lines it covers, with carrier and tracking; what an earlier attempt of the
// same shipment fulfilled is found by its tracking number and not sent again), cancel (orderCancel,
// whose background job is awaited until the order shows cancelled), cancel units of lines (a
// refund with restock type CANCEL, ADR 0006, confirmed by the order's refunds). The consumers
// and the ChannelAdapterService RPCs share this code.
import { setTimeout as sleep } from 'node:timers/promises';
import { ordersV1 } from '@retail-mesh/contracts';
import { KeyedRegistry } from '@retail-mesh/channel-kit';
import type { EntityManager } from 'typeorm';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { ShopifyAdminError } from '../shopify/shopify-admin.client.js';
import { planFulfillment } from './fulfillment-plan.js';
import { acknowledgementTag, fulfilledWithTracking } from './order-state.mapper.js';
import type { OrdersMetrics } from './orders.metrics.js';
import { ShopifyOrderError } from './shopify-order.js';
import { ShopifyOrdersClient, type ShopifyCancelReason, type ShopifyOrderView } from './shopify-orders.client.js';
import { ShopifyRefundsClient, type CancelledUnits } from './shopify-refunds.client.js';
import type { ShopifyShipmentRepository } from './shopify-shipment.repository.js';
import { planUnitCancellation } from './unit-cancellation.js';

/** Shopify cannot do what was asked (unknown order, nothing left to fulfil, a refused mutation): retrying will not help. */
export class OrderActionRefused extends Error {
  override readonly name = 'OrderActionRefused';

  constructor(
    readonly reason: 'order_not_found' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

/** Shopify accepted a change that the read-back does not show (yet): try again. */
export class OrderActionNotConfirmed extends Error {
  override readonly name = 'OrderActionNotConfirmed';
}

const { CancelReason } = ordersV1;

const SHOPIFY_CANCEL_REASONS: Partial<Record<ordersV1.CancelReason, ShopifyCancelReason>> = {
  [CancelReason.CANCEL_REASON_CUSTOMER_REQUEST]: 'CUSTOMER',
  [CancelReason.CANCEL_REASON_OUT_OF_STOCK]: 'INVENTORY',
  [CancelReason.CANCEL_REASON_FRAUD]: 'FRAUD',
  [CancelReason.CANCEL_REASON_PAYMENT_FAILED]: 'DECLINED',
};

export function shopifyCancelReason(reason: ordersV1.CancelReason): ShopifyCancelReason {
  return SHOPIFY_CANCEL_REASONS[reason] ?? 'OTHER';
}

export interface OrderRef {
  channelAccountId: string;
  channelOrderId: string;
}

export interface ShipmentRequest extends OrderRef {
  shipment: ordersV1.Shipment;
  notifyCustomer: boolean;
}

export interface ShipmentResult {
  /** The fulfilments the shipment is on Shopify (one per location). */
  fulfillmentIds: string[];
  /** Nothing was sent: an earlier attempt had done it. */
  already: boolean;
}

export interface CancelRequest extends OrderRef {
  reason: ordersV1.CancelReason;
  note: string;
  notifyCustomer: boolean;
}

export interface UnitCancelRequest extends OrderRef {
  /** The mesh order as it is after the cancellation; its id and version name the cancellation (the refund's idempotency key). */
  order: Pick<ordersV1.Order, 'orderId' | 'version' | 'lines'>;
  /** Units of each mesh line this cancellation cancelled. */
  lines: ordersV1.LineQuantity[];
  reason: ordersV1.CancelReason;
}

export interface OrderActionsDependencies {
  accounts: ShopifyAccountRegistry;
  shipments: ShopifyShipmentRepository;
  metrics: OrdersMetrics;
  /** How long a cancellation waits for Shopify's background job. */
  cancelConfirmMs: number;
  signal?: AbortSignal;
}

const CANCEL_READ_BACK_INTERVAL_MS = 250;

export class ShopifyOrderActions {
  private readonly clients: KeyedRegistry<ShopifyOrdersClient>;
  private readonly refundClients: KeyedRegistry<ShopifyRefundsClient>;

  constructor(private readonly deps: OrderActionsDependencies) {
    this.clients = new KeyedRegistry((channelAccountId) => new ShopifyOrdersClient(deps.accounts.client(channelAccountId)));
    this.refundClients = new KeyedRegistry((channelAccountId) => new ShopifyRefundsClient(deps.accounts.client(channelAccountId)));
  }

  client(channelAccountId: string): ShopifyOrdersClient {
    return this.clients.get(channelAccountId);
  }

  async readOrder(ref: OrderRef): Promise<ShopifyOrderView | null> {
    return this.client(ref.channelAccountId).readOrder(ref.channelOrderId);
  }

  /**
   * Tags the order `erp:<erp order id>` (or `mesh:<order id>`); confirmed by the tags tagsAdd
   * answers with (the order after the mutation, in the same request: no second call). No read
   * first: tagsAdd leaves a tag the order has as it is (a repeat changes nothing and sends no
   * orders/updated), and a first acknowledgement, by far the usual one, would read for nothing.
   */
  async acknowledge(ref: OrderRef, orderId: string, erpOrderId: string): Promise<{ tag: string; already: boolean }> {
    return this.tracked(ref.channelAccountId, 'acknowledge', async () => {
      const tag = acknowledgementTag(erpOrderId, orderId);
      if (!tag)
        throw new OrderActionRefused(
          'refused',
          `the order ids make a tag longer than Shopify allows: erp "${erpOrderId}", order "${orderId}"`,
        );
      let tags: string[] | null;
      try {
        tags = await this.refusals(() => this.client(ref.channelAccountId).addTags(ref.channelOrderId, [tag]));
      } catch (error) {
        // Refused: NOT_FOUND when Shopify does not know the order (the read says so), else the refusal.
        if (error instanceof OrderActionRefused) await this.existingTags(ref);
        throw error;
      }
      // No order in the answer: read it (NOT_FOUND when Shopify does not know it).
      if (!(tags ?? (await this.existingTags(ref))).includes(tag))
        throw new OrderActionNotConfirmed(`Shopify does not show the tag ${tag} on ${ref.channelOrderId} after tagsAdd`);
      return { tag, already: false };
    });
  }

  /** Fulfils what the shipment covers that is not fulfilled yet; confirmed by reading the fulfilments back. */
  async confirmShipment(request: ShipmentRequest): Promise<ShipmentResult> {
    return this.tracked(request.channelAccountId, 'fulfil', async () => {
      const { shipment } = request;
      const recorded = await this.deps.shipments.find(request.channelAccountId, shipment.shipmentId);
      if (recorded) return { fulfillmentIds: recorded.fulfillmentIds.split(',').filter(Boolean), already: true };
      const order = await this.existing(request);
      if (order.cancelledAt) throw new OrderActionRefused('refused', `${request.channelOrderId} is cancelled on Shopify`);
      const previous = fulfilledWithTracking(order, shipment.trackingNumber);
      const plan = planFulfillment(
        shipment.lines.map((line) => ({ channelLineId: line.channelLineId, sku: line.sku, quantity: line.quantity })),
        order.fulfillmentOrders,
        previous.quantities,
      );
      if (plan.kind === 'impossible') throw new OrderActionRefused('refused', `shipment ${shipment.shipmentId}: ${plan.reason}`);
      if (plan.kind === 'done') {
        if (previous.fulfillmentIds.length === 0) throw new OrderActionRefused('refused', `shipment ${shipment.shipmentId} has no lines`);
        return { fulfillmentIds: previous.fulfillmentIds, already: true };
      }
      const created: string[] = [];
      for (const lineItemsByFulfillmentOrder of plan.calls) {
        const id = await this.refusals(() =>
          this.client(request.channelAccountId).createFulfillment({
            lineItemsByFulfillmentOrder,
            tracking: { company: shipment.carrier || null, number: shipment.trackingNumber || null, url: shipment.trackingUrl || null },
            notifyCustomer: request.notifyCustomer,
          }),
        );
        created.push(id);
      }
      const after = await this.existing(request);
      const missing = created.filter(
        (id) => !after.fulfillments.some((fulfillment) => fulfillment.id === id && fulfillment.status === 'SUCCESS'),
      );
      if (missing.length > 0)
        throw new OrderActionNotConfirmed(`Shopify does not show the fulfilments ${missing.join(', ')} after fulfillmentCreate`);
      return { fulfillmentIds: [...previous.fulfillmentIds, ...created], already: false };
    });
  }

  /** Records a confirmed shipment in the caller's transaction: a repeat is then answered without asking Shopify. */
  async recordShipment(manager: EntityManager, request: ShipmentRequest, result: ShipmentResult): Promise<void> {
    await this.deps.shipments.record(manager, {
      channelAccountId: request.channelAccountId,
      shipmentId: request.shipment.shipmentId,
      channelOrderId: request.channelOrderId,
      fulfillmentIds: result.fulfillmentIds.join(','),
      confirmedAt: new Date(),
    });
  }

  /** Cancels the order unless Shopify shows it cancelled; waits (bounded) for orderCancel's job to show it. */
  async cancel(request: CancelRequest): Promise<{ cancelledAt: Date; already: boolean }> {
    return this.tracked(request.channelAccountId, 'cancel', async () => {
      const order = await this.existing(request);
      if (order.cancelledAt) return { cancelledAt: order.cancelledAt, already: true };
      await this.refusals(() =>
        this.client(request.channelAccountId).cancelOrder({
          orderId: request.channelOrderId,
          reason: shopifyCancelReason(request.reason),
          restock: true,
          refund: true,
          notifyCustomer: request.notifyCustomer,
          staffNote: `retail-mesh: ${CancelReason[request.reason] ?? 'cancelled'}${request.note ? ` (${request.note})` : ''}`.slice(0, 255),
        }),
      );
      const deadline = Date.now() + this.deps.cancelConfirmMs;
      for (;;) {
        const after = await this.existing(request);
        if (after.cancelledAt) return { cancelledAt: after.cancelledAt, already: false };
        if (Date.now() >= deadline)
          throw new OrderActionNotConfirmed(`Shopify has not cancelled ${request.channelOrderId} yet (orderCancel runs in the background)`);
        await sleep(CANCEL_READ_BACK_INTERVAL_MS, undefined, { signal: this.deps.signal });
      }
    });
  }

  /**
   * Cancels units of lines (Shopify has no cancellation of part of an order: a refund with
   * restock type CANCEL takes unfulfilled units off it and refunds what they are worth), unless
   * the order's refunds show them cancelled; confirmed by reading the refunds back.
   */
  async cancelUnits(request: UnitCancelRequest): Promise<{ already: boolean }> {
    return this.tracked(request.channelAccountId, 'cancel', async () => {
      const before = await this.cancelledUnits(request);
      // Cancelled whole on Shopify meanwhile: no unit is left there to cancel.
      if (before.cancelledAt) return { already: true };
      const plan = planUnitCancellation(request.order, request.lines, before.lines);
      if (plan.kind === 'impossible') throw new OrderActionRefused('refused', `${request.channelOrderId}: ${plan.reason}`);
      if (plan.kind === 'done') return { already: true };
      const reason = CancelReason[request.reason] ?? 'cancelled';
      await this.refusals(() =>
        this.refundClients.get(request.channelAccountId).cancelUnits({
          orderId: request.channelOrderId,
          lines: plan.lines,
          note: `retail-mesh: ${reason}`,
          idempotencyKey: `retail-mesh-cancel-${request.order.orderId}-v${request.order.version}`,
        }),
      );
      const after = await this.cancelledUnits(request);
      if (planUnitCancellation(request.order, request.lines, after.lines).kind !== 'done')
        throw new OrderActionNotConfirmed(`Shopify does not show the units cancelled on ${request.channelOrderId} after refundCreate`);
      return { already: false };
    });
  }

  private async cancelledUnits(ref: OrderRef): Promise<CancelledUnits> {
    let units: CancelledUnits | null;
    try {
      units = await this.refundClients.get(ref.channelAccountId).cancelledUnits(ref.channelOrderId);
    } catch (error) {
      if (error instanceof ShopifyOrderError) throw new OrderActionRefused('refused', error.message);
      throw error;
    }
    if (!units) throw new OrderActionRefused('order_not_found', `Shopify does not know ${ref.channelOrderId}`);
    return units;
  }

  private async existing(ref: OrderRef): Promise<ShopifyOrderView> {
    let order: ShopifyOrderView | null;
    try {
      order = await this.readOrder(ref);
    } catch (error) {
      if (error instanceof ShopifyOrderError) throw new OrderActionRefused('refused', error.message);
      throw error;
    }
    if (!order) throw new OrderActionRefused('order_not_found', `Shopify does not know ${ref.channelOrderId}`);
    return order;
  }

  private async existingTags(ref: OrderRef): Promise<string[]> {
    const tags = await this.client(ref.channelAccountId).readTags(ref.channelOrderId);
    if (!tags) throw new OrderActionRefused('order_not_found', `Shopify does not know ${ref.channelOrderId}`);
    return tags;
  }

  /** Shopify's user errors on a mutation are final for that request. */
  private async refusals<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ShopifyAdminError && error.kind === 'user_errors' && !error.retryable)
        throw new OrderActionRefused('refused', error.message);
      throw error;
    }
  }

  private async tracked<T extends { already: boolean }>(
    channelAccountId: string,
    action: 'acknowledge' | 'fulfil' | 'cancel',
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await work();
      this.deps.metrics.action(channelAccountId, action, result.already ? 'already' : 'applied');
      return result;
    } catch (error) {
      this.deps.metrics.action(channelAccountId, action, 'failed');
      throw error;
    }
  }
}
