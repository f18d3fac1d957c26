// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` value and the
// trace context of the work in progress, kept in AsyncLocalStorage so that logs, outgoing gRPC
// calls and published events pick it up without it being passed through every function.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** The id of the current span (the `parent-id` a callee sees): 16 lower-case hex digits. */
  spanId: string;
  /** 2 hex digits; bit 0 is `sampled`. */
  traceFlags: string;
}

// version-traceid-parentid-flags. Version 00 has exactly these four fields; a later version
// may append fields after another dash, which a version-00 reader ignores.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;
const SAMPLED = '01';

/** The trace context in a `traceparent` value, or undefined when it is absent or invalid. */
export function parseTraceparent(value: string | undefined | null): TraceContext | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, traceFlags, rest] = match;
  // ff is forbidden; version 00 allows no extra fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.traceFlags}`;
}

/** A new trace (a root span), sampled. */
export function newTraceContext(): TraceContext {
  return { traceId: nonZeroHex(16), spanId: nonZeroHex(8), traceFlags: SAMPLED };
}

/** A new span in the same trace, whose parent is `parent`. */
export function childTraceContext(parent: TraceContext): TraceContext {
  return { traceId: parent.traceId, spanId: nonZeroHex(8), traceFlags: parent.traceFlags };
}

// Span ids are taken for every consumed event and gRPC call: drawing them from a pool filled
// 4 KiB at a time costs a fraction of one randomBytes call each.
const RANDOM_POOL = Buffer.alloc(4096);
let poolOffset = RANDOM_POOL.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  const hex = RANDOM_POOL.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomHex(bytes);
    if (!ALL_ZERO.test(hex)) return hex;
  }
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `work` inside `context`: everything it awaits sees it as the current trace context. */
export function runWithTraceContext<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/**
 * Runs `work` as a new span under the caller's `traceparent` (an incoming gRPC call, a consumed
 * event); a missing or invalid value starts a new trace instead, so work is always traced.
 */
export function runWithTraceparent<T>(traceparent: string | undefined | null, work: () => T): T {
  const parent = parseTraceparent(traceparent);
  return storage.run(parent ? childTraceContext(parent) : newTraceContext(), work);
}

export function currentTraceContext(): TraceContext | undefined {
  return storage.getStore();
}

/** The `traceparent` of the current span, to send to a callee; undefined outside any trace. */
export function currentTraceparent(): string | undefined {
  const context = storage.getStore();
  return context ? formatTraceparent(context) : undefined;
}

/**
 * A `traceparent` for a new span under the current one (an outbox row written now, published
 * later); a new trace outside any trace context.
 */
export function childTraceparent(): string {
  const context = storage.getStore();
  return formatTraceparent(context ? childTraceContext(context) : newTraceContext());
}

/** A `traceparent` for a new span under `traceparent`; a new trace when it is missing or invalid. */
export function childTraceparentOf(traceparent: string | undefined | null): string {
  const parent = parseTraceparent(traceparent);
  return formatTraceparent(parent ? childTraceContext(parent) : newTraceContext());
}
