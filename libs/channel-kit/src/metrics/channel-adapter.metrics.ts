// The metrics every channel adapter has (ARCHITECTURE §7, per channel: API calls, throttled
// waits, availability pushes and their latency), labelled by channel account: each store or
// selling partner has its own limits and health. The service's name prefixes them
// (`retail_mesh_channel_shopify_api_calls_total`); adapters extend the class with their own.
import { EVENT_AGE_BUCKETS_SECONDS, type ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** What a channel API client reports about its calls (one observer per channel account). */
export interface ApiCallObserver<Outcome extends string = string> {
  /** One HTTP attempt finished (a retried call reports each attempt): `ok` or the failure kind. */
  call?(operation: string, outcome: Outcome, seconds: number): void;
  /** A call waited for the account's rate-limit bucket before it was sent. */
  throttleWait?(operation: string, seconds: number): void;
}

/** Availability rows of an account not yet on the channel. */
export interface PendingCounts {
  /** Waiting for the pusher. */
  waiting: number;
  /** On hold after a refusal (no listing, the channel said no) until a newer version or the hold expires. */
  held: number;
}

export interface ChannelAdapterMetricsOptions {
  /** How help texts name the channel: `Shopify`. */
  channelName: string;
  /** How help texts name its API: `Shopify Admin API`. */
  apiName: string;
  /** Buckets of `availability_push_latency_seconds`, up to the longest a push can take on this channel. */
  pushLatencyBucketsSeconds: readonly number[];
  /** Label `availability_updates_pushed_total` with how the quantities went out (`patch`, `feed`); `pushed` then needs the method. */
  pushMethodLabel?: boolean;
}

type Account = 'channel_account_id';

export class ChannelAdapterMetrics {
  private readonly apiCalls: Counter<Account | 'operation' | 'outcome'>;
  private readonly apiCallSeconds: Histogram<'operation'>;
  private readonly throttledWaits: Counter<Account | 'operation'>;
  private readonly throttledWaitSeconds: Counter<Account>;
  private readonly refusedUpdates: Counter<Account | 'code'>;
  private readonly updatesPushed: Counter<Account | 'method'>;
  private readonly staleUpdates: Counter<Account>;
  private readonly pushLatency: Histogram<Account>;
  private readonly pushWait: Histogram<Account>;

  constructor(
    protected readonly metrics: ServiceMetrics,
    private readonly options: ChannelAdapterMetricsOptions,
  ) {
    const { channelName, apiName } = options;
    this.apiCalls = metrics.counter('api_calls_total', `${apiName} requests, by operation and outcome (ok or the failure kind).`, [
      'channel_account_id',
      'operation',
      'outcome',
    ]);
    this.apiCallSeconds = metrics.histogram('api_call_seconds', `Duration of one ${apiName} request.`, ['operation']);
    this.throttledWaits = metrics.counter(
      'throttled_waits_total',
      `${apiName} requests that waited for the account's rate-limit bucket before being sent.`,
      ['channel_account_id', 'operation'],
    );
    this.throttledWaitSeconds = metrics.counter(
      'throttled_wait_seconds_total',
      "Time spent waiting for the account's rate-limit buckets.",
      ['channel_account_id'],
    );
    this.refusedUpdates = metrics.counter(
      'refused_updates_total',
      `Availability updates put on hold: no listing, or refused by ${channelName}.`,
      ['channel_account_id', 'code'],
    );
    this.updatesPushed = options.pushMethodLabel
      ? metrics.counter('availability_updates_pushed_total', `SKU quantities ${channelName} accepted, by method.`, [
          'channel_account_id',
          'method',
        ])
      : metrics.counter('availability_updates_pushed_total', `SKU quantities ${channelName} accepted.`, ['channel_account_id']);
    this.staleUpdates = metrics.counter(
      'stale_updates_dropped_total',
      'Availability updates dropped because a newer version was already stored.',
      ['channel_account_id'],
    );
    this.pushLatency = metrics.histogram(
      'availability_push_latency_seconds',
      `From the upstream change (AvailabilityChanged.source_changed_at) to ${channelName} accepting the quantity.`,
      ['channel_account_id'],
      [...options.pushLatencyBucketsSeconds],
    );
    this.pushWait = metrics.histogram(
      'availability_push_wait_seconds',
      `From storing a quantity's newest version to the push to ${channelName} that reads it: the push loop's queue.`,
      ['channel_account_id'],
      EVENT_AGE_BUCKETS_SECONDS,
    );
  }

  /** The API client observer of one account. */
  apiCallObserver(channelAccountId: string): Required<ApiCallObserver> {
    return {
      call: (operation, outcome, seconds) => {
        this.apiCalls.inc({ channel_account_id: channelAccountId, operation, outcome });
        this.apiCallSeconds.observe({ operation }, seconds);
      },
      throttleWait: (operation, seconds) => {
        this.throttledWaits.inc({ channel_account_id: channelAccountId, operation });
        this.throttledWaitSeconds.inc({ channel_account_id: channelAccountId }, seconds);
      },
    };
  }

  /** Pending rows per account and state (waiting, held), read from the database at scrape time. */
  trackPending(readCounts: () => Promise<Map<string, PendingCounts>>): void {
    this.metrics.gauge(
      'pending_updates',
      `SKU quantities not yet accepted by ${this.options.channelName}: waiting for a push, or held after a refusal.`,
      ['channel_account_id', 'state'],
      async (gauge: Gauge<Account | 'state'>) => {
        const counts = await readCounts().catch(() => undefined);
        gauge.reset();
        for (const [channelAccountId, { waiting, held }] of counts ?? []) {
          gauge.set({ channel_account_id: channelAccountId, state: 'waiting' }, waiting);
          gauge.set({ channel_account_id: channelAccountId, state: 'held' }, held);
        }
      },
    );
  }

  /** Quantities the channel accepted, and the latency of those that carry an upstream change time. */
  pushed(channelAccountId: string, count: number, latenciesSeconds: readonly number[], method?: string): void {
    if ((method !== undefined) !== (this.options.pushMethodLabel === true)) {
      throw new Error(this.options.pushMethodLabel ? 'pushed() needs the push method' : 'pushed() takes no push method');
    }
    if (count > 0) {
      this.updatesPushed.inc(
        method === undefined ? { channel_account_id: channelAccountId } : { channel_account_id: channelAccountId, method },
        count,
      );
    }
    for (const seconds of latenciesSeconds) this.pushLatency.observe({ channel_account_id: channelAccountId }, seconds);
  }

  /** A push read these pending rows, stored this long ago each (their `updated_at`). */
  pendingRead(channelAccountId: string, storedAt: ReadonlyArray<{ updatedAt: Date }>, readAt: Date): void {
    for (const { updatedAt } of storedAt) {
      this.pushWait.observe({ channel_account_id: channelAccountId }, Math.max(0, readAt.getTime() - updatedAt.getTime()) / 1000);
    }
  }

  refused(channelAccountId: string, code: string): void {
    this.refusedUpdates.inc({ channel_account_id: channelAccountId, code });
  }

  staleDropped(channelAccountId: string, count = 1): void {
    if (count > 0) this.staleUpdates.inc({ channel_account_id: channelAccountId }, count);
  }
}
