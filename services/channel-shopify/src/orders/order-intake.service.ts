// Order intake, durable first: a webhook or a poll only stores the order's JSON (deduplicated on
// the webhook id and on the order, newest payload wins) and commits; a worker then maps the stored
// order to the canonical Order and calls OrdersService.SubmitOrder, and for an order cancelled on
// Shopify OrdersService.CancelOrder (reason CHANNEL_CANCELLED, requested by "channel"). Each order
// is submitted once by the adapter (SubmitOrder is idempotent as well, for the retry after a
// crash between the call and the commit). A payload the mapper refuses waits with its reason for
// a newer one; an unavailable orders service is retried with backoff.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { WorkerLoop } from '@retail-mesh/channel-kit';
import { Events, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { forEachConcurrently, type GrpcClient, type OutboxPublisher } from '@retail-mesh/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import type { IncomingOrder, OrderIntakeRepository, OrderKey, OrderSource } from './order-intake.repository.js';
import type { OrdersMetrics } from './orders.metrics.js';
import type { ShopifyOrderRecord } from './shopify-order.entity.js';
import { ShopifyOrderError, type OrderIdentity } from './shopify-order.js';
import { toCanonicalOrder } from './shopify-order.mapper.js';

export interface OrderIntakeOptions {
  /** Backstop of an idle worker. */
  intervalMs: number;
  /** How long a replica owns a row it processes. */
  claimTtlMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  batchSize: number;
  /** Orders submitted at once. */
  concurrency: number;
}

export interface OrderIntakeDependencies {
  dataSource: DataSource;
  repository: OrderIntakeRepository;
  publisher: OutboxPublisher;
  orders: GrpcClient<ordersV1.OrdersServiceClient>;
  metrics: OrdersMetrics;
  logger: Logger;
  /** This replica's id for row claims. */
  holderId: string;
  options: OrderIntakeOptions;
}

export interface StoredWebhook {
  channelAccountId: string;
  webhookId: string;
  topic: string;
  eventId: string | null;
  identity: OrderIdentity;
  rawBody: string;
}

/** gRPC codes that a later attempt cannot change: the payload waits for a newer one. */
const PERMANENT_CODES = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.UNIMPLEMENTED,
]);

function isPermanent(error: unknown): boolean {
  if (error instanceof ShopifyOrderError) return true;
  const code = (error as Partial<ServiceError> | null)?.code;
  return typeof code === 'number' && PERMANENT_CODES.has(code) && typeof (error as ServiceError).details === 'string';
}

function describe(error: unknown): string {
  const grpc = error as Partial<ServiceError> | null;
  if (typeof grpc?.code === 'number' && typeof grpc.details === 'string') return `${GrpcStatus[grpc.code]}: ${grpc.details}`;
  return error instanceof Error ? error.message : String(error);
}

export class OrderIntake {
  private readonly loop: WorkerLoop;

