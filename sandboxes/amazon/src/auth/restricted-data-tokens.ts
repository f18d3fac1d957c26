// Restricted Data Tokens (Tokens API 2021-03-01): operations that return buyer PII (names,
// streets, phones) take an RDT instead of the LWA access token in `x-amz-access-token`. An RDT is
// issued by createRestrictedDataToken for up to 50 restricted resources (HTTP method + path,
// plus `dataElements` for getOrders / getOrder / getOrderItems) and is accepted only for them:
// a specific path (`/orders/v0/orders/113-…/address`) names one order, a generic path
// (`/orders/v0/orders/{orderId}/address`) any order of the selling partner.
import { randomBytes } from 'node:crypto';
import { isRecord } from '@retail-mesh/sandbox-kit';

export const DATA_ELEMENTS = ['buyerInfo', 'shippingAddress', 'buyerTaxInformation'] as const;
export type DataElement = (typeof DATA_ELEMENTS)[number];

export const RDT_PREFIX = 'Atz.sprdt|';
const MAX_RESOURCES = 50;

interface RestrictedOperation {
  name: string;
  /** The path with `{orderId}` where the order id goes. */
  template: string;
  /** Data elements the operation takes; empty = it needs none (the path alone is the resource). */
  dataElements: readonly DataElement[];
}

/** The restricted operations this sandbox serves (Tokens API use case guide, "Restricted operations"). */
const RESTRICTED_OPERATIONS: readonly RestrictedOperation[] = [
  { name: 'getOrders', template: '/orders/v0/orders', dataElements: DATA_ELEMENTS },
  { name: 'getOrder', template: '/orders/v0/orders/{orderId}', dataElements: DATA_ELEMENTS },
  { name: 'getOrderItems', template: '/orders/v0/orders/{orderId}/orderItems', dataElements: ['buyerInfo'] },
  { name: 'getOrderAddress', template: '/orders/v0/orders/{orderId}/address', dataElements: [] },
];

export interface RestrictedResource {
  method: string;
  path: string;
  dataElements: DataElement[];
}

export interface RestrictedDataTokenResponse {
  restrictedDataToken: string;
  expiresIn: number;
}

export type RdtIssueResult =
  { ok: true; token: RestrictedDataTokenResponse } | { ok: false; code: string; message: string; details?: string };

export type RdtCheck =
  { ok: true; sellerId: string; dataElements: ReadonlySet<DataElement> } | { ok: false; reason: 'invalid' | 'expired' | 'not_covered' };

interface IssuedRdt {
  sellerId: string;
  resources: RestrictedResource[];
  expiresAt: number;
}

/** `/orders/v0/orders/{orderId}/address` → a pattern any order id fits. */
function templatePattern(template: string): RegExp {
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${template.split('{orderId}').map(escape).join('[^/]+')}$`);
}

/** The restricted operation a resource path is a specific or generic path of. */
function operationOfPath(path: string): RestrictedOperation | undefined {
  return RESTRICTED_OPERATIONS.find((operation) => operation.template === path || templatePattern(operation.template).test(path));
}

/** Whether a resource authorises a request: the same method, and the same path or its generic form. */
function covers(resource: RestrictedResource, method: string, path: string): boolean {
  if (resource.method !== method.toUpperCase()) return false;
  if (resource.path === path) return true;
  return resource.path.includes('{orderId}') && templatePattern(resource.path).test(path);
}

function parseResource(value: unknown): RestrictedResource | Extract<RdtIssueResult, { ok: false }> {
  const invalid = (message: string, details = ''): Extract<RdtIssueResult, { ok: false }> => ({
    ok: false,
    code: 'InvalidInput',
    message,
    details,
  });
  if (!isRecord(value) || typeof value.method !== 'string' || typeof value.path !== 'string' || value.path === '') {
    return {
      ok: false,
      code: 'InvalidRequest',
      message: 'Request is missing or has invalid parameters',
      details: 'Resource not provided.',
    };
  }
  if (!['GET', 'PUT', 'POST', 'DELETE'].includes(value.method)) return invalid(`Invalid method ${value.method}.`);
  const operation = operationOfPath(value.path);
  // Amazon's answer when an application asks for a resource it cannot have.
  if (!operation || value.method !== 'GET') return invalid('Application do not have access to some or all requested resource');
  const raw = value.dataElements;
  if (raw !== undefined && (!Array.isArray(raw) || raw.some((element) => typeof element !== 'string'))) {
    return invalid('dataElements must be an array of strings.');
  }
  const dataElements = (raw ?? []) as string[];
  if (operation.dataElements.length > 0 && dataElements.length === 0) {
    return invalid(`dataElements is required for a restricted resource of ${operation.name}.`);
  }
  const refused = dataElements.filter((element) => !(operation.dataElements as readonly string[]).includes(element));
  // getOrderAddress needs no data elements: any given are ignored, as the path alone is the resource.
  if (operation.dataElements.length > 0 && refused.length > 0) {
    return invalid(`Application does not have access to one or more requested data elements: [${refused.join(', ')}]`);
  }
  return {
    method: value.method,
    path: value.path,
    dataElements: operation.dataElements.length > 0 ? (dataElements as DataElement[]) : [],
  };
}

export class RestrictedDataTokens {
  private readonly tokens = new Map<string, IssuedRdt>();
  private readonly issuedCount = new Map<string, number>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  clear(): void {
    this.tokens.clear();
    this.issuedCount.clear();
  }

  static isRestrictedDataToken(token: string | undefined): boolean {
    return token !== undefined && token.startsWith(RDT_PREFIX);
  }

  /** createRestrictedDataToken for a seller (the caller's LWA token was checked already). */
  issue(sellerId: string, body: unknown): RdtIssueResult {
    const resources = isRecord(body) ? body.restrictedResources : undefined;
    if (!Array.isArray(resources) || resources.length === 0) {
      return {
        ok: false,
        code: 'InvalidRequest',
        message: 'Request is missing or has invalid parameters',
        details: 'Resource not provided.',
      };
    }
    if (resources.length > MAX_RESOURCES) {
      return { ok: false, code: 'InvalidInput', message: `restrictedResources accepts at most ${MAX_RESOURCES} resources.` };
    }
    const parsed: RestrictedResource[] = [];
    for (const value of resources) {
      const resource = parseResource(value);
      if ('ok' in resource) return resource;
      parsed.push(resource);
    }
    const restrictedDataToken = `${RDT_PREFIX}${randomBytes(32).toString('base64url')}`;
    this.tokens.set(restrictedDataToken, { sellerId, resources: parsed, expiresAt: this.now() + this.ttlSeconds * 1000 });
    this.issuedCount.set(sellerId, (this.issuedCount.get(sellerId) ?? 0) + 1);
    return { ok: true, token: { restrictedDataToken, expiresIn: this.ttlSeconds } };
  }

  /** Whether `token` authorises this request, and with which data elements. */
  check(token: string | undefined, method: string, path: string): RdtCheck {
    const issued = token === undefined ? undefined : this.tokens.get(token);
    if (!issued) return { ok: false, reason: 'invalid' };
    if (issued.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    const matching = issued.resources.filter((resource) => covers(resource, method, path));
    if (matching.length === 0) return { ok: false, reason: 'not_covered' };
    return { ok: true, sellerId: issued.sellerId, dataElements: new Set(matching.flatMap((resource) => resource.dataElements)) };
  }

  /** Every RDT issued so far expires now (to test the adapter's renewal after a 403). */
  expireAll(): void {
    const now = this.now();
    for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
  }

  issued(sellerId: string): number {
    return this.issuedCount.get(sellerId) ?? 0;
  }
}
