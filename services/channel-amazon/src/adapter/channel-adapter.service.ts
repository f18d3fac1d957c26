// retail.channel.v1.ChannelAdapterService for Amazon, on the same code as the consumers and
// loops: pushes store desired state and wake the pusher, acknowledgements and cancellations are
// queued for the order feeds (units of an item as an order adjustment), shipments are confirmed
// with read-back, orders re-read on demand.
// Calls that wait for Amazon wait at most AMAZON_RPC_WAIT_MS and then say what is still queued.
// Order calls first read the order: one Amazon does not know is NOT_FOUND at once, not a feed error later.
import { pushAvailability } from '@retail-mesh/channel-kit';
import { channelV1, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  type OutboxPublisher,
} from '@retail-mesh/service-kit';
import { fromTimestamp } from '@retail-mesh/contracts';
import type { DataSource } from 'typeorm';
import type { AmazonAccountRegistry } from '../accounts/amazon-account.registry.js';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import { SpApiError } from '../amazon/sp-api.error.js';
import type { AmazonOrder } from '../amazon/sp-api.types.js';
import type { AvailabilityPusher } from '../availability/availability-pusher.js';
import type { DesiredListingRepository } from '../availability/desired-listing.repository.js';
import type { ChannelAmazonMetrics } from '../metrics/channel-amazon.metrics.js';
import { amazonCancelReason } from '../order-events/order-events.mapper.js';
import type { OrderFeedAction } from '../order-feeds/order-feed-action.entity.js';
import type { NewOrderFeedAction, OrderFeedActionRepository } from '../order-feeds/order-feed-action.repository.js';
import { requestDedupeKey } from '../order-feeds/order-feed.documents.js';
import { adjustmentReason, planAdjustments, type AdjustItem, type UnitsToCancel } from '../order-feeds/payment-adjustment.js';
import type { OrderFeedWorker } from '../order-feeds/order-feed.worker.js';
import type { OrderIntake } from '../orders/order-intake.js';
import { ShipmentRefusedError, type ShipmentConfirmer } from '../shipments/shipment-confirmer.js';
import { accountHealth, channelOrderStatus, PUSH_RESULT_WORDING } from './channel-adapter.mapper.js';

export const MAX_PUSH_UPDATES = 1000;
export const MAX_LISTING_STATE_SKUS = 50;
export const MAX_ORDER_STATE_IDS = 50;

export interface AmazonChannelAdapterDependencies {
  dataSource: DataSource;
  publisher: OutboxPublisher;
  accounts: AmazonAccountRegistry;
  desired: DesiredListingRepository;
  pusher: AvailabilityPusher;
  actions: OrderFeedActionRepository;
  worker: OrderFeedWorker;
  intake: OrderIntake;
  shipments: ShipmentConfirmer;
  metrics: ChannelAmazonMetrics;
  adapterVersion: string;
  rpcWaitMs: number;
}

export class AmazonChannelAdapterService {
  constructor(private readonly deps: AmazonChannelAdapterDependencies) {}

