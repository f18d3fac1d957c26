import { Injectable } from '@nestjs/common';
import type { HoldReason, OrderState } from '@retail-mesh/domain';
import { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { OrdersRepository } from './orders/orders.repository.js';

export type ErpCallOutcome = 'created' | 'existing' | 'unavailable' | 'rejected';
export type Peer = 'catalog' | 'inventory' | 'erp-connector';

/** A committed state change, counted once its transaction is done. */
export interface CommittedChange {
  from: OrderState | null;
  to: OrderState;
  holdReason: HoldReason | null;
  /** Set when the order became ACCEPTED: the time it was received, for the intake latency. */
  receivedAt?: Date;
}

/** The orders service's own metrics (retail_mesh_orders_*). */
@Injectable()
export class OrdersMetrics {
  private readonly transitions: Counter<'from' | 'to'>;
  private readonly holds: Counter<'reason'>;
  private readonly submissions: Counter<'outcome'>;
  private readonly peerFailures: Counter<'peer' | 'code'>;
  private readonly erpCallSeconds: Histogram<'outcome'>;
  private readonly intakeSeconds: Histogram;

  constructor(metrics: ServiceMetrics, dataSource: DataSource, orders: OrdersRepository) {
    this.transitions = metrics.counter(
      'state_transitions_total',
      'Order state changes, by state before ("none" for new orders) and after.',
      ['from', 'to'],
    );
    this.holds = metrics.counter('holds_total', 'Orders put on hold, by hold reason.', ['reason']);
    this.submissions = metrics.counter('submissions_total', 'SubmitOrder calls, by outcome (created, existing: an idempotent repeat).', [
      'outcome',
    ]);
    this.peerFailures = metrics.counter(
      'peer_failures_total',
      'Calls to catalog, inventory or the ERP connector that failed and will be retried, by peer and gRPC code.',
      ['peer', 'code'],
    );
    this.erpCallSeconds = metrics.histogram(
      'erp_call_seconds',
      'CreateSalesOrder calls to the ERP connector, by outcome (created, existing, unavailable, rejected).',
      ['outcome'],
    );
    this.intakeSeconds = metrics.histogram(
      'order_intake_seconds',
      'From an order being received to its ERP sales order existing (ACCEPTED).',
    );
    metrics.gauge(
      'worker_lag_seconds',
      'Age of the oldest order waiting for the worker (due and not yet validated, reserved or accepted); 0 when none waits.',
      [],
      async (gauge) => {
        const now = new Date();
        // Unknown (database unreachable) rather than a misleading 0: /readyz reports the cause.
        const oldest = await orders.oldestDue(dataSource.manager, now).catch(() => undefined);
        if (oldest === undefined) gauge.reset();
        else gauge.set(oldest === null ? 0 : Math.max(0, (now.getTime() - oldest.getTime()) / 1000));
      },
    );
  }

  changed(changes: readonly CommittedChange[]): void {
    const now = Date.now();
    for (const change of changes) {
      if (change.from === change.to) continue;
      this.transitions.inc({ from: change.from ?? 'none', to: change.to });
      if (change.to === 'ON_HOLD' && change.holdReason) this.holds.inc({ reason: change.holdReason });
      if (change.to === 'ACCEPTED' && change.receivedAt) this.intakeSeconds.observe((now - change.receivedAt.getTime()) / 1000);
    }
  }

  submitted(outcome: 'created' | 'existing'): void {
    this.submissions.inc({ outcome });
  }

  peerFailed(peer: Peer, code: string): void {
    this.peerFailures.inc({ peer, code });
  }

  erpCall(outcome: ErpCallOutcome, seconds: number): void {
    this.erpCallSeconds.observe({ outcome }, seconds);
  }
}
