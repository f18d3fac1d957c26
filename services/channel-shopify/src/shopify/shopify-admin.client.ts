import {
  type ApiCallObserver,
  ChannelApiError,
  type CostBucketThrottle,
  type CostLease,
  isTransientError,
  keepAliveFetch,
  parseRetryAfter,
  readShopifyQueryCost,
  type RetryEvent,
  retryWithBackoff,
} from '@retail-mesh/channel-kit';

// The Shopify Admin GraphQL calls the adapter needs, for one shop (channel account): set
// inventory with compare-and-set and an idempotency key, read inventory levels back, and find
// variants by SKU. Every call waits on the shop's cost bucket first and feeds the response's
// cost back into it; transient failures (THROTTLED, 5xx, INTERNAL_SERVER_ERROR, dropped
// connections, malformed bodies) are retried with backoff. Failures surface as
// `ShopifyAdminError` with a `kind`, so the adapter can map them without parsing messages.
// Every HTTP attempt and every wait for the bucket is reported to the observer (metrics).

export interface ShopifyAdminClientOptions {
  /** `https://{shop}.myshopify.com`, or the sandbox's `http://127.0.0.1:7001`. */
  baseUrl: string;
  accessToken: string;
  /** Default `2026-04`, the first version in which `@idempotent` is mandatory for inventory mutations. */
  apiVersion?: string;
  /** The shop's bucket, shared by every client of that shop (one per channel account). */
  throttle: CostBucketThrottle;
  /** Attempts after the first for a retryable failure. Default 4. */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per attempt. Default 30 s. */
  requestTimeoutMs?: number;
  onRetry?: (event: RetryEvent) => void;
  observer?: ShopifyCallObserver;
  /** Aborts waits (bucket, backoff) and requests in flight: the service is stopping. */
  signal?: AbortSignal;
  /** Injectable for tests; default channel-kit's keepAliveFetch. */
  fetch?: typeof fetch;
}

/** `ok`, the failure kind, or `network_error` when no response came (refused, dropped, timed out). */
export type ShopifyCallOutcome = 'ok' | ShopifyAdminErrorKind | 'network_error';

/** Every HTTP attempt, and every wait for the shop's cost bucket. */
export type ShopifyCallObserver = ApiCallObserver<ShopifyCallOutcome>;

export type ShopifyAdminErrorKind =
  'throttled' | 'unauthorized' | 'user_errors' | 'graphql_errors' | 'server_error' | 'http_error' | 'malformed_response';

export interface ShopifyUserError {
  code: string | null;
  field: string[] | null;
  message: string;
}

export interface ShopifyGraphqlError {
  message: string;
  code?: string;
}

export class ShopifyAdminError extends ChannelApiError<ShopifyAdminErrorKind> {
  override readonly name = 'ShopifyAdminError';
  readonly userErrors: ShopifyUserError[];
  readonly graphqlErrors: ShopifyGraphqlError[];

  constructor(init: {
    kind: ShopifyAdminErrorKind;
    operation: string;
    message: string;
    retryable: boolean;
    status?: number;
    userErrors?: ShopifyUserError[];
    graphqlErrors?: ShopifyGraphqlError[];
    retryAfterMs?: number;
  }) {
    super(init);
    this.userErrors = init.userErrors ?? [];
    this.graphqlErrors = init.graphqlErrors ?? [];
  }

  /** True when a compare-and-set failed because the quantity on Shopify changed meanwhile: read it back and decide again. */
  get isStaleQuantity(): boolean {
    return this.userErrors.some((error) => error.code === 'CHANGE_FROM_QUANTITY_STALE' || error.code === 'COMPARE_QUANTITY_STALE');
  }
}

export type InventoryQuantityName = 'available' | 'on_hand';

export interface InventoryQuantityToSet {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  /**
   * Compare-and-set: the quantity the caller believes Shopify holds now; the set only applies if
   * it still does (else `CHANGE_FROM_QUANTITY_STALE`). `null` opts out explicitly: from 2026-04
   * the field must always be sent.
   */
  changeFromQuantity: number | null;
}

export interface SetInventoryQuantitiesInput {
  /**
   * One key per distinct operation, reused for its retries (Shopify's `@idempotent` directive):
   * derive it from what is being pushed, e.g. account + item + location + version.
   */
  idempotencyKey: string;
  name: InventoryQuantityName;
  /** One of Shopify's inventory reasons, e.g. `correction`. */
  reason: string;
  /** A URI naming the cause in the mesh, shown in Shopify's inventory history. */
  referenceDocumentUri?: string;
  /** At most 250 (Shopify's input array limit). */
  quantities: InventoryQuantityToSet[];
}