  pushAvailability(request: channelV1.PushAvailabilityRequest): Promise<channelV1.PushAvailabilityResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    const { dataSource, desired, pusher, metrics } = this.deps;
    return pushAvailability(
      { dataSource, desired, pusher, metrics, wording: PUSH_RESULT_WORDING, waitMs: this.deps.rpcWaitMs },
      channelAccountId,
      request.updates,
    );
  }

  /** What Amazon shows now for each SKU (getListingsItem: its DEFAULT quantity). */
  async getListingState(request: channelV1.GetListingStateRequest): Promise<channelV1.GetListingStateResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (request.skus.length > MAX_LISTING_STATE_SKUS)
      throw new InvalidArgumentError('too_many_skus', `at most ${MAX_LISTING_STATE_SKUS} SKUs per call`);
    const account = this.deps.accounts.get(channelAccountId);
    const client = this.deps.accounts.client(channelAccountId);
    const states: channelV1.ListingState[] = [];
    for (const sku of request.skus) {
      const listing = await this.amazonCall(() => client.getListingsItem(account.sellerId, sku, account.marketplaceIds));
      states.push({
        sku,
        listed: listing !== undefined,
        availableQuantity: listing?.quantity ?? 0,
        price: null,
        externalProductId: listing?.asin ?? '',
        externalVariantId: '',
        observedAt: toTimestamp(new Date()),
      });
    }
    return { states };
  }

  async acknowledgeOrder(request: channelV1.AcknowledgeOrderRequest): Promise<channelV1.AcknowledgeOrderResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    requireAmazonOrderId(request.channelOrderId);
    await this.knownOrder(channelAccountId, request.channelOrderId);
    const acknowledgedAt = await this.enqueueAndWait([
      {
        channelAccountId,
        kind: 'acknowledge',
        amazonOrderId: request.channelOrderId,
        orderId: request.orderId,
        erpOrderId: request.erpOrderId,
      },
    ]);
    return { acknowledgedAt: toTimestamp(acknowledgedAt) };
  }

  /**
   * Whole order (no lines): every item with units to ship, through a Failure acknowledgement.
   * With lines: a line naming all of its item's units to ship cancels the item the same way; one
   * naming fewer cancels and refunds them through an order adjustment (ADR 0006), which needs the
   * idempotency key: the request's actions are queued under it, so a repeat (even after Amazon
   * applied them, when its items look different) waits for the same actions and sends nothing again.
   */
  async cancelOrder(request: channelV1.CancelOrderRequest): Promise<channelV1.CancelOrderResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    requireAmazonOrderId(request.channelOrderId);
    const order = await this.knownOrder(channelAccountId, request.channelOrderId);
    // A repeat of a whole-order cancellation (or Amazon's own) answers it unchanged: nothing is sent again.
    if (request.lines.length === 0 && order.OrderStatus === 'Canceled') return { cancelledAt: toTimestamp(new Date(order.LastUpdateDate)) };
    const keyed = request.lines.length > 0 && request.idempotencyKey !== '';
    const dedupeKey = keyed ? requestDedupeKey(request.channelOrderId, request.idempotencyKey) : undefined;
    if (dedupeKey !== undefined) {
      const queued = [
        await this.deps.actions.find(channelAccountId, 'cancel', dedupeKey),
        await this.deps.actions.find(channelAccountId, 'adjust', dedupeKey),
      ].filter((action) => action !== null);
      if (queued.length > 0) return { cancelledAt: toTimestamp(await this.waitFor(queued)) };
    }
    const items = await this.amazonCall(() => this.deps.accounts.client(channelAccountId).getOrderItems(request.channelOrderId));
    const open = (item: (typeof items)[number]) => item.QuantityOrdered - (item.QuantityShipped ?? 0);
    const reason = amazonCancelReason(request.reason);
    let cancelItems: Array<{ orderItemId: string; reason: string }> = [];
    const units: UnitsToCancel[] = [];
    if (request.lines.length === 0) {
      cancelItems = items.filter((item) => open(item) > 0).map((item) => ({ orderItemId: item.OrderItemId, reason }));
    } else {
      for (const line of request.lines) {
        const item = items.find((candidate) => candidate.OrderItemId === line.channelLineId);
        if (!item)
          throw new InvalidArgumentError('unknown_line', `Amazon order ${request.channelOrderId} has no item ${line.channelLineId}`);
        if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > open(item)) {
          throw new InvalidArgumentError(
            'invalid_quantity',
            `item ${item.OrderItemId} has ${open(item)} units to ship; ${line.quantity} cannot be cancelled`,
          );
        }
        if (line.quantity === open(item)) cancelItems.push({ orderItemId: item.OrderItemId, reason });
        else units.push({ orderItemId: item.OrderItemId, quantity: line.quantity });
      }
    }
    if (cancelItems.length === 0 && units.length === 0)
      throw new FailedPreconditionError('nothing_to_cancel', `Amazon order ${request.channelOrderId} has nothing left to cancel`);
    let adjustItems: AdjustItem[] = [];
    if (units.length > 0) {
      if (!keyed) {
        throw new InvalidArgumentError(
          'missing_idempotency_key',
          'cancelling some units of an item is an order adjustment (a refund): idempotency_key is required',
        );
      }
      const planned = planAdjustments(units, items, adjustmentReason(request.reason));
      if (!planned.ok) throw new FailedPreconditionError('adjustment_not_possible', planned.reason);
      adjustItems = planned.items;
    }
    const base = { channelAccountId, amazonOrderId: request.channelOrderId, orderId: request.orderId, erpOrderId: '' };
    const actions: NewOrderFeedAction[] = [];
    if (cancelItems.length > 0) actions.push({ ...base, kind: 'cancel', cancelItems, dedupeKey });
    if (adjustItems.length > 0) actions.push({ ...base, kind: 'adjust', adjustItems, dedupeKey });
    return { cancelledAt: toTimestamp(await this.enqueueAndWait(actions)) };
  }

  async confirmShipment(request: channelV1.ConfirmShipmentRequest): Promise<channelV1.ConfirmShipmentResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    requireAmazonOrderId(request.channelOrderId);
    const shipment = request.shipment;
    if (!shipment) throw new InvalidArgumentError('missing_shipment', 'shipment is required');
    await this.knownOrder(channelAccountId, request.channelOrderId);
    // Without the canonical order, each shipment line stands for its own line: Amazon must show at least its units shipped.
    const order = ordersV1.Order.fromPartial({
      orderId: request.orderId,
      lines: shipment.lines.map((line) => ({
        lineId: line.lineId,
        channelLineId: line.channelLineId,
        quantity: line.quantity,
        shippedQuantity: line.quantity,
      })),
    });
    try {
      await this.deps.shipments.confirm(
        { channelAccountId, amazonOrderId: request.channelOrderId, orderId: request.orderId },
        order,
        shipment,
      );
    } catch (error) {
      if (error instanceof ShipmentRefusedError) throw new FailedPreconditionError('shipment_refused', error.message);
      throw this.unavailable(error);
    }
    return { channelFulfillmentId: shipment.shipmentId };
  }

  async getOrderState(request: channelV1.GetOrderStateRequest): Promise<channelV1.GetOrderStateResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (request.channelOrderIds.length > MAX_ORDER_STATE_IDS)
      throw new InvalidArgumentError('too_many_orders', `at most ${MAX_ORDER_STATE_IDS} orders per call`);
    const client = this.deps.accounts.client(channelAccountId);
    const acknowledged = await this.deps.actions.acknowledged(channelAccountId, request.channelOrderIds);
    const states: channelV1.ChannelOrderState[] = [];
    for (const channelOrderId of request.channelOrderIds) {
      const order = /^\d{3}-\d{7}-\d{7}$/.test(channelOrderId) ? await this.amazonCall(() => client.getOrder(channelOrderId)) : undefined;
      states.push({
        channelOrderId,
        status: channelOrderStatus(order?.OrderStatus, acknowledged.has(channelOrderId)),
        // Orders v0 does not return tracking numbers.
        trackingNumbers: [],
        updatedAt: order ? toTimestamp(new Date(order.LastUpdateDate)) : null,
      });
    }
    return { states };
  }

  async syncOrders(request: channelV1.SyncOrdersRequest): Promise<channelV1.SyncOrdersResponse> {
    const channelAccountId = this.servedAccount(request.channelAccountId);
    if (!request.since) throw new InvalidArgumentError('missing_since', 'since is required');
    const result = await this.amazonCall(() =>
      this.deps.intake.syncSince(channelAccountId, fromTimestamp(request.since as NonNullable<typeof request.since>)),
    );
    return { orderCount: result.submitted };
  }

  async getAdapterStatus(request: channelV1.GetAdapterStatusRequest): Promise<channelV1.GetAdapterStatusResponse> {
    const ids = request.channelAccountId === '' ? this.deps.accounts.ids() : [this.servedAccount(request.channelAccountId)];
    // What the pending_updates gauge reads at scrape time.
    const pending = await this.deps.desired.pendingCounts(new Date());
    const accounts: channelV1.AccountStatus[] = [];
    for (const channelAccountId of ids) {
      const push = this.deps.pusher.status(channelAccountId);
      const orders = this.deps.intake.status(channelAccountId);
      const feeds = this.deps.worker.status(channelAccountId);
      const loops = [push, orders, feeds].filter((status) => status !== undefined);
      const latestError = loops
        .filter((status) => status.lastErrorAt !== null && status.consecutiveFailures > 0)
        .sort((a, b) => (b.lastErrorAt as Date).getTime() - (a.lastErrorAt as Date).getTime())[0];
      const cursor = await this.deps.intake.cursor(channelAccountId);
      const getOrders = this.deps.accounts.buckets.get(channelAccountId, 'getOrders');
      accounts.push({
        channelAccountId,
        health: accountHealth(loops),
        rateLimitRemaining: Math.max(0, Math.floor(getOrders.available())),
        orderCursor: cursor?.toISOString() ?? '',
        lastOrderSyncAt: orders?.lastSyncAt ? toTimestamp(orders.lastSyncAt) : null,
        lastPushAt: push?.lastPushAt ? toTimestamp(push.lastPushAt) : null,
        lastError: latestError?.lastError ?? '',
        lastErrorAt: latestError?.lastErrorAt ? toTimestamp(latestError.lastErrorAt) : null,
        pendingAvailabilityUpdates: pending.get(channelAccountId)?.waiting ?? 0,
        heldAvailabilityUpdates: pending.get(channelAccountId)?.held ?? 0,
      });
    }
    return { channel: AMAZON_CHANNEL, adapterVersion: this.deps.adapterVersion, accounts };
  }

  /** Queues the actions (one transaction) and waits for their verdicts: the time the last was settled. */
  private async enqueueAndWait(actions: readonly NewOrderFeedAction[]): Promise<Date> {
    const stored = await this.deps.publisher.transaction(async ({ manager }) => {
      const now = new Date();
      const rows: OrderFeedAction[] = [];
      for (const action of actions) rows.push(await this.deps.actions.enqueue(manager, action, now));
      return rows;
    });
    for (const action of actions) this.deps.worker.wake(action.channelAccountId);
    return this.waitFor(stored);
  }

  private async waitFor(actions: readonly OrderFeedAction[]): Promise<Date> {
    const deadline = Date.now() + this.deps.rpcWaitMs;
    for (;;) {
      const current = await Promise.all(actions.map((action) => this.deps.actions.get(action.id)));
      const failed = current.find((action) => action?.state === 'failed');
      if (failed) throw new FailedPreconditionError('refused_by_amazon', `Amazon refused the ${failed.kind}: ${failed.lastError ?? ''}`);
      if (current.every((action) => action?.state === 'done')) {
        return new Date(Math.max(...current.map((action) => (action as OrderFeedAction).updatedAt.getTime())));
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        const waiting = actions.find((_, index) => current[index]?.state !== 'done') as OrderFeedAction;
        throw new UnavailableError(
          'queued',
          `the ${waiting.kind} of ${waiting.amazonOrderId} is queued for the next order feed; ask again to learn the outcome`,
        );
      }
      await this.deps.worker.nextProgress(remainingMs);
    }
  }

  /** The order as Amazon shows it; NOT_FOUND when Amazon does not know it (acting on it could only fail later, in a feed). */
  private async knownOrder(channelAccountId: string, amazonOrderId: string): Promise<AmazonOrder> {
    const order = await this.amazonCall(() => this.deps.accounts.client(channelAccountId).getOrder(amazonOrderId));
    if (!order) throw new NotFoundError('order_not_found', `Amazon does not know order ${amazonOrderId}`);
    return order;
  }

  /** An SP-API failure is UNAVAILABLE for the caller, with Amazon's reason. */
  private async amazonCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): unknown {
    if (error instanceof SpApiError) return new UnavailableError(`amazon_${error.kind}`, error.message, { cause: error });
    return error;
  }

  private servedAccount(channelAccountId: string): string {
    if (!this.deps.accounts.has(channelAccountId)) {
      throw new NotFoundError('channel_account_not_found', `this adapter serves no Amazon channel account "${channelAccountId}"`);
    }
    return channelAccountId;
  }
}

function requireAmazonOrderId(channelOrderId: string): void {
  if (!/^\d{3}-\d{7}-\d{7}$/.test(channelOrderId))
    throw new InvalidArgumentError('invalid_channel_order_id', `channel_order_id "${channelOrderId}" is not an Amazon order id (3-7-7)`);
}
