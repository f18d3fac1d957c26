// One prom-client Registry per service. In embedded mode every service runs in one process,
// each with its own /metrics port: a shared (global) registry would show every service's
// metrics on every port, and registering the same metric name twice would throw.
//
// Process metrics (CPU, memory, event loop, GC) describe the process, not a service: they are
// collected once per process into their own registry and exposed by one service only, the
// first started in the process (in a standalone process: the service). Otherwise an embedded
// process would report its memory N times and a sum over targets would be N times too large.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { serviceMetricName, sharedMetricName } from './metric-names.js';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Finer where a flow's per-hop latency budget lies (tens to hundreds of milliseconds): for the age of work at one hop. */
export const EVENT_AGE_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

export interface ServiceMetricsOptions {
  /** The service name, e.g. `inventory`. */
  service: string;
  /** Whether this service may expose the process metrics (default true; the first one to ask does). */
  processMetrics?: boolean;
}

export interface GrpcCallObservation {
  /** Full service name, e.g. `retail.catalog.v1.CatalogService`. */
  grpcService: string;
  /** Method name as in the proto, e.g. `UpsertProduct`. */
  grpcMethod: string;
  /** Numeric gRPC status code. */
  code: number;
  seconds: number;
}

export interface OutboxStats {
  /** Rows written and not yet published. */
  pending: number;
  /** Age of the oldest pending row; 0 when none. */
  oldestAgeSeconds: number;
}

let processRegistry: Registry | undefined;
// Identified by its registry (one per service).
let processMetricsOwner: Registry | undefined;

function sharedProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The name of a numeric gRPC status code (`NOT_FOUND`), as grpc_code label values are spelled. */
export function grpcStatusName(code: number): string {
  return GrpcStatus[code] ?? 'UNKNOWN';
}

export class ServiceMetrics {
  readonly service: string;
  readonly registry = new Registry();
  private readonly grpcHandled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'>;
  private readonly grpcHandlingSeconds: Histogram<'grpc_service' | 'grpc_method'>;
  private readonly consumerHandled: Counter<'service' | 'queue'>;
  private readonly consumerFailed: Counter<'service' | 'queue'>;
  private readonly consumerRetried: Counter<'service' | 'queue'>;
  private readonly consumerDeadLettered: Counter<'service' | 'queue'>;
  private readonly consumerDuplicates: Counter<'service' | 'queue'>;
  private readonly consumerHandlingSeconds: Histogram<'service' | 'queue'>;
  private readonly consumerEventAgeSeconds: Histogram<'service' | 'queue'>;
  private readonly outboxPublished: Counter<'service'>;
  private readonly outboxPublishFailures: Counter<'service'>;

