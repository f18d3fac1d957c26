// PostgreSQL reports SQLSTATE 23505; better-sqlite3 reports an extended result code. TypeORM
// wraps both in QueryFailedError and keeps the driver's error in `driverError`.
const UNIQUE_VIOLATION_CODES = new Set(['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** True when `error` (raw driver error or TypeORM's QueryFailedError) is a unique or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string' && UNIQUE_VIOLATION_CODES.has(code)) return true;
  return driverError !== undefined && driverError !== error && isUniqueViolation(driverError);
}
