// The backstop that catches what webhooks missed: per account, every interval, two passes over
// the orders updated recently (channel-kit's order-poll-window.ts): a settled pass from the persisted cursor to
// `settle` before the round, which then moves the cursor there (in the transaction of its last
// page, and only forward), and a fresh pass from the previous round's start on, for the orders of
// the last seconds. Each order is listed about twice, not once per round of the settle time. Both
// store through the same deduplicating intake as webhooks. Before its first poll an account's
// order webhooks are subscribed (when the adapter knows its public URL), retried with the poll.
import { AccountLoops, orderPollWindows } from '@retail-mesh/channel-kit';
import type { Logger } from '@retail-mesh/observability';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import type { OrderCursorRepository } from './order-cursor.repository.js';
import type { OrderIntake } from './order-intake.service.js';
import type { IncomingOrder, OrderSource } from './order-intake.repository.js';
import type { OrdersMetrics, PollPass } from './orders.metrics.js';
import { orderIdentity, ShopifyOrderError, type OrderIdentity } from './shopify-order.js';
import type { ShopifyOrdersClient } from './shopify-orders.client.js';
import type { ShopifyOrdersRestClient, UpdatedAtWindow } from './shopify-orders-rest.client.js';
import { ORDER_WEBHOOK_TOPIC_ENUMS } from './shopify-webhook.js';

export interface OrderPollerOptions {
  intervalMs: number;
  /** How late an updated order may appear in Shopify's list: the settled pass lists orders this old. */
  settleMs: number;
  /** How far each pass reaches back before where the previous one ended (bounds have one-second resolution). */
  marginMs: number;
  lookbackMs: number;
  failureBackoffMaxMs: number;
  /** `<base>/webhooks/shopify/<account>` is subscribed to the order topics; unset: no subscription. */
  webhookBaseUrl?: string;
}

export interface OrderPollerDependencies {
  accounts: ShopifyAccountRegistry;
  cursors: OrderCursorRepository;
  intake: OrderIntake;
  restClient: (channelAccountId: string) => ShopifyOrdersRestClient;
  graphqlClient: (channelAccountId: string) => ShopifyOrdersClient;
  metrics: OrdersMetrics;
  logger: Logger;
  options: OrderPollerOptions;
}

export interface PollStatus {
  /** The cursor after the last complete settled pass. */
  updatedAtSeen: Date | null;
  lastPollAt: Date | null;
  lastError: string | null;
}

/** What `orderIdentity` reads of an order: a poll lists only these. */
const IDENTITY_FIELDS = ['id', 'admin_graphql_api_id', 'name', 'updated_at', 'cancelled_at'];

/** `gid://shopify/Order/123` -> 123. */
function numericOrderId(channelOrderId: string): number {
  return Number(channelOrderId.slice(channelOrderId.lastIndexOf('/') + 1));
}

