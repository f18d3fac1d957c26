/**
 * Runs `work` for every item with at most `limit` running at once, in item order, and resolves
 * when all have settled. Rejects with the first error once every started item has settled (so no
 * work is left running behind the caller's back).
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
  let next = 0;
  const errors: unknown[] = [];
  const runner = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  if (errors.length > 0) throw errors[0];
}
