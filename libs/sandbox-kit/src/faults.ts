// Fault injection shared by every sandbox. Rules are configured through `POST /_sandbox/faults`
// and consumed per request in order; a rule limited by `count` (and `skip`) is fully
// deterministic, which is what tests use. `probability` exists for soak runs only.
import { isRecord } from './http-types.js';

export const FAULT_TYPES = ['latency', 'rateLimit', 'serverError', 'timeout', 'malformed', 'drop'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface FaultRule {
  type: FaultType;
  // Scope: a request must match every scope field given.
  /** Path prefix, e.g. `/services/rest/record/v1/salesOrder`. */
  path?: string;
  /** Regular expression tested against the path. */
  pathRegex?: string;
  method?: string;
  /** GraphQL operation name or root field name (sandboxes that speak GraphQL report them). */
  operation?: string;
  // Trigger: without count, durationMs or probability the rule fires on every matching request.
  /** Fire on the next N matching requests, then retire. */
  count?: number;
  /** Fire on matching requests for this long after injection. */
  durationMs?: number;
  /** Let the first K matching requests pass this rule before it fires (e.g. "fail the third call"). */
  skip?: number;
  /** Fire with this probability (0..1). Not reproducible: tests use `count`. */
  probability?: number;
  // latency
  ms?: number;
  minMs?: number;
  maxMs?: number;
  // rateLimit (default 429) and serverError (default 500)
  status?: number;
  /** rateLimit: the `Retry-After` header value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** timeout: destroy the socket after this long instead of holding it until the client gives up. */
  closeAfterMs?: number;
  /** timeout / drop: process the request (its effect happens) and only then withhold the answer. */
  afterEffect?: boolean;
}

export interface FaultTarget {
  method: string;
  path: string;
  operations: readonly string[];
}

export interface FaultDecision {
  /** Total injected delay before the request is handled. */
  latencyMs: number;
  /** The one fault that decides the outcome, if any. */
  terminal?: FaultRule;
}

export interface FaultStatus {
  id: number;
  rule: FaultRule;
  fired: number;
  /** Firings left for a `count` rule; null when unlimited. */
  remaining: number | null;
  active: boolean;
}

interface ActiveFault {
  id: number;
  rule: FaultRule;
  regex?: RegExp;
  injectedAt: number;
  skipLeft: number;
  remaining?: number;
  fired: number;
}

export type FaultParseResult = { ok: true; rules: FaultRule[] } | { ok: false; error: string };

const NUMBER_FIELDS = ['count', 'durationMs', 'skip', 'ms', 'minMs', 'maxMs', 'status', 'retryAfterSeconds', 'closeAfterMs'] as const;
const STRING_FIELDS = ['path', 'pathRegex', 'method', 'operation'] as const;

/**
 * Accepts one rule, an array of rules, or `{ "faults": [...] }`. An empty body, `{}` or `[]`
 * yields no rules (which clears the faults).
 */
export function parseFaultRules(body: unknown): FaultParseResult {
  if (body === undefined || body === null) return { ok: true, rules: [] };
  let candidates: unknown[];
  if (Array.isArray(body)) candidates = body;
  else if (isRecord(body) && Array.isArray(body.faults)) candidates = body.faults;
  else if (isRecord(body) && Object.keys(body).length === 0) candidates = [];
  else candidates = [body];

  const rules: FaultRule[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const result = parseRule(candidate);
    if (typeof result === 'string') return { ok: false, error: `fault ${index}: ${result}` };
    rules.push(result);
  }
  return { ok: true, rules };
}

function parseRule(candidate: unknown): FaultRule | string {
  if (!isRecord(candidate)) return 'must be an object';
  if (!FAULT_TYPES.includes(candidate.type as FaultType)) return `type must be one of ${FAULT_TYPES.join(', ')}`;
  const rule: FaultRule = { type: candidate.type as FaultType };
  for (const field of NUMBER_FIELDS) {
    const value = candidate[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return `${field} must be a non-negative integer`;
    rule[field] = value;
  }
  for (const field of STRING_FIELDS) {
    const value = candidate[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') return `${field} must be a non-empty string`;
    rule[field] = value;
  }
  if (candidate.probability !== undefined) {
    const probability = candidate.probability;
    if (typeof probability !== 'number' || probability < 0 || probability > 1) return 'probability must be between 0 and 1';
    rule.probability = probability;
  }
  if (candidate.afterEffect !== undefined) {
    if (typeof candidate.afterEffect !== 'boolean') return 'afterEffect must be a boolean';
    rule.afterEffect = candidate.afterEffect;
  }
  if (rule.pathRegex !== undefined) {
    try {
      new RegExp(rule.pathRegex);
    } catch {
      return 'pathRegex is not a valid regular expression';
    }
  }
  if (rule.type === 'latency' && rule.ms === undefined && (rule.minMs === undefined || rule.maxMs === undefined)) {
    return 'latency needs ms, or minMs and maxMs';
  }
  if (rule.minMs !== undefined && rule.maxMs !== undefined && rule.minMs > rule.maxMs) return 'minMs must not exceed maxMs';
  if (rule.status !== undefined && (rule.status < 400 || rule.status > 599)) return 'status must be a 4xx or 5xx code';
  return rule;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replaces the active rules. */
  set(rules: readonly FaultRule[]): void {
    this.faults = rules.map((rule) => this.activate(rule));
  }

  /**
   * Appends rules after the active ones, leaving those (and their counters) as they are: for a
   * sandbox's own admin routes that inject a fault of their own (an outage) beside the tests'.
   * Returns the ids of the added rules, for `remove`.
   */
  add(rules: readonly FaultRule[]): number[] {
    const added = rules.map((rule) => this.activate(rule));
    this.faults.push(...added);
    return added.map((fault) => fault.id);
  }

  /** Removes the rules with these ids (unknown ids are ignored). */
  remove(ids: readonly number[]): void {
    this.faults = this.faults.filter((fault) => !ids.includes(fault.id));
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultStatus[] {
    return this.faults.map((fault) => ({
      id: fault.id,
      rule: fault.rule,
      fired: fault.fired,
      remaining: fault.remaining ?? null,
      active: this.isLive(fault),
    }));
  }

  /**
   * Decides the faults for one request and consumes them: every matching latency rule adds its
   * delay, and the first matching outcome rule (in configuration order) decides the answer.
   */
  take(target: FaultTarget): FaultDecision {
    let latencyMs = 0;
    let terminal: FaultRule | undefined;
    for (const fault of this.faults) {
      if (!this.isLive(fault) || !matches(fault, target)) continue;
      const isLatency = fault.rule.type === 'latency';
      if (!isLatency && terminal) {
        // `skip` counts every matching request, whichever rule decides it.
        if (fault.skipLeft > 0) fault.skipLeft -= 1;
        continue;
      }
      if (!this.fires(fault)) continue;
      if (isLatency) latencyMs += this.delayOf(fault.rule);
      else terminal = fault.rule;
    }
    return { latencyMs, terminal };
  }

  private activate(rule: FaultRule): ActiveFault {
    return {
      id: this.nextId++,
      rule,
      regex: rule.pathRegex === undefined ? undefined : new RegExp(rule.pathRegex),
      injectedAt: this.now(),
      skipLeft: rule.skip ?? 0,
      remaining: rule.count,
      fired: 0,
    };
  }

  private isLive(fault: ActiveFault): boolean {
    if (fault.remaining !== undefined && fault.remaining <= 0) return false;
    if (fault.rule.durationMs !== undefined && this.now() - fault.injectedAt >= fault.rule.durationMs) return false;
    return true;
  }

  private fires(fault: ActiveFault): boolean {
    if (fault.skipLeft > 0) {
      fault.skipLeft -= 1;
      return false;
    }
    if (fault.rule.probability !== undefined && this.random() >= fault.rule.probability) return false;
    if (fault.remaining !== undefined) fault.remaining -= 1;
    fault.fired += 1;
    return true;
  }

  private delayOf(rule: FaultRule): number {
    if (rule.ms !== undefined) return rule.ms;
    const min = rule.minMs ?? 0;
    const max = rule.maxMs ?? min;
    return Math.round(min + this.random() * (max - min));
  }
}

function matches(fault: ActiveFault, target: FaultTarget): boolean {
  const { rule } = fault;
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (rule.path !== undefined && !target.path.startsWith(rule.path)) return false;
  if (fault.regex !== undefined && !fault.regex.test(target.path)) return false;
  if (rule.operation !== undefined && !target.operations.includes(rule.operation)) return false;
  return true;
}
