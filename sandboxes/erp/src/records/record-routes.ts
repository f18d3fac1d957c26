// The REST record API: `/services/rest/record/v1/{type}[/{id | eid:externalId}]` with POST (create),
// PUT on `eid:` (upsert), PATCH (update), GET of one record and of a filtered, paged collection.
import {
  baseUrlOf,
  headerValue,
  isRecord,
  jsonResponse,
  noContent,
  parseJsonBody,
  type Router,
  type SandboxRequest,
  type SandboxResponse,
} from '@retail-mesh/sandbox-kit';
import type { OAuthTokens } from '../auth/oauth-tokens.js';
import { invalidLogin, netSuiteError } from '../netsuite-errors.js';
import {
  isRecordType,
  parseRecordQuery,
  RECORD_TYPES,
  recordRepresentation,
  type RecordStore,
  type RecordType,
  type StoredRecord,
  type WriteResult,
} from './record-store.js';

export const RECORD_BASE = '/services/rest/record/v1';
const MAX_PAGE_SIZE = 1000;

function recordUrl(request: SandboxRequest, record: StoredRecord): string {
  return `${baseUrlOf(request)}${RECORD_BASE}/${record.recordType}/${record.id}`;
}

function writeOutcome(request: SandboxRequest, result: WriteResult, options: { location: boolean } = { location: true }): SandboxResponse {
  if (result.ok) return noContent(options.location ? { location: recordUrl(request, result.record) } : undefined);
  switch (result.kind) {
    case 'idempotency-conflict':
      // NetSuite answers a repeated key with 400 "Conflict" and points at the earlier result.
      return netSuiteError(
        400,
        'IDEMPOTENCY_ERROR',
        'A request with the same idempotency key is already submitted. See the "Location" header for a link to the previously submitted result.',
        {
          title: 'Conflict',
          type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10',
          headers: { location: recordUrl(request, result.record) },
        },
      );
    case 'duplicate-external-id':
      return netSuiteError(
        400,
        'DUP_RCRD',
        `Error while accessing resource: This record already exists. A record with external ID ${result.record.externalId} exists.`,
        { extras: { 'o:errorPath': 'externalId' } },
      );
    case 'invalid':
      return netSuiteError(400, result.errorCode, result.detail, {
        extras: result.errorPath === undefined ? undefined : { 'o:errorPath': result.errorPath },
      });
    case 'not-found':
      return recordNotFound();
  }
}

function recordNotFound(): SandboxResponse {
  return netSuiteError(404, 'NONEXISTENT_ID', 'The record instance does not exist. Provide a valid record instance ID.');
}

function jsonBody(request: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; response: SandboxResponse } {
  const parsed = parseJsonBody(request);
  if (parsed.ok && isRecord(parsed.value)) return { ok: true, body: parsed.value };
  const response = netSuiteError(
    400,
    'INVALID_CONTENT',
    'The request could not be understood by the server due to malformed syntax. The body must be a JSON object.',
  );
  return { ok: false, response };
}

/** `limit`/`offset` and the `next`/`prev`/`first`/`last`/`self` links of NetSuite's collection paging. */
function pageLinks(request: SandboxRequest, limit: number, offset: number, total: number): Array<{ rel: string; href: string }> {
  const href = (at: number) => {
    const query = new URLSearchParams(request.query);
    query.set('limit', String(limit));
    query.set('offset', String(at));
    return `${baseUrlOf(request)}${request.path}?${query}`;
  };
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [];
  if (offset > 0) links.push({ rel: 'previous', href: href(Math.max(0, offset - limit)) }, { rel: 'first', href: href(0) });
  if (offset + limit < total) links.push({ rel: 'next', href: href(offset + limit) }, { rel: 'last', href: href(lastOffset) });
  links.push({ rel: 'self', href: href(offset) });
  return links;
}

/** Told of every successful PATCH: the record after it and its fields before. */
export type RecordUpdateListener = (record: StoredRecord, fieldsBefore: Record<string, unknown>) => void;

/** Carries out `POST /{type}/{id}/!transform/{target}` for the pairs the sandbox supports (salesOrder → itemFulfillment). */
export type RecordTransformer = (sourceId: string, body: Record<string, unknown>, idempotencyKey: string | undefined) => WriteResult;

export interface RecordRouteHooks {
  onUpdated?: RecordUpdateListener;
  transforms?: Partial<Record<RecordType, Partial<Record<RecordType, RecordTransformer>>>>;
}

