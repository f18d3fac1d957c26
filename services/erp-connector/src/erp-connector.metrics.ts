import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Gauge } from 'prom-client';
import type { PageResult } from './stock-feed/stock-feed.service.js';

/** The ERP connector's own metrics (retail_mesh_erp_connector_*). */
@Injectable()
export class ErpConnectorMetrics {
  private readonly feedRecords: Counter<'feed' | 'outcome'>;
  private readonly feedLagSeconds: Gauge<'feed'>;
  private readonly pollErrors: Counter<'feed'>;
  private readonly requestRetries: Counter;

  constructor(metrics: ServiceMetrics) {
    this.feedRecords = metrics.counter(
      'feed_records_total',
      'ERP change-feed records read, by outcome (published, rejected to the DLQ, duplicate dropped).',
      ['feed', 'outcome'],
    );
    this.feedLagSeconds = metrics.gauge(
      'feed_lag_seconds',
      'How far behind the ERP change feed the connector is: age of the newest change read while more are waiting; 0 when caught up.',
      ['feed'],
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
  }

  pageRead(result: PageResult): void {
    const feed = 'stock';
    if (result.published > 0) this.feedRecords.inc({ feed, outcome: 'published' }, result.published);
    if (result.rejected > 0) this.feedRecords.inc({ feed, outcome: 'rejected' }, result.rejected);
    if (result.duplicates > 0) this.feedRecords.inc({ feed, outcome: 'duplicate' }, result.duplicates);
    this.feedLagSeconds.set({ feed }, result.lagSeconds);
  }

  pollFailed(): void {
    this.pollErrors.inc({ feed: 'stock' });
  }

  requestRetried(): void {
    this.requestRetries.inc();
  }
}
