import { DomainValidationError, describeValue } from '../domain-validation.error.js';

// Facts carry a per-key monotonic version (e.g. availability per SKU x channel account), because
// queues do not keep order and competing consumers race: whoever holds a higher version wins,
// and anything at or below the version already applied is stale and dropped.

/** A value together with the version of the fact that produced it. */
export interface VersionedValue<T> {
  version: number;
  value: T;
}

export interface VersionedApplyResult<T> {
  /** False when `incoming` was stale (at or below the current version) and was dropped. */
  applied: boolean;
  /** What the key holds after the call: `incoming` if applied, else the unchanged current value. */
  current: VersionedValue<T>;
}

/** True for a valid version: a non-negative safe integer. */
export function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function assertVersion(value: unknown): asserts value is number {
  if (!isVersion(value))
    throw new DomainValidationError('invalid_version', `a version must be a non-negative integer, got ${describeValue(value)}`);
}

/** True when `incoming` should replace `current`; nothing applied yet (`undefined`) accepts any version. An equal version is a duplicate. */
export function isNewerVersion(incoming: number, current: number | undefined): boolean {
  assertVersion(incoming);
  if (current === undefined) return true;
  assertVersion(current);
  return incoming > current;
}

/** The version a producer stamps on the next fact for a key: 1 for the first. */
export function nextVersion(current: number | undefined): number {
  if (current === undefined) return 1;
  assertVersion(current);
  return current + 1;
}

/** Keeps `incoming` if it is newer than `current`, else keeps `current` and reports the drop. */
export function applyIfNewer<T>(current: VersionedValue<T> | undefined, incoming: VersionedValue<T>): VersionedApplyResult<T> {
  if (isNewerVersion(incoming.version, current?.version)) return { applied: true, current: incoming };
  return { applied: false, current: current as VersionedValue<T> };
}

/**
 * The newest item per key of a batch (first-seen key order) and how many it superseded: what a
 * consumer applies when a batch holds several versions of one key (a repeated version counts as
 * superseded).
 */
export function newestPerKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  versionOf: (item: T) => number,
): { newest: T[]; superseded: number } {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const known = byKey.get(key);
    if (known === undefined || versionOf(known) < versionOf(item)) byKey.set(key, item);
  }
  return { newest: [...byKey.values()], superseded: items.length - byKey.size };
}

/**
 * Orders keys by code point, the same on every machine (unlike a database collation): sort the
 * rows a transaction writes with it so concurrent writers lock them in one order.
 */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
