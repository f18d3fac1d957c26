// Webhook deliveries as Shopify makes them: a POST of the resource's REST JSON to each matching
// subscription, signed with the app's client secret (X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256
// of the raw body), with the topic, shop, webhook id, API version, trigger time and event id in
// headers. A non-2xx answer, a timeout or a refused connection is retried after each of
// `retryDelaysMs` (Shopify: 8 retries over 4 hours; tests configure short delays), then the
// delivery is failed. Tests can drop deliveries (never sent: the poll backstop must catch them)
// and re-send one delivery N times with the same webhook id (Shopify delivers at least once).
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { ShopState } from '../shops/shop-registry.js';
import type { WebhookTopic } from './webhook-topics.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, null when no answer came (refused, timed out). */
  status: number | null;
  error: string | null;
  /** A re-send requested through the admin route (same webhook id and body). */
  redelivery: boolean;
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  shop: string;
  topic: WebhookTopic;
  subscriptionId: string;
  uri: string;
  /** The gid of the resource in the payload (the order). */
  resourceId: string | null;
  headers: Record<string, string>;
  /** The exact bytes sent (and signed). */
  body: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
}

export interface DropRule {
  /** Deliveries still to drop. */
  remaining: number;
  shop?: string;
  topic?: string;
}

export interface WebhookDispatcherSettings {
  /** Waits before each retry of a failed delivery; its length is the retry count. */
  retryDelaysMs: number[];
  /** Per attempt (Shopify: 5 s in total). */
  timeoutMs: number;
}

// Shopify retries 8 times over 4 hours.
export const SHOPIFY_RETRY_DELAYS_MS = [60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000];
const DELIVERY_LOG_CAPACITY = 2000;

export interface DeliveryFilter {
  shop?: string;
  topic?: string;
  resourceId?: string;
}

/** Deliveries since start or clear(), by how their first attempt went (the log keeps only the latest). */
export interface FirstAttemptTally {
  /** Answered 2xx within the timeout. */
  answered: number;
  /** A non-2xx answer, a timeout or no connection: retried later, or failed. */
  notAnswered: number;
}

export class WebhookDispatcher {
  private settings: WebhookDispatcherSettings;
  private tally: FirstAttemptTally = { answered: 0, notAnswered: 0 };
  private readonly deliveries: WebhookDelivery[] = [];
  private dropRules: DropRule[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  /** Bumped by stop(): retries of deliveries started before never get scheduled. */
  private generation = 0;

  constructor(
    private readonly now: () => number,
    settings: Partial<WebhookDispatcherSettings> = {},
  ) {
    this.settings = { retryDelaysMs: settings.retryDelaysMs ?? SHOPIFY_RETRY_DELAYS_MS, timeoutMs: settings.timeoutMs ?? 5_000 };
  }

  configure(settings: Partial<WebhookDispatcherSettings>): WebhookDispatcherSettings {
    this.settings = {
      retryDelaysMs: settings.retryDelaysMs ?? this.settings.retryDelaysMs,
      timeoutMs: settings.timeoutMs ?? this.settings.timeoutMs,
    };
    return this.settings;
  }

  /** Drops the next deliveries matching each rule (replacing earlier rules; `[]` clears them). */
  setDropRules(rules: DropRule[]): void {
    this.dropRules = rules.map((rule) => ({ ...rule }));
  }

  dropRulesView(): DropRule[] {
    return this.dropRules.map((rule) => ({ ...rule }));
  }

  /**
   * Delivers `payload` for `topic` to every subscription of the shop to that topic. `eventId` is
   * shared by the deliveries of one merchant action (e.g. orders/cancelled and orders/updated).
   */
  emit(shop: ShopState, topic: WebhookTopic, payload: unknown, resourceId: string | null, eventId: string): WebhookDelivery[] {
    const body = JSON.stringify(payload);
    const emitted: WebhookDelivery[] = [];
    for (const subscription of shop.webhookSubscriptions.values()) {
      if (subscription.topic !== topic) continue;
      const webhookId = randomUUID();
      const delivery: WebhookDelivery = {
        webhookId,
        eventId,
        shop: shop.name,
        topic,
        subscriptionId: subscription.id,
        uri: subscription.uri,
        resourceId,
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': topic,
          'x-shopify-hmac-sha256': createHmac('sha256', shop.clientSecret).update(body, 'utf8').digest('base64'),
          'x-shopify-shop-domain': shop.domain,
          'x-shopify-webhook-id': webhookId,
          'x-shopify-api-version': subscription.apiVersion,
          'x-shopify-triggered-at': new Date(this.now()).toISOString(),
          'x-shopify-event-id': eventId,
        },
        body,
        status: 'pending',
        attempts: [],
      };
      this.record(delivery);
      emitted.push(delivery);
      if (this.takeDrop(delivery)) {
        delivery.status = 'dropped';
        continue;
      }
      void this.attempt(delivery, 0);
    }
    return emitted;
  }

