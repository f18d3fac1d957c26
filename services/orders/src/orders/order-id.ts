const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Order ids are UUIDs (the orders service assigns them). */
export function isOrderId(value: string | null | undefined): value is string {
  return typeof value === 'string' && UUID.test(value);
}
