// Where the traceparent travels: gRPC metadata (key `traceparent`, as OpenTelemetry's gRPC
// instrumentation uses) and the bus's transport headers (AMQP application headers, the
// in-process bus's header map).
import type { Metadata } from '@grpc/grpc-js';
import { childTraceparent, currentTraceparent, parseTraceparent } from './trace-context.js';

export const TRACEPARENT_KEY = 'traceparent';

/** The valid traceparent in gRPC metadata, or undefined. */
export function traceparentFromMetadata(metadata: Metadata | undefined | null): string | undefined {
  const values = metadata?.get(TRACEPARENT_KEY) ?? [];
  const value = values.find((candidate): candidate is string => typeof candidate === 'string' && parseTraceparent(candidate) !== undefined);
  return value;
}

/** Sets `traceparent` in outgoing metadata: the given value, else the current span's, else a new trace. */
export function setTraceparentInMetadata(metadata: Metadata, traceparent: string = currentTraceparent() ?? childTraceparent()): Metadata {
  metadata.set(TRACEPARENT_KEY, traceparent);
  return metadata;
}

/** The valid traceparent in bus/AMQP headers, or undefined. */
export function traceparentFromHeaders(headers: Record<string, unknown> | undefined | null): string | undefined {
  const value = headers?.[TRACEPARENT_KEY];
  return typeof value === 'string' && parseTraceparent(value) !== undefined ? value : undefined;
}

/** Headers with `traceparent` set: the given value, else the current span's, else a new trace. */
export function withTraceparentHeader(
  headers: Record<string, string>,
  traceparent: string = currentTraceparent() ?? childTraceparent(),
): Record<string, string> {
  return { ...headers, [TRACEPARENT_KEY]: traceparent };
}