export function addRecordRoutes(router: Router, oauth: OAuthTokens, records: RecordStore, hooks: RecordRouteHooks = {}): void {
  const { onUpdated, transforms = {} } = hooks;
  // Every record route: bearer token first (NetSuite rejects before looking at the URL), then a known record type.
  const guarded =
    (handler: (request: SandboxRequest, type: RecordType) => SandboxResponse, access: 'read' | 'write' = 'read') =>
    (request: SandboxRequest): SandboxResponse => {
      if (!oauth.verify(headerValue(request, 'authorization'))) return invalidLogin();
      const type = request.params.type;
      if (!isRecordType(type))
        return netSuiteError(404, 'NONEXISTENT_ID', `Record type '${type}' does not exist or is not supported by the sandbox.`);
      if (access === 'write' && !RECORD_TYPES[type].writable) {
        return netSuiteError(
          405,
          'METHOD_NOT_ALLOWED',
          `Records of type '${type}' are created by transforming their source transaction, not written directly.`,
        );
      }
      return handler(request, type);
    };
  const idempotencyKey = (request: SandboxRequest) => headerValue(request, 'x-netsuite-idempotency-key');

  router.add(
    'POST',
    `${RECORD_BASE}/:type`,
    guarded((request, type) => {
      const parsed = jsonBody(request);
      if (!parsed.ok) return parsed.response;
      return writeOutcome(request, records.create(type, parsed.body, idempotencyKey(request)));
    }, 'write'),
  );
  router.add(
    'POST',
    `${RECORD_BASE}/:type/:reference/!transform/:target`,
    guarded((request, type) => {
      const target = request.params.target;
      const transform = isRecordType(target) ? transforms[type]?.[target] : undefined;
      if (!transform) {
        return netSuiteError(400, 'INVALID_PARAMETER', `Transformation of '${type}' into '${target}' is not supported by the sandbox.`, {
          extras: { 'o:errorUrl': request.path },
        });
      }
      // A transform needs no body (NetSuite then fulfils everything left); one given must be an object.
      const parsed = request.rawBody.trim() === '' ? { ok: true as const, body: {} } : jsonBody(request);
      if (!parsed.ok) return parsed.response;
      return writeOutcome(request, transform(request.params.reference, parsed.body, idempotencyKey(request)));
    }),
  );
  router.add(
    'PUT',
    `${RECORD_BASE}/:type/:reference`,
    guarded((request, type) => {
      const reference = request.params.reference;
      if (!reference.startsWith('eid:') || reference.length === 4) {
        return netSuiteError(
          400,
          'INVALID_PARAMETER',
          'PUT is the upsert operation and needs an external ID: /{recordType}/eid:{externalId}.',
          {
            extras: { 'o:errorUrl': request.path },
          },
        );
      }
      const parsed = jsonBody(request);
      if (!parsed.ok) return parsed.response;
      return writeOutcome(request, records.upsert(type, reference.slice(4), parsed.body, idempotencyKey(request)));
    }, 'write'),
  );
  router.add(
    'PATCH',
    `${RECORD_BASE}/:type/:reference`,
    guarded((request, type) => {
      const parsed = jsonBody(request);
      if (!parsed.ok) return parsed.response;
      const replace = (request.query.get('replace') ?? '').split(',').filter((name) => name !== '');
      const fieldsBefore = records.get(type, request.params.reference)?.fields;
      const result = records.update(type, request.params.reference, parsed.body, replace);
      if (result.ok && fieldsBefore !== undefined) onUpdated?.(result.record, fieldsBefore);
      return writeOutcome(request, result, { location: false });
    }, 'write'),
  );
  router.add(
    'GET',
    `${RECORD_BASE}/:type/:reference`,
    guarded((request, type) => {
      const record = records.get(type, request.params.reference);
      if (!record) return recordNotFound();
      return jsonResponse(200, recordRepresentation(record, baseUrlOf(request), request.query.get('expandSubResources') === 'true'));
    }),
  );
  router.add(
    'GET',
    `${RECORD_BASE}/:type`,
    guarded((request, type) => {
      const q = request.query.get('q');
      let matches = records.list(type);
      if (q !== null) {
        const query = parseRecordQuery(q);
        if (!query) {
          return netSuiteError(400, 'INVALID_PARAMETER', `Invalid search query: ${q}. The sandbox supports <field> IS "<value>".`, {
            extras: { 'o:errorQueryParam': 'q' },
          });
        }
        matches = records.query(type, query.field, query.value);
      }
      const limit = Number(request.query.get('limit') ?? MAX_PAGE_SIZE);
      const offset = Number(request.query.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE || !Number.isInteger(offset) || offset < 0) {
        return netSuiteError(400, 'INVALID_PARAMETER', `limit must be 1..${MAX_PAGE_SIZE} and offset a non-negative integer.`, {
          extras: { 'o:errorQueryParam': 'limit' },
        });
      }
      const page = matches.slice(offset, offset + limit);
      return jsonResponse(200, {
        links: pageLinks(request, limit, offset, matches.length),
        count: page.length,
        hasMore: offset + page.length < matches.length,
        items: page.map((record) => ({ links: [{ rel: 'self', href: recordUrl(request, record) }], id: record.id })),
        offset,
        totalResults: matches.length,
      });
    }),
  );
}
