import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  childTraceparent,
  currentTraceContext,
  currentTraceparent,
  formatTraceparent,
  newTraceContext,
  parseTraceparent,
  runWithTraceparent,
} from './trace-context.js';
import { setTraceparentInMetadata, traceparentFromHeaders, traceparentFromMetadata, withTraceparentHeader } from './trace-propagation.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('reads the fields of a version-00 traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: '01' });
    expect(parseTraceparent(` ${VALID} `)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('accepts extra fields only from a later version', () => {
    expect(parseTraceparent(`${VALID}-extra`)).toBeUndefined();
    expect(parseTraceparent(`01${VALID.slice(2)}-extra`)?.spanId).toBe('00f067aa0ba902b7');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['upper-case hex', VALID.toUpperCase()],
    ['version ff', `ff${VALID.slice(2)}`],
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['garbage', 'not-a-traceparent'],
  ])('rejects %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('round-trips what formatTraceparent writes', () => {
    const context = newTraceContext();
    expect(parseTraceparent(formatTraceparent(context))).toEqual(context);
    expect(formatTraceparent(context)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});

describe('the current trace context', () => {
  it('is a new span of the caller trace inside runWithTraceparent', async () => {
    const seen = await runWithTraceparent(VALID, async () => {
      await Promise.resolve();
      return { context: currentTraceContext(), traceparent: currentTraceparent(), child: childTraceparent() };
    });
    expect(seen.context?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(seen.context?.spanId).not.toBe('00f067aa0ba902b7');
    expect(seen.traceparent).toBe(formatTraceparent(seen.context!));
    const child = parseTraceparent(seen.child)!;
    expect(child.traceId).toBe(seen.context?.traceId);
    expect(child.spanId).not.toBe(seen.context?.spanId);
  });

  it('starts a new trace for an invalid or missing traceparent', () => {
    const traceIds = [undefined, 'junk'].map((value) => runWithTraceparent(value, () => currentTraceContext()?.traceId));
    for (const traceId of traceIds) expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIds[0]).not.toBe(traceIds[1]);
  });

  it('is absent outside any trace, where childTraceparent starts a new one', () => {
    expect(currentTraceparent()).toBeUndefined();
    expect(parseTraceparent(childTraceparent())).toBeDefined();
  });

  it('gives every new span and trace distinct ids, well past one refill of the random pool', () => {
    const contexts = Array.from({ length: 2000 }, () => newTraceContext());
    expect(new Set(contexts.map((context) => context.traceId)).size).toBe(contexts.length);
    expect(new Set(contexts.map((context) => context.spanId)).size).toBe(contexts.length);
    for (const context of contexts) expect(parseTraceparent(formatTraceparent(context))).toEqual(context);
  });

  it('keeps concurrent traces apart', async () => {
    const a = '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-00f067aa0ba902b7-01';
    const b = '00-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-00f067aa0ba902b7-01';
    const read = (value: string) =>
      runWithTraceparent(value, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return currentTraceContext()?.traceId;
      });
    expect(await Promise.all([read(a), read(b)])).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
  });
});

describe('propagation', () => {
  it('writes and reads gRPC metadata, ignoring invalid values', () => {
    const metadata = setTraceparentInMetadata(new Metadata(), VALID);
    expect(traceparentFromMetadata(metadata)).toBe(VALID);
    const bad = new Metadata();
    bad.set('traceparent', 'junk');
    expect(traceparentFromMetadata(bad)).toBeUndefined();
    expect(traceparentFromMetadata(undefined)).toBeUndefined();
  });

  it('sends the current span by default', () => {
    runWithTraceparent(VALID, () => {
      expect(traceparentFromMetadata(setTraceparentInMetadata(new Metadata()))).toBe(currentTraceparent());
      expect(withTraceparentHeader({ a: '1' })).toEqual({ a: '1', traceparent: currentTraceparent() });
    });
  });

  it('reads bus headers', () => {
    expect(traceparentFromHeaders({ traceparent: VALID })).toBe(VALID);
    expect(traceparentFromHeaders({ traceparent: 42 })).toBeUndefined();
    expect(traceparentFromHeaders({})).toBeUndefined();
  });
});
