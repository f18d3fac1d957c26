// What the mesh asks of Shopify for an order, each idempotent and confirmed by Shopify's answer or
// by reading the order back: acknowledge (the ERP order's reference as the order's metafield;
// concurrent acknowledgements of an account share one metafieldsSet call), confirm a shipment
// (fulfillmentCreate on the open fulfillment order lines it covers, with carrier and tracking;
// what an earlier attempt of the same shipment fulfilled is found by its tracking number and not
// sent again), cancel (orderCancel, whose background job is awaited until the order shows
// cancelled), cancel units of lines (a refund with restock type CANCEL, ADR 0006, confirmed by the
// order's refunds; for the mesh's cancellations and for CancelOrder requests naming lines). The
// consumers and the ChannelAdapterService RPCs share this code.
import { setTimeout as sleep } from 'node:timers/promises';
import { ordersV1 } from '@retail-mesh/contracts';
import { KeyedRegistry } from '@retail-mesh/channel-kit';
import { GroupCommit } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { ShopifyAdminError } from '../shopify/shopify-admin.client.js';
import { acknowledgeBatch, type AcknowledgementOutcome } from './acknowledgement-batch.js';
import { planFulfillment } from './fulfillment-plan.js';
import { fulfilledWithTracking } from './order-state.mapper.js';
import type { OrdersMetrics } from './orders.metrics.js';
import { ShopifyOrderError } from './shopify-order.js';
import {
  MAX_METAFIELDS_PER_SET,
  ShopifyOrdersClient,
  type ErpOrderIdInput,
  type ShopifyCancelReason,
  type ShopifyOrderView,
} from './shopify-orders.client.js';
import { ShopifyRefundsClient } from './shopify-refunds.client.js';
import type { ShopifyShipmentRepository } from './shopify-shipment.repository.js';
import {
  planRequestedCancellation,
  planUnitCancellation,
  refundNote,
  refundOf,
  type CancelledUnits,
  type UnitCancellationPlan,
} from './unit-cancellation.js';

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

export interface RequestedUnitCancelRequest extends OrderRef {
  /** The CancelOrder request's idempotency key: a repeat of the request cancels nothing more. */
  idempotencyKey: string;
  /** Units of Shopify line items (gids) to cancel. */
  lines: Array<{ channelLineId: string; quantity: number }>;
  reason: ordersV1.CancelReason;
}

export interface UnitCancelResult {
  /** Shopify showed the units cancelled before anything was sent. */
  already: boolean;
  /** When Shopify cancelled them: the cancellation's refund, or the order's cancellation; now when it shows neither. */
  cancelledAt: Date;
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
  // Per account: while one metafieldsSet is out, the acknowledgements that arrive wait, and the
  // next call takes up to 25 of them (group commit, no linger: alone, one goes at once).
  private readonly acknowledgements: KeyedRegistry<GroupCommit<ErpOrderIdInput, AcknowledgementOutcome>>;

  constructor(private readonly deps: OrderActionsDependencies) {
    this.clients = new KeyedRegistry((channelAccountId) => new ShopifyOrdersClient(deps.accounts.client(channelAccountId)));
    this.refundClients = new KeyedRegistry((channelAccountId) => new ShopifyRefundsClient(deps.accounts.client(channelAccountId)));
    this.acknowledgements = new KeyedRegistry(
      (channelAccountId) =>
        new GroupCommit(MAX_METAFIELDS_PER_SET, (requests) => acknowledgeBatch(this.client(channelAccountId), requests)),
    );
  }

  client(channelAccountId: string): ShopifyOrdersClient {
    return this.clients.get(channelAccountId);
  }

  async readOrder(ref: OrderRef): Promise<ShopifyOrderView | null> {
    return this.client(ref.channelAccountId).readOrder(ref.channelOrderId);
  }

