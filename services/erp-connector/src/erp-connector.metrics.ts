import { Injectable } from '@nestjs/common';
import { EVENT_AGE_BUCKETS_SECONDS, ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { PageResult } from './change-feed/change-feed.service.js';

// Order intake is an SLO measured in minutes (charts/retail-mesh/files/rules/slo-order-intake.yaml
// counts the 300 s bucket): buckets from a second to an hour, with 300 among them.
const ORDER_INTAKE_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
// The feed's first hop is milliseconds when the connector keeps up, minutes when the ERP was down:
// a hop's buckets, and five minutes.
const FEED_CHANGE_AGE_BUCKETS_SECONDS = [...EVENT_AGE_BUCKETS_SECONDS, 300];

export type ErpCallOutcome = 'ok' | 'replayed' | 'rejected' | 'unavailable' | 'failed';
export type SalesOrderOutcome = 'created' | 'existing' | 'rejected' | 'unavailable' | 'in_progress';

/** The ERP connector's own metrics (retail_mesh_erp_connector_*). */
@Injectable()
export class ErpConnectorMetrics {
  private readonly feedRecords: Counter<'feed' | 'type' | 'outcome'>;
  private readonly feedLagSeconds: Gauge<'feed'>;
  private readonly feedChangeAge: Histogram<'feed'>;
  private readonly pollErrors: Counter<'feed'>;
  private readonly requestRetries: Counter;
  private readonly erpCalls: Counter<'operation' | 'outcome'>;
  private readonly salesOrders: Counter<'outcome'>;
  private readonly orderIntakeLatency: Histogram<'channel' | 'channel_account_id'>;
  private readonly cancellations: Counter<'outcome'>;
  private readonly channelFulfillments: Counter<'outcome'>;

  constructor(private readonly metrics: ServiceMetrics) {
    this.feedRecords = metrics.counter(
      'feed_records_total',
      'ERP change-feed records read, by record type and outcome (published, rejected to the DLQ, duplicate dropped, ignored: not a mesh order, echo: the connector’s own cancellation or item fulfillment reported back).',
      ['feed', 'type', 'outcome'],
    );
    this.feedLagSeconds = metrics.gauge(
      'feed_lag_seconds',
      'How far behind the ERP change feed the connector is: age of the newest change read while more are waiting; 0 when caught up.',
      ['feed'],
    );
    this.feedChangeAge = metrics.histogram(
      'feed_change_age_seconds',
      'Age of a page’s oldest change when its events committed to the outbox (ERP change time to committed): the first hop of every flow from the ERP.',
      ['feed'],
      FEED_CHANGE_AGE_BUCKETS_SECONDS,
    );
    this.pollErrors = metrics.counter(
      'feed_poll_errors_total',
      'Feed polls that failed after their retries (the cursor stays; the page is read again).',
      ['feed'],
    );
    this.requestRetries = metrics.counter(
      'erp_request_retries_total',
      'ERP HTTP requests retried after a transient failure (429, 5xx, timeout, malformed body).',
    );
    this.erpCalls = metrics.counter(
      'erp_calls_total',
      'Sales order calls to the ERP, by operation and outcome (replayed: the ERP recognised a repeated idempotency key).',
      ['operation', 'outcome'],
    );
    this.salesOrders = metrics.counter(
      'sales_orders_total',
      'CreateSalesOrder outcomes: created, existing (answered from the link), rejected by the ERP, unavailable, in progress elsewhere.',
      ['outcome'],
    );
    this.orderIntakeLatency = metrics.histogram(
      'order_intake_latency_seconds',
      'From the order being placed on the channel to the ERP sales order being created (observed once per order).',
      ['channel', 'channel_account_id'],
      ORDER_INTAKE_BUCKETS_SECONDS,
    );
    this.cancellations = metrics.counter(
      'sales_order_cancellations_total',
      'orders.order_cancelled events handled: applied to the ERP sales order, unchanged (already so), skipped (from the ERP, or no ERP order).',
      ['outcome'],
    );
    this.channelFulfillments = metrics.counter(
      'channel_fulfillments_total',
      'orders.order_shipped events of shipments the channel made itself, recorded as ERP item fulfillments: created, replayed (the ERP knew the idempotency key), existing (the ERP had the external id), duplicate (inbox), skipped (the ERP’s own shipment, or not fulfilled by the channel), rejected by the ERP.',
      ['outcome'],
    );
  }

  pageRead(result: PageResult): void {
    const feed = 'stock';
    for (const [type, counts] of Object.entries(result.records)) {
      for (const [outcome, count] of Object.entries(counts)) if (count > 0) this.feedRecords.inc({ feed, type, outcome }, count);
    }
    this.feedLagSeconds.set({ feed }, result.lagSeconds);
    if (result.committedChangeAgeSeconds !== undefined) this.feedChangeAge.observe({ feed }, result.committedChangeAgeSeconds);
  }

  pollFailed(): void {
    this.pollErrors.inc({ feed: 'stock' });
  }

  /** `retail_mesh_erp_connector_erp_requests_waiting`, read from the ERP client at each scrape. */
  watchRequestsWaiting(read: () => number): void {
    this.metrics.gauge(
      'erp_requests_waiting',
      'ERP requests waiting for a free place under ERP_MAX_CONCURRENT_REQUESTS (the connector’s share of the ERP account’s concurrency limit is in use).',
      [],
      (gauge) => gauge.set(read()),
    );
  }

  requestRetried(): void {
    this.requestRetries.inc();
  }

  erpCall(operation: string, outcome: ErpCallOutcome): void {
    this.erpCalls.inc({ operation, outcome });
  }

  salesOrder(outcome: SalesOrderOutcome): void {
    this.salesOrders.inc({ outcome });
  }

  orderIntake(channel: string, channelAccountId: string, seconds: number): void {
    this.orderIntakeLatency.observe({ channel, channel_account_id: channelAccountId }, Math.max(0, seconds));
  }

  cancellation(outcome: 'applied' | 'unchanged' | 'skipped'): void {
    this.cancellations.inc({ outcome });
  }

  channelFulfillment(outcome: 'created' | 'replayed' | 'existing' | 'duplicate' | 'skipped' | 'rejected'): void {
    this.channelFulfillments.inc({ outcome });
  }
}
