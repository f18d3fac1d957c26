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