  /**
   * Writes the ERP order's reference onto the order (its ERP_ORDER_METAFIELD), in one metafieldsSet
   * with the acknowledgements waiting at the same time; confirmed by that call's answer (no read).
   * Setting the value the order has changes nothing, so a repeat is harmless and is not read first.
   */
  async acknowledge(ref: OrderRef, erpOrderId: string): Promise<{ already: boolean }> {
    return this.tracked(ref.channelAccountId, 'acknowledge', async () => {
      const outcome = await this.acknowledgements.get(ref.channelAccountId).submit({ orderId: ref.channelOrderId, erpOrderId });
      switch (outcome.kind) {
        case 'confirmed':
          return { already: false };
        case 'not_confirmed':
          throw new OrderActionNotConfirmed(outcome.message);
        case 'failed':
          throw outcome.error;
        case 'refused':
          // NOT_FOUND when Shopify does not know the order (a read says so), else the refusal.
          if ((await this.client(ref.channelAccountId).readErpOrderId(ref.channelOrderId)) === undefined)
            throw new OrderActionRefused('order_not_found', `Shopify does not know ${ref.channelOrderId}`);
          throw new OrderActionRefused('refused', `${ref.channelOrderId}: ${outcome.message}`);
      }
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
   * Cancels the units a mesh cancellation cancelled (Shopify has no cancellation of part of an
   * order: a refund with restock type CANCEL takes unfulfilled units off it and refunds what they
   * are worth), unless the order's refunds show the mesh's cancelled units; confirmed by reading
   * the refunds back.
   */
  async cancelUnits(request: UnitCancelRequest): Promise<UnitCancelResult> {
    return this.cancelUnitsOnShopify(request, `retail-mesh-cancel-${request.order.orderId}-v${request.order.version}`, (shopify) =>
      planUnitCancellation(request.order, request.lines, shopify.lines),
    );
  }

  /**
   * Cancels the units a CancelOrder request names, the same way, once per request: its refund
   * carries the request's key (scoped to the order), which a repeat finds on the order's refunds.
   */
  async cancelRequestedUnits(request: RequestedUnitCancelRequest): Promise<UnitCancelResult> {
    const key = `retail-mesh-cancel-${request.channelOrderId.split('/').pop()}-${request.idempotencyKey}`;
    return this.cancelUnitsOnShopify(request, key, (shopify) => planRequestedCancellation(key, request.lines, shopify));
  }

  /**
   * Reads what Shopify shows, sends what `plan` says is missing as one refund (idempotency key and
   * note mark: `key`), and reads back until `plan` says done.
   */
  private async cancelUnitsOnShopify(
    request: OrderRef & { reason: ordersV1.CancelReason },
    key: string,
    plan: (shopify: CancelledUnits) => UnitCancellationPlan,
  ): Promise<UnitCancelResult> {
    const cancelledAt = (shopify: CancelledUnits) => shopify.cancelledAt ?? refundOf(shopify, key)?.createdAt ?? new Date();
    return this.tracked(request.channelAccountId, 'cancel', async () => {
      const before = await this.cancelledUnits(request);
      // Cancelled whole on Shopify meanwhile: no unit is left there to cancel.
      if (before.cancelledAt) return { already: true, cancelledAt: before.cancelledAt };
      const planned = plan(before);
      if (planned.kind === 'impossible') throw new OrderActionRefused('refused', `${request.channelOrderId}: ${planned.reason}`);
      if (planned.kind === 'done') return { already: true, cancelledAt: cancelledAt(before) };
      await this.refusals(() =>
        this.refundClients.get(request.channelAccountId).cancelUnits({
          orderId: request.channelOrderId,
          lines: planned.lines,
          note: refundNote(CancelReason[request.reason] ?? 'cancelled', key),
          idempotencyKey: key,
        }),
      );
      const after = await this.cancelledUnits(request);
      if (plan(after).kind !== 'done')
        throw new OrderActionNotConfirmed(`Shopify does not show the units cancelled on ${request.channelOrderId} after refundCreate`);
      return { already: false, cancelledAt: cancelledAt(after) };
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
