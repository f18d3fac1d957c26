// Shopify's `@idempotent(key:)` directive (2026-01+; required for some mutations from 2026-04):
// the same key with the same input answers the first result again, with no second effect; the
// same key with another input is refused. Keys are per shop and live until reset.
import { getDirectiveValues, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';

/** The key of the field's `@idempotent` directive; null when not given (or the version has no such directive). */
export function idempotencyKeyOf(schema: GraphQLSchema, info: GraphQLResolveInfo): string | null {
  const directive = schema.getDirective('idempotent');
  if (!directive) return null;
  const values = getDirectiveValues(directive, info.fieldNodes[0], info.variableValues);
  return typeof values?.key === 'string' ? values.key : null;
}
