// Relay connections as Shopify serves them: first/after or last/before (one of first or last is
// required, at most 250), opaque base64 cursors, edges + nodes + pageInfo.
import { GraphQLError } from 'graphql';

export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export function encodeCursor(numericId: number): string {
  return Buffer.from(JSON.stringify({ last_id: numericId, last_value: String(numericId) })).toString('base64');
}

function decodeCursor(cursor: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    const lastId = (decoded as { last_id?: unknown }).last_id;
    if (typeof lastId === 'number') return lastId;
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError('Invalid cursor for current pagination sort.');
}

export function connection<T extends { numericId: number }>(items: readonly T[], args: ConnectionArgs, toNode: (item: T) => unknown) {
  const { first, last } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null))
    throw new GraphQLError('you must provide one of first or last');
  for (const [name, size] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (size !== undefined && size !== null && (size < 0 || size > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`);
    }
  }

  const ordered = [...items].sort((a, b) => (args.reverse ? b.numericId - a.numericId : a.numericId - b.numericId));
  const isBefore = (a: number, b: number) => (args.reverse ? a > b : a < b);
  let window = ordered;
  if (args.after) {
    const afterId = decodeCursor(args.after);
    window = window.filter((item) => isBefore(afterId, item.numericId));
  }
  if (args.before) {
    const beforeId = decodeCursor(args.before);
    window = window.filter((item) => isBefore(item.numericId, beforeId));
  }
  let page = window;
  if (first !== undefined && first !== null) page = page.slice(0, first);
  if (last !== undefined && last !== null) page = page.slice(Math.max(0, page.length - last));

  const firstIndex = page.length > 0 ? ordered.indexOf(page[0]) : -1;
  const lastIndex = page.length > 0 ? ordered.indexOf(page[page.length - 1]) : -1;
  const nodes = page.map(toNode);
  return {
    edges: page.map((item, index) => ({ cursor: encodeCursor(item.numericId), node: nodes[index] })),
    nodes,
    pageInfo: {
      hasNextPage: lastIndex >= 0 ? lastIndex < ordered.length - 1 : false,
      hasPreviousPage: firstIndex > 0,
      startCursor: page.length > 0 ? encodeCursor(page[0].numericId) : null,
      endCursor: page.length > 0 ? encodeCursor(page[page.length - 1].numericId) : null,
    },
  };
}