  /** Sends a recorded delivery again `times` times, one after the other, with the same id, headers and body. */
  async redeliver(webhookId: string, times: number): Promise<Array<number | null> | undefined> {
    const delivery = this.deliveries.find((candidate) => candidate.webhookId === webhookId);
    if (!delivery) return undefined;
    const statuses: Array<number | null> = [];
    for (let index = 0; index < times; index++) statuses.push(await this.send(delivery, true));
    return statuses;
  }

  list(filter: DeliveryFilter = {}): WebhookDelivery[] {
    return this.deliveries.filter(
      (delivery) =>
        (filter.shop === undefined || delivery.shop === filter.shop) &&
        (filter.topic === undefined || delivery.topic === filter.topic) &&
        (filter.resourceId === undefined || delivery.resourceId === filter.resourceId),
    );
  }

  /** Forgets deliveries and drop rules, cancels pending retries (sandbox reset). */
  clear(): void {
    this.stop();
    this.deliveries.length = 0;
    this.tally = { answered: 0, notAnswered: 0 };
    this.dropRules = [];
  }

  /** Cancels pending retries and deliveries in flight (sandbox close). */
  stop(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** How the first attempts of the deliveries since start or clear() went (a receiver too slow for Shopify's 5 s shows here). */
  firstAttempts(): FirstAttemptTally {
    return { ...this.tally };
  }

  private record(delivery: WebhookDelivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > DELIVERY_LOG_CAPACITY) this.deliveries.shift();
  }

  private takeDrop(delivery: WebhookDelivery): boolean {
    const rule = this.dropRules.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.shop === undefined || candidate.shop === delivery.shop) &&
        (candidate.topic === undefined || candidate.topic === delivery.topic),
    );
    if (!rule) return false;
    rule.remaining -= 1;
    return true;
  }

  private async attempt(delivery: WebhookDelivery, retriesDone: number): Promise<void> {
    const generation = this.generation;
    const status = await this.send(delivery, false);
    if (generation !== this.generation) return;
    const answered = status !== null && status >= 200 && status < 300;
    if (retriesDone === 0) this.tally[answered ? 'answered' : 'notAnswered'] += 1;
    if (answered) {
      delivery.status = 'delivered';
      return;
    }
    const delayMs = this.settings.retryDelaysMs[retriesDone];
    if (delayMs === undefined) {
      if (delivery.status === 'pending') delivery.status = 'failed';
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(delivery, retriesDone + 1);
    }, delayMs);
    this.timers.add(timer);
  }

  /**
   * The POST itself, over kept-alive connections as Shopify keeps them to a subscriber (fetch
   * spent more of the sandbox's CPU than building the order); the answer's status.
   */
  private post(delivery: WebhookDelivery, signal: AbortSignal): Promise<number> {
    const body = Buffer.from(delivery.body);
    const url = new URL(delivery.uri);
    const secure = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          headers: { ...delivery.headers, 'content-length': String(body.length) },
          agent: secure ? this.agents.https : this.agents.http,
          signal,
        },
        (response) => {
          response.on('error', reject);
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.resume();
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** One POST; the status, or null when no answer came. */
  private async send(delivery: WebhookDelivery, redelivery: boolean): Promise<number | null> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    const attempt: DeliveryAttempt = { at: new Date(this.now()).toISOString(), status: null, error: null, redelivery };
    try {
      attempt.status = await this.post(delivery, controller.signal);
      if (attempt.status >= 200 && attempt.status < 300 && delivery.status !== 'delivered') delivery.status = 'delivered';
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    delivery.attempts.push(attempt);
    return attempt.status;
  }
}