export interface MutationGuard {
  /**
   * Runs right before each HTTP attempt, retries included (after the wait for the bucket); a
   * throw stops the call. The pusher checks here that it still holds the account's push lease,
   * so a retry can never land after another replica took over.
   */
  beforeAttempt?: () => Promise<void>;
}

export interface SetInventoryQuantitiesResult {
  /** Null when nothing changed (every quantity already had its value). */
  adjustmentGroupId: string | null;
}

export interface InventoryLevelRef {
  inventoryItemId: string;
  locationId: string;
}

export interface InventoryLevelQuantities extends InventoryLevelRef {
  /** By quantity name, e.g. `{ available: 7, on_hand: 9 }`. */
  quantities: Record<string, number>;
}

export interface ShopifyVariantRef {
  variantId: string;
  sku: string;
  inventoryItemId: string;
}

const maxQuantitiesPerSet = 250;
const levelsPerRead = 50;
const skusPerSearch = 50;
const variantsPageSize = 100;

// First guesses of each operation's requested cost, replaced by the server's figure after the
// first response. InventoryLevels is per level read (the query has one aliased field per level).
const initialCostEstimates: Record<string, number> = {
  InventorySetQuantities: 10,
  InventoryLevels: 3,
  VariantsBySku: 2 + variantsPageSize * 3,
};

// The key travels as a variable: the query text stays the same on every call (Shopify parses and
// validates it once), and no input is ever spliced into GraphQL text.
const inventorySetQuantitiesMutation = `
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}`;

// One aliased inventoryItem field per level, so a single request reads up to levelsPerRead levels.
function inventoryLevelsQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, index) => `$item${index}: ID!, $location${index}: ID!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, index) => `  level${index}: inventoryItem(id: $item${index}) {
    id
    inventoryLevel(locationId: $location${index}) {
      quantities(names: $names) { name quantity }
    }
  }`,
  ).join('\n');
  return `
