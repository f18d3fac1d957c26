// Shopify's REST money is a decimal string ("19.99"); the sandbox computes order totals in integer
// minor units and prints them back with two decimals. Zero-decimal currencies (JPY) print as
// "1500.00" here; clients parse the trailing zeros away.

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;

/** "19.9" -> 1990; undefined when not a non-negative decimal with at most two places. */
export function parseDecimalMinor(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DECIMAL.exec(value);
  if (!match) return undefined;
  const minor = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** 1990 -> "19.90". */
export function formatDecimalMinor(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const absolute = Math.abs(minor);
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}