  constructor(options: ServiceMetricsOptions) {
    this.service = options.service;
    if (options.processMetrics !== false && processMetricsOwner === undefined) {
      sharedProcessRegistry();
      processMetricsOwner = this.registry;
    }
    const registers = [this.registry];
    this.grpcHandled = new Counter({
      name: 'grpc_server_handled_total',
      help: 'gRPC calls completed on the server, by status code.',
      labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
      registers,
    });
    this.grpcHandlingSeconds = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Time the server took to handle a gRPC call.',
      labelNames: ['grpc_service', 'grpc_method'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    const consumerCounter = (name: string, help: string) =>
      new Counter({ name: sharedMetricName(name, 'counter'), help, labelNames: ['service', 'queue'], registers });
    this.consumerHandled = consumerCounter('consumer_handled_total', 'Deliveries handled and acknowledged.');
    this.consumerFailed = consumerCounter('consumer_failed_total', 'Deliveries whose handler failed (a retry or a dead letter follows).');
    this.consumerRetried = consumerCounter('consumer_retried_total', 'Failed deliveries scheduled for another attempt.');
    this.consumerDeadLettered = consumerCounter('consumer_dead_lettered_total', 'Messages moved to the dead-letter queue.');
    this.consumerDuplicates = consumerCounter(
      'consumer_duplicates_total',
      'Deliveries of events the consumer had already processed (inbox), skipped without effect.',
    );
    this.consumerHandlingSeconds = new Histogram({
      name: sharedMetricName('consumer_handling_seconds', 'histogram'),
      help: 'Time a handler took for one delivery, whatever its outcome.',
      labelNames: ['service', 'queue'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.consumerEventAgeSeconds = new Histogram({
      name: sharedMetricName('consumer_event_age_seconds', 'histogram'),
      help: 'Age of an event when its consumer takes it (now minus the event time): how far behind the fact the flow is at this hop.',
      labelNames: ['service', 'queue'],
      buckets: EVENT_AGE_BUCKETS_SECONDS,
      registers,
    });
    this.outboxPublished = new Counter({
      name: sharedMetricName('outbox_published_total', 'counter'),
      help: 'Outbox messages the broker confirmed.',
      labelNames: ['service'],
      registers,
    });
    this.outboxPublishFailures = new Counter({
      name: sharedMetricName('outbox_publish_failures_total', 'counter'),
      help: 'Outbox batches whose publication failed (retried later).',
      labelNames: ['service'],
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** True when this service's /metrics carries the process metrics. */
  get exposesProcessMetrics(): boolean {
    return processMetricsOwner === this.registry;
  }

  observeGrpcCall(call: GrpcCallObservation): void {
    this.grpcHandled.inc({ grpc_service: call.grpcService, grpc_method: call.grpcMethod, grpc_code: grpcStatusName(call.code) });
    this.grpcHandlingSeconds.observe({ grpc_service: call.grpcService, grpc_method: call.grpcMethod }, call.seconds);
  }

  consumerHandledDelivery(queue: string, seconds: number): void {
    this.consumerHandled.inc(this.queueLabels(queue));
    this.consumerHandlingSeconds.observe(this.queueLabels(queue), seconds);
  }

  consumerFailedDelivery(queue: string, seconds: number): void {
    this.consumerFailed.inc(this.queueLabels(queue));
    this.consumerHandlingSeconds.observe(this.queueLabels(queue), seconds);
  }

  /** The age of a delivered event (now minus its time) as its consumer takes it. */
  consumerTookEvent(queue: string, ageSeconds: number): void {
    this.consumerEventAgeSeconds.observe(this.queueLabels(queue), Math.max(0, ageSeconds));
  }

  consumerRetriedDelivery(queue: string): void {
    this.consumerRetried.inc(this.queueLabels(queue));
  }

  consumerDuplicateDelivery(queue: string): void {
    this.consumerDuplicates.inc(this.queueLabels(queue));
  }

  consumerDeadLetteredMessage(queue: string): void {
    this.consumerDeadLettered.inc(this.queueLabels(queue));
  }

  outboxPublishedMessages(count: number): void {
    this.outboxPublished.inc({ service: this.service }, count);
  }

  outboxPublishFailed(): void {
    this.outboxPublishFailures.inc({ service: this.service });
  }

  /** Outbox backlog and age gauges, read from the database at scrape time. */
  trackOutbox(readStats: () => Promise<OutboxStats>): void {
    const service = this.service;
    let latest: Promise<OutboxStats | undefined> | undefined;
    // A scrape collects both gauges concurrently: they share one read of the table.
    const statsForScrape = () => {
      latest ??= readStats()
        .catch(() => undefined)
        .finally(() => (latest = undefined));
      return latest;
    };
    new Gauge({
      name: sharedMetricName('outbox_pending_messages', 'gauge'),
      help: 'Events written to the outbox and not yet published.',
      labelNames: ['service'],
      registers: [this.registry],
      async collect() {
        const stats = await statsForScrape();
        // Unknown (database unreachable) rather than a misleading 0: /readyz reports the cause.
        if (stats) this.set({ service }, stats.pending);
        else this.reset();
      },
    });
    new Gauge({
      name: sharedMetricName('outbox_oldest_pending_age_seconds', 'gauge'),
      help: 'Age of the oldest event waiting in the outbox; 0 when it is empty.',
      labelNames: ['service'],
      registers: [this.registry],
      async collect() {
        const stats = await statsForScrape();
        if (stats) this.set({ service }, stats.oldestAgeSeconds);
        else this.reset();
      },
    });
  }

  /** Dead-letter queue depth per consumer queue, read from the bus at scrape time. */
  trackDeadLetterQueues(queues: () => readonly string[], countDeadLetters: (queue: string) => Promise<number>): void {
    const labels = (queue: string) => this.queueLabels(queue);
    new Gauge({
      name: sharedMetricName('consumer_dead_letter_messages', 'gauge'),
      help: 'Messages waiting in the dead-letter queue of a consumer queue.',
      labelNames: ['service', 'queue'],
      registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues().map(async (queue) => {
            const count = await countDeadLetters(queue).catch(() => undefined);
            if (count !== undefined) this.set(labels(queue), count);
          }),
        );
      },
    });
  }

  /** A counter of this service: `retail_mesh_<service>_<name>` (name ends in `_total`). */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: serviceMetricName(this.service, name, 'counter'), help, labelNames, registers: [this.registry] });
  }

  /** A gauge of this service: `retail_mesh_<service>_<name>`; pass `collect` to read it at scrape time. */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (gauge: Gauge<L>) => Promise<void> | void,
  ): Gauge<L> {
    return new Gauge({
      name: serviceMetricName(this.service, name, 'gauge'),
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect(this: Gauge<L>) {
              return collect(this);
            },
          }
        : {}),
    });
  }

  /** A histogram of this service: `retail_mesh_<service>_<name>` (say the unit: `_seconds`). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets = LATENCY_BUCKETS_SECONDS,
  ): Histogram<L> {
    return new Histogram({
      name: serviceMetricName(this.service, name, 'histogram'),
      help,
      labelNames,
      buckets,
      registers: [this.registry],
    });
  }

  /** The Prometheus text exposition of this service (plus the process metrics if it owns them). */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    if (!this.exposesProcessMetrics) return own;
    return `${own}\n${await sharedProcessRegistry().metrics()}`;
  }

  /** Gives up the process metrics, so the next service started in this process can expose them. */
  close(): void {
    if (processMetricsOwner === this.registry) processMetricsOwner = undefined;
    this.registry.clear();
  }

  private queueLabels(queue: string): { service: string; queue: string } {
    return { service: this.service, queue };
  }
}
