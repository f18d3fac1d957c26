// POST /admin/api/{version}/graphql.json: authenticate the access token (which names the shop),
// parse and validate the query, charge its cost to the shop's bucket, execute, and report the
// cost in `extensions.cost` as Shopify does.
import { randomUUID } from 'node:crypto';
import { execute, GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { featuresOf, isSupportedVersion } from '../api-versions.js';
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopRegistry, ShopState } from '../shops/shop-registry.js';
import { adminSchema } from './admin-schema.js';
import { adminRootValue } from './admin-resolvers.js';
import { actualQueryCost, requestedQueryCost, SINGLE_QUERY_MAX_COST } from './query-cost.js';

type SandboxRequest = sandboxKit.SandboxRequest;
type SandboxResponse = sandboxKit.SandboxResponse;

export const INVALID_TOKEN_BODY = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };
const RATE_LIMITS_DOCUMENTATION = 'https://shopify.dev/api/usage/rate-limits';

interface GraphqlBody {
  query: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
}

function readGraphqlBody(request: SandboxRequest): GraphqlBody | undefined {
  const contentType = sandboxKit.headerValue(request, 'content-type') ?? '';
  if (contentType.startsWith('application/graphql'))
    return request.rawBody.trim() === '' ? undefined : { query: request.rawBody, variables: null, operationName: null };
  const parsed = sandboxKit.parseJsonBody(request);
  if (!parsed.ok || !sandboxKit.isRecord(parsed.value)) return undefined;
  const { query, variables, operationName } = parsed.value;
  if (typeof query !== 'string' || query.trim() === '') return undefined;
  if (variables !== undefined && variables !== null && !sandboxKit.isRecord(variables)) return undefined;
  return { query, variables: variables ?? null, operationName: typeof operationName === 'string' ? operationName : null };
}

/** The shop a request's access token belongs to. */
export function shopOf(registry: ShopRegistry, request: SandboxRequest): ShopState | undefined {
  const token = sandboxKit.headerValue(request, 'x-shopify-access-token');
  return token ? registry.byAccessToken(token) : undefined;
}

/** Operation names and root field names of a GraphQL request, for faults scoped by operation. */
export function operationsOf(request: SandboxRequest): string[] {
  const body = readGraphqlBody(request);
  if (!body) return [];
  try {
    const names: string[] = body.operationName ? [body.operationName] : [];
    for (const definition of parsedQuery(body.query).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      if (definition.name) names.push(definition.name.value);
      for (const selection of definition.selectionSet.selections) if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    }
    return names;
  } catch {
    return [];
  }
}

function costExtension(shop: ShopState, requested: number, actual: number | null) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: shop.bucket.status() } };
}

/** Shopify's THROTTLED answer: HTTP 200 by default (what clients observe), 429 + Retry-After if the shop is set so. */
export function throttledResponse(
  shop: ShopState,
  requestedCost: number,
  status: number = shop.throttleStatusCode,
  retryAfterSeconds?: number,
): SandboxResponse {
  shop.counters.throttledCalls += 1;
  const headers: Record<string, string> = { 'x-request-id': randomUUID() };
  if (status === 429) headers['retry-after'] = String(retryAfterSeconds ?? shop.bucket.secondsUntil(requestedCost));
  return {
    status,
    headers,
    body: {
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMITS_DOCUMENTATION } }],
      extensions: costExtension(shop, requestedCost, null),
    },
  };
}

function maxCostExceeded(cost: number): SandboxResponse {
  const message =
    `Query cost is ${cost}, which exceeds the single query max cost limit (${SINGLE_QUERY_MAX_COST}).\n\n` +
    'See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\ncost of a query is calculated.\n\n' +
    'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
    'See https://shopify.dev/docs/api/usage/bulk-operations/queries for usage details.\n';
  return { status: 200, body: { errors: [{ message, extensions: { code: 'MAX_COST_EXCEEDED', cost, maxCost: SINGLE_QUERY_MAX_COST } }] } };
}

