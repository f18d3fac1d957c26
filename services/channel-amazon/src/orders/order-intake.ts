// Order intake per Amazon account (lease 'orders'): each round polls getOrders in two passes
// (order-poll-passes.ts, where the bounds and Amazon's documented semantics are): a fresh pass
// for the orders updated since the previous round, and a settled pass from the stored cursor to
// the settle time before the round, after which the cursor moves to where Amazon says that answer
// ends. Each pass follows NextToken, and for each order decides (decideIntake): a new order
// ready for fulfilment has its items read (and, when the seller ships it (MFN), its shipping
// address with a Restricted Data Token), is mapped to the canonical order and handed to
// OrdersService.SubmitOrder (idempotent on account + Amazon order id), then recorded with
// channel.order_received in one transaction; an order Amazon cancelled after it was submitted
// goes to OrdersService.CancelOrder.
// An order Amazon fulfils (AFN) is shipped by Amazon: when it shows more units shipped than the
// mesh was told of, its items are read and channel.shipment_confirmed (cumulative units per item)
// is published with the new count in the record, in one transaction: once per change.
// The address is buyer PII: it goes to the orders service and into the event, never into a log
// line or the local record.
// The cursor moves only after every page of a settled pass was handled: a crash reads the same
// orders again, which SubmitOrder and the local record make harmless. SyncOrders reads from a
// time on without moving it.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { AccountWorker, type AccountStep, type StepOutcome, type WorkerLoopStatus } from '@retail-mesh/channel-kit';
import { Events, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import type { GrpcClient, OutboxPublisher } from '@retail-mesh/service-kit';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import type { GetOrdersQuery } from '../amazon/sp-api.client.js';
import type { AmazonOrder } from '../amazon/sp-api.types.js';
import type { PollPass } from '../metrics/channel-amazon.metrics.js';
import { dutyLoopsConfig, type DutyDependencies } from '../workers/duty-loops.js';
import {
  amazonShipmentReport,
  decideIntake,
  isFulfilledBySeller,
  shippedByAmazon,
  toCanonicalOrder,
  type AmazonShipped,
  type KnownOrder,
} from './amazon-order.mapper.js';
import type { AmazonOrderRepository, OrderRecord } from './amazon-order.repository.js';
import type { OrderCursorRepository } from './order-cursor.repository.js';
import { answeredUpTo, earlierAnswer, orderPollPasses } from './order-poll-passes.js';

export const ORDERS_DUTY = 'orders';

export type OrdersGateway = Pick<GrpcClient<ordersV1.OrdersServiceClient>, 'submitOrder' | 'cancelOrder'>;

export interface OrderIntakeOptions {
  pollIntervalMs: number;
  /** How late an updated order may appear in getOrders: the settled pass lists orders this old. */
  settleMs: number;
  initialLookbackMs: number;
  leaseTtlMs: number;
  failureBackoffMaxMs: number;
}

export interface OrderIntakeDependencies extends DutyDependencies {
  orders: OrdersGateway;
  records: AmazonOrderRepository;
  cursors: OrderCursorRepository;
  publisher: OutboxPublisher;
  options: OrderIntakeOptions;
}

export interface PollResult {
  /** Orders handed to SubmitOrder (new or existing). */
  submitted: number;
  cancelled: number;
}

// Refusals of the orders service that a retry of the same request cannot change.
const FINAL_GRPC_CODES = new Set([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
]);

/** Orders updated within a time frame: getOrders' query without the marketplaces. */
type UpdatedWindow = Pick<GetOrdersQuery, 'lastUpdatedAfter' | 'lastUpdatedBefore'>;

export class OrderIntake extends AccountWorker {
  private readonly lastSyncAt = new Map<string, Date>();
  /** Per account, where Amazon's answer to this process's last complete fresh pass ended. */
  private readonly freshEnds = new Map<string, Date>();

  constructor(private readonly deps: OrderIntakeDependencies) {
    super(dutyLoopsConfig(ORDERS_DUTY, deps, { idleMs: deps.options.pollIntervalMs, waitMs: deps.options.pollIntervalMs }));
  }

  override status(channelAccountId: string): (WorkerLoopStatus & { lastSyncAt: Date | null }) | undefined {
    const status = super.status(channelAccountId);
    return status ? { ...status, lastSyncAt: this.lastSyncAt.get(channelAccountId) ?? null } : undefined;
  }

  async cursor(channelAccountId: string): Promise<Date | null> {
    return this.deps.cursors.load(channelAccountId);
  }

  /** Re-reads orders updated since a time (SyncOrders) without moving the cursor. */
  async syncSince(channelAccountId: string, since: Date): Promise<PollResult> {
    return (await this.read(channelAccountId, { lastUpdatedAfter: since })).result;
  }

  protected async step(loop: AccountStep): Promise<StepOutcome> {
    const { channelAccountId } = loop;
    const { settleMs, initialLookbackMs } = this.deps.options;
    const now = new Date();
    const cursor = await this.deps.cursors.load(channelAccountId);
    const previousFreshEnd = this.freshEnds.get(channelAccountId) ?? null;
    const passes = orderPollPasses({ cursor, previousFreshEnd, now, settleMs, lookbackMs: initialLookbackMs });
    // Fresh first: the orders of the last minutes do not wait for a settled pass catching up.
    const fresh = await this.read(channelAccountId, passes.fresh, 'fresh');
    this.freshEnds.set(channelAccountId, answeredUpTo(now, fresh.answered));
    if (passes.settled) {
      const settled = await this.read(channelAccountId, passes.settled, 'settled');
      await this.deps.cursors.advance(channelAccountId, answeredUpTo(passes.settled.lastUpdatedBefore, settled.answered), new Date());
    } else if (passes.firstCursor) {
      await this.deps.cursors.advance(channelAccountId, passes.firstCursor, new Date());
    }
    this.lastSyncAt.set(channelAccountId, new Date());
    return 'idle';
  }

  /**
   * Lists and handles every page of the orders updated within `window`. `answered`: the earliest
   * LastUpdatedBefore of its pages (where Amazon's answer is complete up to), if it gave one.
   */
  private async read(
    channelAccountId: string,
    window: UpdatedWindow,
    pass?: PollPass,
  ): Promise<{ result: PollResult; answered: Date | undefined }> {
    const account = this.deps.accounts.get(channelAccountId);
    const client = this.deps.accounts.client(channelAccountId);
    const result: PollResult = { submitted: 0, cancelled: 0 };
    let answered: Date | undefined;
    let nextToken: string | undefined;
    do {
      const page = await client.getOrders({ marketplaceIds: account.marketplaceIds, ...window }, nextToken);
      answered = earlierAnswer(answered, page.lastUpdatedBefore);
      if (pass) this.deps.metrics.pollListed(channelAccountId, pass, page.orders.length);
      const known = await this.deps.records.find(
        channelAccountId,
        page.orders.map((order) => order.AmazonOrderId),
      );
      for (const order of page.orders) {
        const outcome = await this.handle(channelAccountId, order, known.get(order.AmazonOrderId));
        if (outcome === 'submit') result.submitted += 1;
        if (outcome === 'cancel') result.cancelled += 1;
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return { result, answered };
  }

  private async handle(channelAccountId: string, order: AmazonOrder, known: KnownOrder | undefined): Promise<string> {
    const decision = decideIntake(order, known);
    const record: OrderRecord = {
      channelAccountId,
      amazonOrderId: order.AmazonOrderId,
      lastUpdateDate: order.LastUpdateDate,
      orderStatus: order.OrderStatus,
    };
    switch (decision) {
      case 'skip':
        return decision;
      case 'wait':
      case 'record':
        await this.deps.publisher.transaction(({ manager }) => this.deps.records.save(manager, record, new Date()));
        return decision;
      case 'submit':
        await this.submit(channelAccountId, order, record);
        return decision;
      case 'cancel':
        await this.cancel(channelAccountId, known?.orderId as string, record);
        return decision;
      case 'ship':
        await this.reportShipped(channelAccountId, order, known as KnownOrder, record);
        return decision;
    }
  }

  private async submit(channelAccountId: string, order: AmazonOrder, record: OrderRecord): Promise<void> {
    const client = this.deps.accounts.client(channelAccountId);
    const items = await client.getOrderItems(order.AmazonOrderId);
    // Amazon ships AFN orders itself: the mesh does not need the recipient's name and street for them.
    const address = isFulfilledBySeller(order) ? (await client.getOrderAddress(order.AmazonOrderId))?.ShippingAddress : undefined;
    const mapping = toCanonicalOrder(channelAccountId, order, items, address);
    if (!mapping.ok) {
      // Visible, not retried in a loop: a changed order (new LastUpdateDate) is tried again.
      this.deps.metrics.orderUnmappable(channelAccountId);
      this.deps.logger.error(
        { channelAccountId, amazonOrderId: order.AmazonOrderId, reason: mapping.reason },
        'Amazon order cannot be mapped; not submitted',
      );
      await this.deps.publisher.transaction(({ manager }) =>
        this.deps.records.save(manager, { ...record, lastError: mapping.reason }, new Date()),
      );
      return;
    }
    let response: ordersV1.SubmitOrderResponse;
    try {
      response = await this.deps.orders.submitOrder({ idempotencyKey: `${channelAccountId}/${order.AmazonOrderId}`, order: mapping.order });
    } catch (error) {
      if (!isFinalGrpcError(error)) throw error;
      this.deps.logger.error(
        { err: error, channelAccountId, amazonOrderId: order.AmazonOrderId },
        'the orders service refused the Amazon order',
      );
      await this.deps.publisher.transaction(({ manager }) =>
        this.deps.records.save(manager, { ...record, lastError: `SubmitOrder refused it: ${(error as ServiceError).details}` }, new Date()),
      );
      return;
    }
    const submitted = response.order ?? mapping.order;
    // Amazon may have shipped some of an order it fulfils before the mesh first saw it.
    const shipped = isFulfilledBySeller(order) ? undefined : shippedByAmazon(items);
    const now = new Date();
    await this.deps.publisher.transaction(async ({ manager, publish }) => {
      await this.deps.records.save(
        manager,
        { ...record, orderId: submitted.orderId, submittedAt: now, lastError: null, shippedUnitsReported: shipped?.units ?? 0 },
        now,
      );
      await publish({
        definition: Events.channel.orderReceived,
        payload: { order: submitted, receivedAt: toTimestamp(now) },
        subject: submitted.orderId || order.AmazonOrderId,
        channel: AMAZON_CHANNEL,
        channelAccountId,
      });
      if (shipped && shipped.units > 0) await publish(this.shipmentReport(channelAccountId, submitted.orderId, order, shipped));
    });
    this.deps.metrics.orderSubmitted(channelAccountId, response.created);
    if (shipped && shipped.units > 0) this.deps.metrics.channelShipmentReported(channelAccountId);
  }

  /**
   * Amazon shows more units shipped of an order it fulfils: the items say how many of each; the
   * report and the new count commit together, so a poll that runs again (a crash before the
   * commit, the other pass, SyncOrders) reports the same figures at most (the orders service ships
   * only what its order lacks).
   */
  private async reportShipped(channelAccountId: string, order: AmazonOrder, known: KnownOrder, record: OrderRecord): Promise<void> {
    const shipped = shippedByAmazon(await this.deps.accounts.client(channelAccountId).getOrderItems(order.AmazonOrderId));
    const report = shipped.units > known.shippedUnitsReported;
    await this.deps.publisher.transaction(async ({ manager, publish }) => {
      await this.deps.records.save(manager, report ? { ...record, shippedUnitsReported: shipped.units } : record, new Date());
      if (report) await publish(this.shipmentReport(channelAccountId, known.orderId as string, order, shipped));
    });
    if (report) this.deps.metrics.channelShipmentReported(channelAccountId);
  }

  private shipmentReport(channelAccountId: string, orderId: string, order: AmazonOrder, shipped: AmazonShipped) {
    return {
      definition: Events.channel.shipmentConfirmed,
      payload: amazonShipmentReport(channelAccountId, orderId, order, shipped),
      subject: orderId,
      channel: AMAZON_CHANNEL,
      channelAccountId,
    };
  }

  private async cancel(channelAccountId: string, orderId: string, record: OrderRecord): Promise<void> {
    let lastError: string | null = null;
    try {
      await this.deps.orders.cancelOrder({
        orderId,
        reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED,
        lines: [],
        note: 'cancelled on Amazon',
        requestedBy: 'channel',
      });
      this.deps.metrics.channelCancelled(channelAccountId);
    } catch (error) {
      // Already cancelled, or shipped meanwhile: the orders service's verdict stands.
      if (!isFinalGrpcError(error)) throw error;
      lastError = `CancelOrder refused it: ${(error as ServiceError).details}`;
      this.deps.logger.warn({ err: error, channelAccountId, orderId }, 'the orders service refused the cancellation Amazon reported');
    }
    const now = new Date();
    await this.deps.publisher.transaction(({ manager }) =>
      this.deps.records.save(manager, { ...record, cancelSubmittedAt: now, lastError }, now),
    );
  }
}

function isFinalGrpcError(error: unknown): boolean {
  const code = (error as Partial<ServiceError> | undefined)?.code;
  return typeof code === 'number' && FINAL_GRPC_CODES.has(code);
}
