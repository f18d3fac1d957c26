/** The items' values by key, in the order the items come (Node 20 has no Map.groupBy). */
export function groupBy<T, V = T>(
  items: Iterable<T>,
  keyOf: (item: T) => string,
  valueOf: (item: T) => V = (item) => item as unknown as V,
): Map<string, V[]> {
  const grouped = new Map<string, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    const values = grouped.get(key);
    if (values) values.push(valueOf(item));
    else grouped.set(key, [valueOf(item)]);
  }
  return grouped;
}
