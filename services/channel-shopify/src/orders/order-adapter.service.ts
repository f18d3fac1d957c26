// The ChannelAdapterService order RPCs for Shopify, on the same code as the consumers:
// AcknowledgeOrder, ConfirmShipment, CancelOrder (whole orders, or units of lines; each idempotent
// and confirmed by Shopify's answer or a read-back), GetOrderState
// (what Shopify shows now) and SyncOrders (re-import and re-submit orders changed since a time).
import { channelV1, fromTimestamp, toTimestamp } from '@retail-mesh/contracts';
import { withTransaction } from '@retail-mesh/persistence';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '@retail-mesh/service-kit';
import type { DataSource } from 'typeorm';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { ShopifyAdminError } from '../shopify/shopify-admin.client.js';
import { OrderActionNotConfirmed, OrderActionRefused, type OrderRef, type ShopifyOrderActions } from './order-actions.service.js';
import type { OrderPoller } from './order-poller.js';
import { channelOrderState } from './order-state.mapper.js';
import { ShopifyOrderError } from './shopify-order.js';

/** Orders per GetOrderState call. */
export const MAX_ORDER_STATE_IDS = 50;
const SHOPIFY_ORDER_GID = /^gid:\/\/shopify\/Order\/\d+$/;
const SHOPIFY_LINE_ITEM_GID = /^gid:\/\/shopify\/LineItem\/\d+$/;

export interface OrderAdapterDependencies {
  dataSource: DataSource;
  accounts: ShopifyAccountRegistry;
  actions: ShopifyOrderActions;
  poller: OrderPoller;
}

export class OrderAdapterService {
  constructor(private readonly deps: OrderAdapterDependencies) {}

  async acknowledgeOrder(request: channelV1.AcknowledgeOrderRequest): Promise<channelV1.AcknowledgeOrderResponse> {
    const ref = this.orderRef(request.channelAccountId, request.channelOrderId);
    // The acknowledgement on Shopify is the ERP order's reference on the order (ADR 0004).
    if (request.erpOrderId === '') throw new InvalidArgumentError('invalid_erp_order_id', 'erp_order_id is required');
    await this.mapped(() => this.deps.actions.acknowledge(ref, request.erpOrderId));
    return { acknowledgedAt: toTimestamp(new Date()) };
  }

  async confirmShipment(request: channelV1.ConfirmShipmentRequest): Promise<channelV1.ConfirmShipmentResponse> {
    const ref = this.orderRef(request.channelAccountId, request.channelOrderId);
    const shipment = request.shipment;
    if (!shipment?.shipmentId) throw new InvalidArgumentError('invalid_shipment', 'shipment.shipment_id is required');
    if (shipment.lines.length === 0) throw new InvalidArgumentError('invalid_shipment', 'the shipment has no lines');
    const shipmentRequest = { ...ref, shipment, notifyCustomer: request.notifyCustomer };
    const result = await this.mapped(() => this.deps.actions.confirmShipment(shipmentRequest));
    if (!result.already)
      await withTransaction(this.deps.dataSource, (manager) => this.deps.actions.recordShipment(manager, shipmentRequest, result));
    return { channelFulfillmentId: result.fulfillmentIds[0] ?? '' };
  }

  async cancelOrder(request: channelV1.CancelOrderRequest): Promise<channelV1.CancelOrderResponse> {
    const ref = this.orderRef(request.channelAccountId, request.channelOrderId);
    if (request.lines.length > 0) {
      // Units of lines: a refund with restock type CANCEL, as for the mesh's cancellations (ADR 0006).
      if (request.idempotencyKey === '')
        throw new InvalidArgumentError('invalid_idempotency_key', 'idempotency_key is required to cancel lines: it names their refund');
      const bad = request.lines.find((line) => !SHOPIFY_LINE_ITEM_GID.test(line.channelLineId) || !(line.quantity > 0));
      if (bad) {
        throw new InvalidArgumentError(
          'invalid_lines',
          `each line needs a Shopify line item gid and a positive quantity, got "${bad.channelLineId}" x ${bad.quantity}`,
        );
      }
      const units = await this.mapped(() =>
        this.deps.actions.cancelRequestedUnits({
          ...ref,
          idempotencyKey: request.idempotencyKey,
          lines: request.lines.map(({ channelLineId, quantity }) => ({ channelLineId, quantity })),
          reason: request.reason,
        }),
      );
      return { cancelledAt: toTimestamp(units.cancelledAt) };
    }
    const result = await this.mapped(() =>
      this.deps.actions.cancel({ ...ref, reason: request.reason, note: request.note, notifyCustomer: request.notifyCustomer }),
    );
    return { cancelledAt: toTimestamp(result.cancelledAt) };
  }

  async getOrderState(request: channelV1.GetOrderStateRequest): Promise<channelV1.GetOrderStateResponse> {
    this.servedAccount(request.channelAccountId);
    if (request.channelOrderIds.length > MAX_ORDER_STATE_IDS) {
      throw new InvalidArgumentError(
        'too_many_orders',
        `at most ${MAX_ORDER_STATE_IDS} orders per call, got ${request.channelOrderIds.length}`,
      );
    }
    const states: channelV1.ChannelOrderState[] = [];
    for (const channelOrderId of request.channelOrderIds) {
      const ref = this.orderRef(request.channelAccountId, channelOrderId);
      states.push(channelOrderState(channelOrderId, await this.mapped(() => this.deps.actions.readOrder(ref))));
    }
    return { states };
  }

  async syncOrders(request: channelV1.SyncOrdersRequest): Promise<channelV1.SyncOrdersResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (!request.since) throw new InvalidArgumentError('invalid_since', 'since is required');
    const orderCount = await this.mapped(() =>
      this.deps.poller.sync(channelAccountId, fromTimestamp(request.since as NonNullable<typeof request.since>)),
    );
    return { orderCount };
  }

  private servedAccount(channelAccountId: string): string {
    if (!this.deps.accounts.has(channelAccountId)) {
      throw new NotFoundError('channel_account_not_found', `this adapter serves no Shopify channel account "${channelAccountId}"`);
    }
    return channelAccountId;
  }

  private orderRef(channelAccountId: string, channelOrderId: string): OrderRef {
    this.servedAccount(channelAccountId);
    if (!SHOPIFY_ORDER_GID.test(channelOrderId)) {
      throw new InvalidArgumentError(
        'invalid_channel_order_id',
        `channel_order_id must be a Shopify order gid (gid://shopify/Order/<id>), got "${channelOrderId}"`,
      );
    }
    return { channelAccountId, channelOrderId };
  }

  /** Refusals -> NOT_FOUND / FAILED_PRECONDITION; Shopify not (yet) confirming or failing -> UNAVAILABLE (retry later). */
  private async mapped<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof OrderActionRefused) {
        throw error.reason === 'order_not_found'
          ? new NotFoundError('order_not_found', error.message)
          : new FailedPreconditionError('refused_by_shopify', error.message);
      }
      if (error instanceof ShopifyOrderError) throw new FailedPreconditionError('unreadable_order', error.message);
      if (error instanceof OrderActionNotConfirmed) throw new UnavailableError('not_confirmed', error.message);
      if (error instanceof ShopifyAdminError) throw new UnavailableError('shopify_unavailable', error.message);
      throw error;
    }
  }
}