  constructor(private readonly deps: OrderIntakeDependencies) {
    // Every replica runs it: rows are claimed one by one, so replicas never work on the same order.
    this.loop = new WorkerLoop({
      step: () => this.round(),
      options: {
        idleMs: deps.options.intervalMs,
        failureBackoffBaseMs: deps.options.retryBaseMs,
        failureBackoffMaxMs: deps.options.retryMaxMs,
      },
      logger: deps.logger,
      onFailure: ({ error, consecutiveFailures }) => deps.logger.warn({ err: error, consecutiveFailures }, 'order intake round failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Records the delivery and stores the order in one transaction; 'duplicate' when this webhook id
   * was taken before (nothing else happens). The worker is woken after the commit.
   */
  async receiveWebhook(webhook: StoredWebhook): Promise<'accepted' | 'duplicate'> {
    const { channelAccountId, identity } = webhook;
    const now = new Date();
    const outcome = await withTransaction(this.deps.dataSource, async (manager) => {
      const fresh = await this.deps.repository.recordDelivery(
        manager,
        {
          channelAccountId,
          webhookId: webhook.webhookId,
          topic: webhook.topic,
          channelOrderId: identity.channelOrderId,
          eventId: webhook.eventId,
        },
        now,
      );
      if (!fresh) return { result: 'duplicate' as const, stored: false };
      const stored = await this.deps.repository.store(
        manager,
        { channelAccountId, identity, payload: webhook.rawBody, source: 'webhook' },
        now,
      );
      return { result: 'accepted' as const, stored };
    });
    if (outcome.stored) this.storedOne(channelAccountId, 'webhook');
    return outcome.result;
  }

  /**
   * Stores orders read from Shopify (poll, SyncOrders) in one transaction; `extra` runs in it too
   * (the poll cursor). With `resubmit` every order is submitted again (a repair). Returns how many
   * payloads were newer than the ones held.
   */
  async storeOrders(
    orders: readonly IncomingOrder[],
    options: { resubmit?: boolean; extra?: (manager: EntityManager) => Promise<void> } = {},
  ): Promise<number> {
    const now = new Date();
    const stored = await withTransaction(this.deps.dataSource, async (manager) => {
      const changed: IncomingOrder[] = [];
      for (const order of orders) {
        if (await this.deps.repository.store(manager, order, now)) changed.push(order);
        if (options.resubmit) {
          await this.deps.repository.requestResubmission(
            manager,
            { channelAccountId: order.channelAccountId, channelOrderId: order.identity.channelOrderId },
            now,
          );
        }
      }
      await options.extra?.(manager);
      return changed;
    });
    for (const order of stored) this.storedOne(order.channelAccountId, order.source);
    if (options.resubmit && orders.length > 0) this.wake();
    return stored.length;
  }

  private storedOne(channelAccountId: string, source: OrderSource): void {
    this.deps.metrics.stored(channelAccountId, source);
    this.wake();
  }

  private async round(): Promise<'more' | 'idle'> {
    const { options } = this.deps;
    const rows = await this.deps.repository.due(new Date(), options.batchSize);
    // Orders are independent and each submission is a round trip to the orders service: several at once.
    await forEachConcurrently(rows, options.concurrency, async (row) => {
      const now = new Date();
      const claimed = await this.deps.repository.claim(row, this.deps.holderId, now, new Date(now.getTime() + options.claimTtlMs));
      if (claimed) await this.process(row);
    });
    return rows.length === options.batchSize ? 'more' : 'idle';
  }

  private async process(row: ShopifyOrderRecord): Promise<void> {
    const key: OrderKey = { channelAccountId: row.channelAccountId, channelOrderId: row.channelOrderId };
    try {
      let orderId = row.orderId;
      if (!row.submittedAt) orderId = await this.submit(row);
      if (row.shopifyCancelledAt && !row.cancelSubmittedAt) await this.cancel(row, orderId as string);
      await this.deps.repository.release(key);
    } catch (error) {
      if (isPermanent(error)) {
        this.deps.metrics.intakeFailed(row.channelAccountId, 'rejected');
        this.deps.logger.warn({ err: error, ...key }, 'Shopify order refused: it waits for a newer version');
        await this.deps.repository.reject(key, describe(error));
        return;
      }
      const attempts = row.attempts + 1;
      const delayMs = Math.min(this.deps.options.retryMaxMs, this.deps.options.retryBaseMs * 2 ** (attempts - 1));
      this.deps.metrics.intakeFailed(row.channelAccountId, 'retry');
      this.deps.logger.warn({ err: error, ...key, attempts, delayMs }, 'Shopify order intake failed: retrying later');
      await this.deps.repository.retryLater(key, attempts, new Date(Date.now() + delayMs), describe(error));
    }
  }

  /** SubmitOrder, then (one transaction) the row is marked and channel.order_received is published. */
  private async submit(row: ShopifyOrderRecord): Promise<string> {
    let json: unknown;
    try {
      json = JSON.parse(row.payload);
    } catch (error) {
      throw new ShopifyOrderError(`the stored payload is not JSON: ${(error as Error).message}`);
    }
    const order = toCanonicalOrder(json, row.channelAccountId);
    const response = await this.deps.orders.submitOrder({ idempotencyKey: `${row.channelAccountId}/${row.channelOrderId}`, order });
    const submitted = response.order;
    if (!submitted?.orderId) throw new Error('SubmitOrder answered without an order id');
    const receivedAt = new Date();
    await this.deps.publisher.transaction(async ({ manager, publish }) => {
      await this.deps.repository.markSubmitted(manager, row, submitted.orderId, receivedAt);
      await publish({
        definition: Events.channel.orderReceived,
        payload: { order: submitted, receivedAt: toTimestamp(receivedAt) },
        subject: row.channelOrderId,
        channel: SHOPIFY_CHANNEL,
        channelAccountId: row.channelAccountId,
      });
    });
    this.deps.metrics.submittedOrder(row.channelAccountId, response.created);
    return submitted.orderId;
  }

  private async cancel(row: ShopifyOrderRecord, orderId: string): Promise<void> {
    const reason = (JSON.parse(row.payload) as { cancel_reason?: unknown }).cancel_reason;
    await this.deps.orders.cancelOrder({
      orderId,
      reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED,
      lines: [],
      note: `cancelled on Shopify${typeof reason === 'string' ? ` (reason: ${reason})` : ''}`,
      requestedBy: 'channel',
    });
    await this.deps.repository.markCancelSubmitted(row, new Date());
  }
}