export function webhookUri(baseUrl: string, channelAccountId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/webhooks/shopify/${encodeURIComponent(channelAccountId)}`;
}

export class OrderPoller {
  private readonly loops: AccountLoops;
  private readonly statuses = new Map<string, PollStatus>();
  private readonly subscribed = new Set<string>();
  /** Per account, where this process's last round whose fresh pass completed started. */
  private readonly roundStarts = new Map<string, Date>();

  constructor(private readonly deps: OrderPollerDependencies) {
    for (const channelAccountId of deps.accounts.ids()) {
      this.statuses.set(channelAccountId, { updatedAtSeen: null, lastPollAt: null, lastError: null });
    }
    // Every replica polls (no lease): what a poll finds goes through the deduplicating intake.
    this.loops = new AccountLoops({
      accountIds: deps.accounts.ids(),
      step: ({ channelAccountId }) => this.round(channelAccountId),
      options: {
        idleMs: deps.options.intervalMs,
        failureBackoffBaseMs: Math.min(deps.options.intervalMs, 1_000),
        failureBackoffMaxMs: deps.options.failureBackoffMaxMs,
      },
      logger: deps.logger,
      onFailure: (channelAccountId, { error, consecutiveFailures }) => {
        const status = this.statuses.get(channelAccountId) as PollStatus;
        status.lastError = error instanceof Error ? error.message : String(error);
        deps.metrics.polled(channelAccountId, 'failed');
        deps.logger.warn({ err: error, channelAccountId, consecutiveFailures }, 'order poll failed');
      },
    });
  }

  start(): void {
    this.loops.start();
  }

  stop(): Promise<void> {
    return this.loops.stop();
  }

  status(channelAccountId: string): PollStatus | undefined {
    return this.statuses.get(channelAccountId);
  }

  /**
   * Reads the orders updated at or after `since` and stores them (SyncOrders: every one found is
   * submitted again). Returns how many were found.
   */
  async sync(channelAccountId: string, since: Date): Promise<number> {
    return this.read(channelAccountId, { min: since }, 'sync');
  }

  private async round(channelAccountId: string): Promise<'idle'> {
    const { webhookBaseUrl, settleMs, marginMs, lookbackMs } = this.deps.options;
    if (webhookBaseUrl && !this.subscribed.has(channelAccountId)) {
      await this.subscribeWebhooks(channelAccountId, webhookUri(webhookBaseUrl, channelAccountId));
      this.subscribed.add(channelAccountId);
    }
    const now = new Date();
    const cursor = (await this.deps.cursors.find(channelAccountId))?.updatedAtSeen ?? null;
    const previousRoundStart = this.roundStarts.get(channelAccountId) ?? null;
    const windows = orderPollWindows({ cursor, previousRoundStart, now, settleMs, lookbackMs, marginMs });
    // Fresh first: the orders of the last seconds do not wait for a settled pass catching up.
    await this.read(channelAccountId, windows.fresh, 'poll', { pass: 'fresh' });
    this.roundStarts.set(channelAccountId, now);
    if (windows.settled) {
      await this.read(channelAccountId, windows.settled, 'poll', { pass: 'settled', cursorTo: windows.cursor });
    } else if (cursor === null) {
      // An account's first poll with nothing to settle yet: later rounds settle from where it started.
      await this.deps.cursors.advance(channelAccountId, windows.cursor, new Date());
    }
    const status = this.statuses.get(channelAccountId) as PollStatus;
    if (status.updatedAtSeen === null || status.updatedAtSeen < windows.cursor) status.updatedAtSeen = windows.cursor;
    status.lastPollAt = new Date();
    status.lastError = null;
    this.deps.metrics.polled(channelAccountId, 'ok');
    return 'idle';
  }

  /**
   * Lists the orders updated within `window` with only the fields that say which and how recent,
   * then reads whole only those a poll has something to store for (not held yet, or newer than
   * held): most orders a pass lists came with their webhook or the other pass. A sync (a repair)
   * reads and submits again every one it lists. `cursorTo`: the cursor moves there in the
   * transaction of the last page.
   */
  private async read(
    channelAccountId: string,
    window: UpdatedAtWindow,
    source: OrderSource,
    poll?: { pass: PollPass; cursorTo?: Date },
  ): Promise<number> {
    const client = this.deps.restClient(channelAccountId);
    let url: string | null = client.firstPageUrl(window, { fields: IDENTITY_FIELDS });
    let found = 0;
    while (url) {
      const page = await client.page(url);
      const listed = this.identities(channelAccountId, page.orders);
      found += listed.length;
      if (poll) this.deps.metrics.listed(channelAccountId, poll.pass, listed.length);
      const wanted = source === 'sync' ? listed : await this.deps.intake.newerThanStored(channelAccountId, listed);
      const orders: IncomingOrder[] = [];
      for (const json of await client.byIds(wanted.map((identity) => numericOrderId(identity.channelOrderId)))) {
        const [identity] = this.identities(channelAccountId, [json]);
        if (identity === undefined) continue;
        orders.push({ channelAccountId, identity, payload: JSON.stringify(json), source });
      }
      const cursorTo = page.next === null ? poll?.cursorTo : undefined;
      await this.deps.intake.storeOrders(orders, {
        resubmit: source === 'sync',
        extra: cursorTo ? (manager) => this.deps.cursors.advance(channelAccountId, cursorTo, new Date(), manager) : undefined,
      });
      url = page.next;
    }
    return found;
  }

  /** The identities of the listed orders; one that is not an order is skipped with a warning. */
  private identities(channelAccountId: string, orders: readonly unknown[]): OrderIdentity[] {
    const identities: OrderIdentity[] = [];
    for (const json of orders) {
      try {
        identities.push(orderIdentity(json));
      } catch (error) {
        if (!(error instanceof ShopifyOrderError)) throw error;
        this.deps.logger.warn({ channelAccountId, reason: error.message }, 'skipping an order Shopify listed that is not an order');
      }
    }
    return identities;
  }

  /** Subscribes the account's order topics to this adapter, unless Shopify already has them. */
  private async subscribeWebhooks(channelAccountId: string, uri: string): Promise<void> {
    const client = this.deps.graphqlClient(channelAccountId);
    const existing = await client.webhookSubscriptions([...ORDER_WEBHOOK_TOPIC_ENUMS]);
    for (const topic of ORDER_WEBHOOK_TOPIC_ENUMS) {
      if (existing.some((subscription) => subscription.topic === topic && subscription.uri === uri)) continue;
      await client.createWebhookSubscription(topic, uri);
      this.deps.logger.info({ channelAccountId, topic, uri }, 'subscribed a Shopify webhook');
    }
  }
}
