import type { Timestamp } from './generated/google/protobuf/timestamp.js';

// Timestamps stay {seconds, nanos} in generated types (ts-proto useDate breaks NestJS under ESM
// and proto-loader hands them over in this shape); these convert at the edges.

/** A Date as a protobuf Timestamp (millisecond precision). */
export function toTimestamp(date: Date): Timestamp {
  const millis = date.getTime();
  const seconds = Math.floor(millis / 1000);
  return { seconds, nanos: (millis - seconds * 1000) * 1_000_000 };
}

/** A protobuf Timestamp as a Date (sub-millisecond nanos are dropped). */
export function fromTimestamp(timestamp: Timestamp): Date {
  return new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1_000_000));
}