/** The API version of a GraphQL endpoint path, undefined for any other path. */
export function graphqlVersionOf(path: string): string | undefined {
  return /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(path)?.[1];
}

/** The cost a request would be charged, or 0 when it does not parse (used by injected throttling). */
export function requestedCostOf(request: SandboxRequest, version: string): number {
  const body = readGraphqlBody(request);
  if (!body || !isSupportedVersion(version)) return 0;
  try {
    const schema = adminSchema(featuresOf(version));
    return requestedQueryCost({ schema, document: parsedQuery(body.query), operationName: body.operationName, variables: body.variables });
  } catch {
    return 0;
  }
}

// Clients send the same few query texts again and again (the variables carry the data): each is
// parsed and validated once per schema, as parsing and validating every call cost the sandbox
// more than executing it.
const MAX_CACHED_QUERIES = 1000;
const parsedQueries = new Map<string, DocumentNode | GraphQLError>();
const validations = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();

/** `parse(query)`, remembered (its syntax error too). */
function parsedQuery(query: string): DocumentNode {
  let parsed = parsedQueries.get(query);
  if (parsed === undefined) {
    try {
      parsed = parse(query);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      parsed = error;
    }
    if (parsedQueries.size >= MAX_CACHED_QUERIES) parsedQueries.clear();
    parsedQueries.set(query, parsed);
  }
  if (parsed instanceof GraphQLError) throw parsed;
  return parsed;
}

/** `validate(schema, document)`, remembered for the documents `parsedQuery` keeps. */
function validated(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  let bySchema = validations.get(schema);
  if (!bySchema) validations.set(schema, (bySchema = new WeakMap()));
  let errors = bySchema.get(document);
  if (!errors) bySchema.set(document, (errors = validate(schema, document)));
  return errors;
}

export function handleGraphqlRequest(services: SandboxServices, request: SandboxRequest): SandboxResponse {
  const { registry } = services;
  const version = request.params.version;
  if (!isSupportedVersion(version)) return { status: 404, body: { errors: 'Not Found' } };
  const shop = shopOf(registry, request);
  if (!shop) return { status: 401, body: INVALID_TOKEN_BODY };
  shop.counters.graphqlCalls += 1;

  const body = readGraphqlBody(request);
  if (!body) return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
  const headers = { 'x-request-id': randomUUID(), 'x-shopify-api-version': version };
  const features = featuresOf(version);
  const schema = adminSchema(features);

  let document: DocumentNode;
  try {
    document = parsedQuery(body.query);
  } catch (error) {
    return { status: 200, headers, body: { errors: [(error as GraphQLError).toJSON()] } };
  }
  const validationErrors = validated(schema, document);
  if (validationErrors.length > 0) return { status: 200, headers, body: { errors: validationErrors.map((error) => error.toJSON()) } };

  const costInput = { schema, document, operationName: body.operationName, variables: body.variables };
  const requested = requestedQueryCost(costInput);
  if (requested > SINGLE_QUERY_MAX_COST) return { ...maxCostExceeded(requested), headers };
  if (!shop.bucket.tryTake(requested)) return throttledResponse(shop, requested);

  const result = execute({
    schema,
    document,
    rootValue: adminRootValue({ registry, services, shop, apiVersion: version, features, schema }),
    variableValues: body.variables,
    operationName: body.operationName,
  });
  if (result instanceof Promise) throw new Error('the sandbox resolvers are synchronous');
  const actual = result.data ? actualQueryCost(costInput, result.data as Record<string, unknown>) : 0;
  shop.bucket.refund(requested - actual);
  const responseBody: Record<string, unknown> = {};
  if (result.errors) responseBody.errors = result.errors.map((error) => error.toJSON());
  if (result.data !== undefined) responseBody.data = result.data;
  responseBody.extensions = costExtension(shop, requested, actual);
  return { status: 200, headers, body: responseBody };
}