query InventoryLevels($names: [String!]!, ${variables}) {
${fields}
}`;
}

const variantsBySkuQuery = `
query VariantsBySku($query: String!, $first: Int!, $after: String) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes {
      id
      sku
      inventoryItem { id }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export class ShopifyAdminClient {
  private readonly endpoint: string;
  private readonly fetchFn: typeof fetch;
  private readonly costEstimates = new Map(Object.entries(initialCostEstimates));

  constructor(private readonly options: ShopifyAdminClientOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/admin/api/${options.apiVersion ?? '2026-04'}/graphql.json`;
    this.fetchFn = options.fetch ?? keepAliveFetch;
  }

  /** `inventorySetQuantities` with compare-and-set per quantity and `@idempotent(key:)`; user errors throw `ShopifyAdminError` (`user_errors`). */
  async setInventoryQuantities(input: SetInventoryQuantitiesInput, guard: MutationGuard = {}): Promise<SetInventoryQuantitiesResult> {
    if (input.idempotencyKey.trim() === '') throw new RangeError('idempotencyKey must not be empty');
    if (input.quantities.length === 0 || input.quantities.length > maxQuantitiesPerSet) {
      throw new RangeError(`between 1 and ${maxQuantitiesPerSet} quantities per call, got ${input.quantities.length}`);
    }
    const variables = {
      idempotencyKey: input.idempotencyKey,
      input: {
        name: input.name,
        reason: input.reason,
        ...(input.referenceDocumentUri ? { referenceDocumentUri: input.referenceDocumentUri } : {}),
        quantities: input.quantities.map((quantity) => ({
          inventoryItemId: quantity.inventoryItemId,
          locationId: quantity.locationId,
          quantity: quantity.quantity,
          changeFromQuantity: quantity.changeFromQuantity,
        })),
      },
    };
    const data = await this.request(
      'InventorySetQuantities',
      inventorySetQuantitiesMutation,
      variables,
      (data) => checkUserErrors('InventorySetQuantities', field(data, 'inventorySetQuantities')),
      1,
      guard.beforeAttempt,
    );
    const payload = field(data, 'inventorySetQuantities') as { inventoryAdjustmentGroup?: unknown };
    const group = payload.inventoryAdjustmentGroup as { id?: unknown } | null | undefined;
    if (!group) return { adjustmentGroupId: null };
    if (typeof group.id !== 'string') throw malformed('InventorySetQuantities', 'inventoryAdjustmentGroup');
    return { adjustmentGroupId: group.id };
  }

  /**
   * Reads the named quantities of inventory levels (item at location), up to 50 per request.
   * The result has one entry per distinct level; undefined when the item is unknown or not
   * stocked at that location.
   */
  async getInventoryLevels(
    levels: readonly InventoryLevelRef[],
    names: InventoryQuantityName[] = ['available', 'on_hand'],
  ): Promise<Map<string, InventoryLevelQuantities | undefined>> {
    const distinct = [...new Map(levels.map((level) => [inventoryLevelRefKey(level), level])).values()];
    const found = new Map<string, InventoryLevelQuantities | undefined>();
    for (let start = 0; start < distinct.length; start += levelsPerRead) {
      const chunk = distinct.slice(start, start + levelsPerRead);
      const variables: Record<string, unknown> = { names };
      chunk.forEach((level, index) => {
        variables[`item${index}`] = level.inventoryItemId;
        variables[`location${index}`] = level.locationId;
      });
      const data = await this.request('InventoryLevels', inventoryLevelsQuery(chunk.length), variables, undefined, chunk.length);
      chunk.forEach((level, index) => found.set(inventoryLevelRefKey(level), readLevel(data, `level${index}`, level)));
    }
    return found;
  }

  /**
   * Finds the variants whose SKU equals each given SKU, following cursors through every page.
   * Shopify's search matches loosely, so results are filtered to exact SKU matches; SKUs are
   * not unique in Shopify, so each SKU maps to all its variants (empty when none).
   */
  async findVariantsBySkus(skus: readonly string[]): Promise<Map<string, ShopifyVariantRef[]>> {
    const wanted = [...new Set(skus.filter((sku) => sku !== ''))];
    const found = new Map<string, ShopifyVariantRef[]>(wanted.map((sku) => [sku, []]));
    for (let start = 0; start < wanted.length; start += skusPerSearch) {
      const query = wanted
        .slice(start, start + skusPerSearch)
        .map((sku) => `sku:${searchPhrase(sku)}`)
        .join(' OR ');
      let after: string | null = null;
      do {
        const data = await this.request('VariantsBySku', variantsBySkuQuery, { query, first: variantsPageSize, after });
        const page = readVariantsPage(data);
        for (const variant of page.variants) found.get(variant.sku)?.push(variant);
        after = page.endCursor;
      } while (after !== null);
    }
    return found;
  }

  /**
   * Any other GraphQL operation with the same throttle, retries and error typing: feature clients
   * (orders) build theirs on it. `check` runs inside each attempt (e.g. `checkUserErrors`), so
   * its retryable errors are retried too; `costEstimate` is the first guess of the requested cost
   * until Shopify has reported it. A mutation without an idempotency key (fulfillmentCreate,
   * orderCancel) passes `notIdempotent`: only a throttled request, which Shopify did not run, is
   * retried; after a lost answer the caller reads back before trying again.
   */
  async graphql(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    options: { check?: (data: unknown) => void; costEstimate?: number; notIdempotent?: boolean } = {},
  ): Promise<unknown> {
    if (options.costEstimate !== undefined && !this.costEstimates.has(operation)) this.costEstimates.set(operation, options.costEstimate);
    return this.request(operation, query, variables, options.check, 1, undefined, options.notIdempotent === true);
  }

  /**
   * One GraphQL operation with throttle, retry and error typing; `check` runs inside the attempt
   * so its retryable errors are retried too. `units` scales the operation's cost estimate (levels
   * read in one request).
   */
  private async request(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    check?: (data: unknown) => void,
    units = 1,
    beforeAttempt?: () => Promise<void>,
    notIdempotent = false,
  ): Promise<unknown> {
    return retryWithBackoff(() => this.attempt(operation, query, variables, units, check, beforeAttempt), {
      retries: this.options.retries ?? 4,
      baseDelayMs: this.options.baseDelayMs ?? 500,
      maxDelayMs: this.options.maxDelayMs ?? 20_000,
      isRetryable: (error) =>
        error instanceof ShopifyAdminError
          ? error.retryable && (!notIdempotent || error.kind === 'throttled')
          : !notIdempotent && isTransientError(error),
      retryAfterMs: (error) => (error instanceof ShopifyAdminError ? error.retryAfterMs : undefined),
      onRetry: this.options.onRetry,
      signal: this.options.signal,
    });
  }

  private async attempt(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    units: number,
    check: ((data: unknown) => void) | undefined,
    beforeAttempt: (() => Promise<void>) | undefined,
  ): Promise<unknown> {
    const observer = this.options.observer;
    const waitStartedAt = performance.now();
    const lease = await this.options.throttle.acquire((this.costEstimates.get(operation) ?? 10) * units, this.options.signal);
    const grantedAt = performance.now();
    // A grant from a bucket that holds the points takes microseconds; anything longer was a wait.
    if (grantedAt - waitStartedAt >= 1) observer?.throttleWait?.(operation, (grantedAt - waitStartedAt) / 1000);
    try {
      await beforeAttempt?.();
    } catch (error) {
      lease.settle(undefined);
      throw error;
    }
    const sentAt = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': this.options.accessToken },
        body: JSON.stringify({ query, variables, operationName: operation }),
        signal: this.requestSignal(),
      });
      text = await response.text();
    } catch (error) {
      lease.settle(undefined);
      observer?.call?.(operation, 'network_error', (performance.now() - sentAt) / 1000);
      throw error;
    }
    const seconds = (performance.now() - sentAt) / 1000;
    try {
      const data = this.interpret(operation, response, text, lease, units);
      check?.(data);
      observer?.call?.(operation, 'ok', seconds);
      return data;
    } catch (error) {
      observer?.call?.(operation, error instanceof ShopifyAdminError ? error.kind : 'network_error', seconds);
      throw error;
    }
  }

  private requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000);
    return this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
  }

  /** Settles the bucket lease with the response's cost, then returns `data` or throws the typed failure. */
  private interpret(operation: string, response: Response, text: string, lease: CostLease, units: number): unknown {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const cost = readShopifyQueryCost(body);
    lease.settle(cost);
    if (cost?.requestedQueryCost !== undefined) this.costEstimates.set(operation, cost.requestedQueryCost / units);

    const status = response.status;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    const errors = readGraphqlErrors(body);
    const summary = errors.map((error) => error.message).join('; ') || text.slice(0, 200);

    if (status === 401 || status === 403 || errors.some((error) => error.code === 'ACCESS_DENIED')) {
      return failure({
        kind: 'unauthorized',
        operation,
        status,
        message: `not authorised (HTTP ${status}): ${summary}`,
        retryable: false,
        graphqlErrors: errors,
      });
    }
    if (status === 429 || errors.some((error) => error.code === 'THROTTLED')) {
      // With cost information the retry needs no sleep of its own: the next acquire already waits
      // for exactly the refill the server reported. Without it, Retry-After or the backoff decides.
      const throttledWaitMs = retryAfterMs ?? (cost ? 0 : undefined);
      return failure({
        kind: 'throttled',
        operation,
        status,
        message: 'throttled by Shopify',
        retryable: true,
        graphqlErrors: errors,
        retryAfterMs: throttledWaitMs,
      });
    }
    if (status >= 500 || errors.some((error) => error.code === 'INTERNAL_SERVER_ERROR')) {
      return failure({
        kind: 'server_error',
        operation,
        status,
        message: `Shopify failed (HTTP ${status}): ${summary}`,
        retryable: true,
        graphqlErrors: errors,
        retryAfterMs,
      });
    }
    if (status < 200 || status >= 300) {
      return failure({
        kind: 'http_error',
        operation,
        status,
        message: `HTTP ${status}: ${summary}`,
        retryable: false,
        graphqlErrors: errors,
      });
    }
    if (body === undefined) {
      // A truncated or non-JSON 2xx body (a proxy, a dropped connection): safe to retry, reads and idempotent mutations alike.
      return failure({
        kind: 'malformed_response',
        operation,
        status,
        message: `response is not JSON: ${text.slice(0, 200)}`,
        retryable: true,
      });
    }
    if (errors.length > 0) {
      return failure({ kind: 'graphql_errors', operation, status, message: summary, retryable: false, graphqlErrors: errors });
    }
    const data = (body as { data?: unknown }).data;
    if (data === null || typeof data !== 'object') {
      return failure({ kind: 'malformed_response', operation, status, message: 'response has no data', retryable: true });
    }
    return data;
  }
}

function failure(init: ConstructorParameters<typeof ShopifyAdminError>[0]): never {
  throw new ShopifyAdminError(init);
}

function malformed(operation: string, what: string): ShopifyAdminError {
  return new ShopifyAdminError({ kind: 'malformed_response', operation, message: `unexpected shape of ${what}`, retryable: false });
}

/** Top-level `errors`: an array of `{ message, extensions: { code } }`, or a bare string on REST-style 401s. */
function readGraphqlErrors(body: unknown): ShopifyGraphqlError[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (typeof errors === 'string') return [{ message: errors }];
  if (!Array.isArray(errors)) return [];
  return errors.map((error: { message?: unknown; extensions?: { code?: unknown } }) => ({
    message: typeof error?.message === 'string' ? error.message : JSON.stringify(error),
    ...(typeof error?.extensions?.code === 'string' ? { code: error.extensions.code } : {}),
  }));
}

function field(data: unknown, name: string): unknown {
  const value = (data as Record<string, unknown>)[name];
  if (value === null || typeof value !== 'object') throw malformed(name, name);
  return value;
}

// IDEMPOTENCY_CONCURRENT_REQUEST means the same key is still being processed: retrying with the
// same key is exactly what Shopify asks for. Every other user error is final for this request.
/** Throws `ShopifyAdminError` (`user_errors`) when the payload's user errors (`field`, default `userErrors`) are not empty. */
export function checkUserErrors(operation: string, payload: unknown, field = 'userErrors'): void {
  const raw = (payload as Record<string, unknown>)[field];
  if (!Array.isArray(raw)) throw malformed(operation, 'userErrors');
  if (raw.length === 0) return;
  const userErrors: ShopifyUserError[] = raw.map((error: { code?: unknown; field?: unknown; message?: unknown }) => ({
    code: typeof error?.code === 'string' ? error.code : null,
    field: Array.isArray(error?.field) ? error.field.map(String) : null,
    message: typeof error?.message === 'string' ? error.message : '',
  }));
  const retryable = userErrors.every((error) => error.code === 'IDEMPOTENCY_CONCURRENT_REQUEST');
  const message = userErrors.map((error) => `${error.code ?? 'ERROR'}: ${error.message}`).join('; ');
  throw new ShopifyAdminError({ kind: 'user_errors', operation, message, retryable, userErrors });
}

/** The map key of a level in `getInventoryLevels` results. */
export function inventoryLevelRefKey(level: InventoryLevelRef): string {
  return `${level.inventoryItemId}|${level.locationId}`;
}

function readLevel(data: unknown, alias: string, ref: InventoryLevelRef): InventoryLevelQuantities | undefined {
  const item = (data as Record<string, { inventoryLevel?: { quantities?: unknown } | null } | null | undefined>)[alias];
  const level = item?.inventoryLevel;
  if (!level) return undefined;
  if (!Array.isArray(level.quantities)) throw malformed('InventoryLevels', 'quantities');
  const quantities: Record<string, number> = {};
  for (const entry of level.quantities as Array<{ name?: unknown; quantity?: unknown }>) {
    if (typeof entry?.name !== 'string' || !Number.isSafeInteger(entry.quantity)) throw malformed('InventoryLevels', 'quantities');
    quantities[entry.name] = entry.quantity as number;
  }
  return { ...ref, quantities };
}

function readVariantsPage(data: unknown): { variants: ShopifyVariantRef[]; endCursor: string | null } {
  const connection = field(data, 'productVariants') as { nodes?: unknown; pageInfo?: { hasNextPage?: unknown; endCursor?: unknown } };
  if (!Array.isArray(connection.nodes) || typeof connection.pageInfo?.hasNextPage !== 'boolean')
    throw malformed('VariantsBySku', 'productVariants');
  const variants = connection.nodes.map((raw) => {
    const node = raw as { id?: unknown; sku?: unknown; inventoryItem?: { id?: unknown } };
    if (typeof node?.id !== 'string' || typeof node.inventoryItem?.id !== 'string') {
      throw malformed('VariantsBySku', 'productVariants.nodes');
    }
    return {
      variantId: node.id,
      sku: typeof node.sku === 'string' ? node.sku : '',
      inventoryItemId: node.inventoryItem.id,
    };
  });
  const hasNextPage = connection.pageInfo.hasNextPage;
  const endCursor = connection.pageInfo.endCursor;
  if (hasNextPage && typeof endCursor !== 'string') throw malformed('VariantsBySku', 'pageInfo.endCursor');
  return { variants, endCursor: hasNextPage ? (endCursor as string) : null };
}

/** A SKU as a quoted phrase of Shopify's search syntax, so spaces, colons and `OR` inside it stay literal. */
function searchPhrase(sku: string): string {
  return `"${sku.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
