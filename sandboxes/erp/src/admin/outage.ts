// "The ERP is down": every API route (token endpoint, record API, RESTlet) answers 503, or drops
// the connection, for a time window or until cleared. Built on the shared fault injector, added
// beside whatever faults a test has set, so the two do not disturb each other.
import { isRecord, type FaultInjector, type FaultRule } from '@retail-mesh/sandbox-kit';

export type OutageKind = 'unavailable' | 'unreachable';

export interface OutageStatus {
  active: boolean;
  kind: OutageKind | null;
  /** When a timed outage ends; null while it lasts until cleared. */
  until: string | null;
}

export class Outage {
  private faultIds: number[] = [];
  private kind: OutageKind | null = null;
  private until: number | null = null;

  constructor(
    private readonly faults: () => FaultInjector,
    private readonly now: () => number,
  ) {}

  /** `{durationMs?, kind?: "unavailable" (503, default) | "unreachable" (connections dropped)}`; replaces an outage in progress. */
  start(body: unknown): { ok: true } | { ok: false; error: string } {
    if (!isRecord(body)) return { ok: false, error: 'the body must be a JSON object' };
    const { durationMs, kind = 'unavailable' } = body;
    if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isSafeInteger(durationMs) || durationMs < 1))
      return { ok: false, error: 'durationMs must be a positive integer' };
    if (kind !== 'unavailable' && kind !== 'unreachable') return { ok: false, error: 'kind must be "unavailable" or "unreachable"' };
    this.end();
    const rule: FaultRule = kind === 'unavailable' ? { type: 'serverError', status: 503, durationMs } : { type: 'drop', durationMs };
    this.faultIds = this.faults().add([rule]);
    this.kind = kind;
    this.until = durationMs === undefined ? null : this.now() + durationMs;
    return { ok: true };
  }

  end(): void {
    this.faults().remove(this.faultIds);
    this.faultIds = [];
  }

  status(): OutageStatus {
    const active = this.faults()
      .list()
      .some((fault) => this.faultIds.includes(fault.id) && fault.active);
    return {
      active,
      kind: active ? this.kind : null,
      until: active && this.until !== null ? new Date(this.until).toISOString() : null,
    };
  }
}
