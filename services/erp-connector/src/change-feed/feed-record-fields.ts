// Field checks shared by every record type of the ERP change feed. The ERP is an external system:
// anything it sends is checked at the boundary, and a record that fails is dead-lettered with the
// reason instead of poisoning the flow.

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/ ]{0,63}$/;
// Locations end up in 64-character key columns downstream.
export const MAX_LOCATION_LENGTH = 64;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The feed sequence number; it becomes an int64 version carried as a JS number, so it must stay a safe integer. */
export function readFeedId(record: Record<string, unknown>): string | undefined {
  const id = record.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return String(id);
  if (typeof id === 'string' && /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id))) return id;
  return undefined;
}

export function readTimestamp(value: unknown): Date | undefined {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
