// Order intake, durable first: a webhook or a poll only stores the order's JSON (deduplicated on
// the webhook id and on the order, newest payload wins) and commits; a worker then maps the stored
// order to the canonical Order and submits it to the orders service (a round's new orders in one
// SubmitOrders call), and for an order cancelled on Shopify calls OrdersService.CancelOrder (reason
// CHANNEL_CANCELLED, requested by "channel"). Each order is submitted once by the adapter
// (submission is idempotent as well, for the retry after a crash between the call and the
// commit). A payload the mapper refuses waits with its reason for a newer one; an unavailable
// orders service is retried with backoff.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { WorkerLoop } from '@retail-mesh/channel-kit';
import { Events, MAX_SUBMIT_ORDERS_REQUESTS, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import type { Logger } from '@retail-mesh/observability';
import { GroupCommit, withTransaction } from '@retail-mesh/persistence';
import { BatchedCalls, forEachConcurrently, type GrpcClient, type OutboxPublisher } from '@retail-mesh/service-kit';
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
  /** How long a round waits at most for the webhook transactions to catch up. */
  webhookPriorityMaxMs: number;
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

/** Cancelled on Shopify, and the orders service not told yet. */
function hasCancellationToPass(row: ShopifyOrderRecord): boolean {
  return row.shopifyCancelledAt !== null && !row.cancelSubmittedAt;
}

/** A row whose only work is submitting its order (not submitted yet, no cancellation to pass on). */
function isNewOnly(row: ShopifyOrderRecord): boolean {
  return !row.submittedAt && !hasCancellationToPass(row);
}

function describe(error: unknown): string {
  const grpc = error as Partial<ServiceError> | null;
  if (typeof grpc?.code === 'number' && typeof grpc.details === 'string') return `${GrpcStatus[grpc.code]}: ${grpc.details}`;
  return error instanceof Error ? error.message : String(error);
}

/** An order the orders service took, to be marked on its row. */
interface Submitted {
  row: ShopifyOrderRecord;
  order: ordersV1.Order;
  receivedAt: Date;
  /** Nothing else to do for the row: released too. */
  done: boolean;
}

// Webhooks stored, or rows marked submitted, in one transaction at most.
const PER_TRANSACTION = 100;

interface WebhookOutcome {
  result: 'accepted' | 'duplicate';
  /** The payload was newer than the one held: the worker has something to do. */
  stored: boolean;
}

export class OrderIntake {
  private readonly loop: WorkerLoop;
  // The webhooks that arrive together are stored in one transaction.
  private readonly webhooks = new GroupCommit<StoredWebhook, WebhookOutcome>(PER_TRANSACTION, (webhooks) => this.receiveWebhooks(webhooks));
  // The submissions that come back together are marked in one transaction.
  private readonly submitted = new GroupCommit<Submitted, void>(PER_TRANSACTION, async (submitted) => {
    await this.markSubmitted(submitted);
    return submitted.map(() => undefined);
  });

  // SubmitOrders (SubmitOrder to an orders service without it), each order's answer its own.
  private readonly submissions: BatchedCalls<ordersV1.SubmitOrderRequest, ordersV1.SubmitOrderResponse>;

  constructor(private readonly deps: OrderIntakeDependencies) {
    this.submissions = new BatchedCalls({
      batch: async (requests) => (await deps.orders.submitOrders({ requests })).results,
      single: (request) => deps.orders.submitOrder(request),
      maxBatchSize: MAX_SUBMIT_ORDERS_REQUESTS,
    });
    // Every replica runs it: a round claims its rows (in one statement), so replicas never work on the same order.
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
   * Records the delivery and stores the order in one transaction (shared with the webhooks that
   * arrive meanwhile); 'duplicate' when this webhook id was taken before (nothing else happens).
   * The worker is woken after the commit.
   */
  async receiveWebhook(webhook: StoredWebhook): Promise<'accepted' | 'duplicate'> {
    const outcome = await this.webhooks.submit(webhook);
    if (outcome.stored) this.storedOne(webhook.channelAccountId, 'webhook');
    return outcome.result;
  }

  /** Records the deliveries and stores the orders of the new ones, a statement for each for all of them. */
  private receiveWebhooks(webhooks: readonly StoredWebhook[]): Promise<WebhookOutcome[]> {
    const now = new Date();
    return withTransaction(this.deps.dataSource, async (manager) => {
      const fresh = await this.deps.repository.recordDeliveries(
        manager,
        webhooks.map(({ channelAccountId, webhookId, topic, identity, eventId }) => ({
          channelAccountId,
          webhookId,
          topic,
          channelOrderId: identity.channelOrderId,
          eventId,
        })),
        now,
      );
      const accepted = webhooks.filter((_, index) => fresh[index]);
      const stored = await this.deps.repository.storeAll(
        manager,
        accepted.map(({ channelAccountId, identity, rawBody }) => ({
          channelAccountId,
          identity,
          payload: rawBody,
          source: 'webhook' as const,
        })),
        now,
      );
      let next = 0;
      return webhooks.map((_, index) =>
        fresh[index] ? { result: 'accepted', stored: stored[next++]! } : { result: 'duplicate', stored: false },
      );
    });
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
      const newer = await this.deps.repository.storeAll(manager, orders, now);
      for (const order of options.resubmit ? orders : []) {
        await this.deps.repository.requestResubmission(
          manager,
          { channelAccountId: order.channelAccountId, channelOrderId: order.identity.channelOrderId },
          now,
        );
      }
      await options.extra?.(manager);
      return orders.filter((_, index) => newer[index]);
    });
    for (const order of stored) this.storedOne(order.channelAccountId, order.source);
    if (options.resubmit && orders.length > 0) this.wake();
    return stored.length;
  }

  /** Of these orders of one account, those `storeOrders` would store (not held yet, or newer than held). */
  newerThanStored(channelAccountId: string, identities: readonly OrderIdentity[]): Promise<OrderIdentity[]> {
    return this.deps.repository.newerThanStored(channelAccountId, identities);
  }

  private storedOne(channelAccountId: string, source: OrderSource): void {
    this.deps.metrics.stored(channelAccountId, source);
    this.wake();
  }

  private async round(): Promise<'more' | 'idle'> {
    const { options } = this.deps;
    // Receiving comes first: while webhooks arrive faster than their transactions commit, the
    // round waits (a while at most), so that this process and the database answer Shopify within
    // its 5 s instead of working off orders already stored.
    await this.webhooks.whenCaughtUp(options.webhookPriorityMaxMs);
    const now = new Date();
    const mine = await this.deps.repository.claimDue(
      this.deps.holderId,
      now,
      new Date(now.getTime() + options.claimTtlMs),
      options.batchSize,
    );
    // New orders, the bulk of the work, go to the orders service in one SubmitOrders call; the
    // few with a cancellation to pass on (each a round trip or two) several at once.
    await Promise.all([
      this.submitNew(mine.filter(isNewOnly)),
      forEachConcurrently(
        mine.filter((row) => !isNewOnly(row)),
        options.concurrency,
        (row) => this.process(row),
      ),
    ]);
    return mine.length === options.batchSize ? 'more' : 'idle';
  }

  /**
   * Submits orders that are all their rows' work in one SubmitOrders call, then marks and
   * releases the rows the orders service took (one transaction for all of them); each refused or
   * failed order is retried or rejected on its own.
   */
  private async submitNew(rows: readonly ShopifyOrderRecord[]): Promise<void> {
    const requests: Array<{ row: ShopifyOrderRecord; request: ordersV1.SubmitOrderRequest }> = [];
    for (const row of rows) {
      try {
        requests.push({ row, request: this.submitRequestOf(row) });
      } catch (error) {
        await this.failed(row, error);
      }
    }
    if (requests.length === 0) return;
    const settled = await this.submissions.callAll(requests.map(({ request }) => request));
    await Promise.all(
      requests.map(async ({ row }, index) => {
        const outcome = settled[index]!;
        try {
          if (outcome.status === 'rejected') throw outcome.reason;
          await this.accepted(row, outcome.value, true);
        } catch (error) {
          await this.failed(row, error);
        }
      }),
    );
  }

  private async process(row: ShopifyOrderRecord): Promise<void> {
    const key: OrderKey = { channelAccountId: row.channelAccountId, channelOrderId: row.channelOrderId };
    try {
      const orderId = row.submittedAt ? row.orderId : await this.submit(row);
      if (hasCancellationToPass(row)) await this.cancel(row, orderId as string);
      await this.deps.repository.release(key);
    } catch (error) {
      await this.failed(row, error);
    }
  }

  /** A refusal waits for a newer payload; anything else is retried with backoff. */
  private async failed(row: ShopifyOrderRecord, error: unknown): Promise<void> {
    const key: OrderKey = { channelAccountId: row.channelAccountId, channelOrderId: row.channelOrderId };
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

  /** Submits an order with more to do (a cancellation to pass on): its row is not released yet. */
  private async submit(row: ShopifyOrderRecord): Promise<string> {
    const response = await this.submissions.call(this.submitRequestOf(row));
    return this.accepted(row, response, false);
  }

  /** The stored payload as the canonical order; a payload the mapper refuses throws ShopifyOrderError. */
  private submitRequestOf(row: ShopifyOrderRecord): ordersV1.SubmitOrderRequest {
    let json: unknown;
    try {
      json = JSON.parse(row.payload);
    } catch (error) {
      throw new ShopifyOrderError(`the stored payload is not JSON: ${(error as Error).message}`);
    }
    return { idempotencyKey: `${row.channelAccountId}/${row.channelOrderId}`, order: toCanonicalOrder(json, row.channelAccountId) };
  }

  /**
   * The orders service took the order: (one transaction, shared with the submissions that come
   * back meanwhile) the row is marked and channel.order_received is published; `done`: and
   * released (nothing else to do for it). Returns the order id.
   */
  private async accepted(row: ShopifyOrderRecord, response: ordersV1.SubmitOrderResponse, done: boolean): Promise<string> {
    const submitted = response.order;
    if (!submitted?.orderId) throw new Error('SubmitOrder answered without an order id');
    await this.submitted.submit({ row, order: submitted, receivedAt: new Date(), done });
    this.deps.metrics.submittedOrder(row.channelAccountId, response.created);
    return submitted.orderId;
  }

  /** Marks the rows submitted (and released when done) and publishes channel.order_received for each, in one transaction. */
  private async markSubmitted(submitted: readonly Submitted[]): Promise<void> {
    await this.deps.publisher.transaction(async ({ manager, publish }) => {
      await this.deps.repository.markSubmitted(
        manager,
        submitted.map(({ row, order, receivedAt, done }) => ({ key: row, orderId: order.orderId, submittedAt: receivedAt, done })),
      );
      await publish(
        ...submitted.map(({ row, order, receivedAt }) => ({
          definition: Events.channel.orderReceived,
          payload: { order, receivedAt: toTimestamp(receivedAt) },
          subject: row.channelOrderId,
          channel: SHOPIFY_CHANNEL,
          channelAccountId: row.channelAccountId,
        })),
      );
    });
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
