// Transactions the ERP holds behind the REST record API: sales orders, credit memos and journal
// entries (written by the integration), item fulfillments (written by the warehouse, read by the
// integration). One generic store, because NetSuite treats them alike: internal id, optional
// unique externalId (upsert via `eid:`), idempotency keys, sublists wrapped as `{"items":[…]}`.
import { isRecord } from '@retail-mesh/sandbox-kit';
import type { ItemCatalog } from '../items/item-catalog.js';
import { orderStatusOf, prepareItemLines, type ItemLine } from './item-lines.js';
import { invalidFieldValue, userError, type Invalid } from './record-errors.js';

export const RECORD_TYPES = {
  salesOrder: { tranIdPrefix: 'SO', firstId: 5001, writable: true },
  creditMemo: { tranIdPrefix: 'CM', firstId: 7001, writable: true },
  journalEntry: { tranIdPrefix: 'JE', firstId: 9001, writable: true },
  // Created by transforming a sales order (the warehouse's work, `/_sandbox/sales-orders/<id>/shipments` here).
  itemFulfillment: { tranIdPrefix: 'IF', firstId: 8001, writable: false },
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

export function isRecordType(value: string): value is RecordType {
  return Object.hasOwn(RECORD_TYPES, value);
}

/**
 * `netsuite`: `X-NetSuite-idempotency-key` is honoured and externalId is unique per record type.
 * `none`: an ERP without idempotency: keys are ignored and a repeated POST creates a duplicate.
 */
export type IdempotencyMode = 'netsuite' | 'none';

// NetSuite: "An external ID can be any string containing letters, numbers, underscore (_), and hyphen (-)."
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export interface StoredRecord {
  id: string;
  recordType: RecordType;
  externalId: string | null;
  tranId: string;
  /** The body fields as last written (without id/externalId); item sublist lines carry `line`. */
  fields: Record<string, unknown>;
  createdDate: string;
  lastModifiedDate: string;
  idempotencyKeys: string[];
  /** Creates plus updates that touched this record. */
  writeCount: number;
}

export type WriteResult =
  | { ok: true; record: StoredRecord; created: boolean }
  | { ok: false; kind: 'idempotency-conflict'; record: StoredRecord }
  | { ok: false; kind: 'duplicate-external-id'; record: StoredRecord }
  | Invalid
  | { ok: false; kind: 'not-found' };

function hasReference(value: unknown): boolean {
  return isRecord(value) && (typeof value.id === 'string' || typeof value.id === 'number');
}

export function sublistLines(value: unknown): unknown[] | undefined {
  return isRecord(value) && Array.isArray(value.items) ? value.items : undefined;
}

function toCents(value: unknown): number {
  return typeof value === 'number' ? Math.round(value * 100) : 0;
}

/** The journal's mandatory fields and balance (a small, honest subset of NetSuite's checks). */
function validateJournal(fields: Record<string, unknown>): Invalid | undefined {
  const lines = sublistLines(fields.line);
  if (!lines || lines.length === 0) return userError('You must enter at least one line item for this transaction.', 'line');
  for (const [index, line] of lines.entries()) {
    if (!isRecord(line) || !hasReference(line.account))
      return userError('Please enter value(s) for: Account', `line.items[${index}].account`);
  }
  const debit = lines.reduce<number>((sum, line) => sum + toCents((line as Record<string, unknown>).debit), 0);
  const credit = lines.reduce<number>((sum, line) => sum + toCents((line as Record<string, unknown>).credit), 0);
  if (debit !== credit) return userError('The transaction is not in balance.', 'line');
  return undefined;
}

export class RecordStore {
  private records = new Map<string, StoredRecord>();
  // Indexes, so that an upsert or a lookup by external id does not scan every record: the records
  // of each type in creation order, and those of each type x external id (several only in `none` mode).
  private byType = new Map<RecordType, StoredRecord[]>();
  private byExternalId = new Map<string, StoredRecord[]>();
  private readonly idempotencyKeys = new Map<string, StoredRecord>();
  private nextIds = new Map<RecordType, number>();
  mode: IdempotencyMode = 'netsuite';

  constructor(
    private readonly now: () => number,
    private readonly items: ItemCatalog,
  ) {}

  clear(): void {
    this.records = new Map();
    this.byType = new Map();
    this.byExternalId = new Map();
    this.idempotencyKeys.clear();
    this.nextIds = new Map();
    this.mode = 'netsuite';
  }

  /** POST /record/v1/{type}. */
  create(type: RecordType, body: Record<string, unknown>, idempotencyKey?: string): WriteResult {
    const replay = this.replayOf(idempotencyKey);
    if (replay) return replay;
    const { externalId, fields } = splitBody(body);
    if (externalId !== null && !EXTERNAL_ID_PATTERN.test(externalId)) return invalidFieldValue(externalId, 'externalId', 'externalId');
    if (externalId !== null && this.mode === 'netsuite') {
      const existing = this.findByExternalId(type, externalId);
      if (existing) return { ok: false, kind: 'duplicate-external-id', record: existing };
    }
    const prepared = this.prepare(type, fields, []);
    if (!prepared.ok) return prepared;
    return { ok: true, record: this.insert(type, externalId, prepared.fields, idempotencyKey), created: true };
  }

  /** PUT /record/v1/{type}/eid:{externalId}: creates, or updates the record with that externalId. */
  upsert(type: RecordType, externalId: string, body: Record<string, unknown>, idempotencyKey?: string): WriteResult {
    const replay = this.replayOf(idempotencyKey);
    if (replay) return replay;
    if (!EXTERNAL_ID_PATTERN.test(externalId)) return invalidFieldValue(externalId, 'externalId', 'externalId');
    const { fields } = splitBody(body);
    const existing = this.findByExternalId(type, externalId);
    if (!existing) {
      const prepared = this.prepare(type, fields, []);
      if (!prepared.ok) return prepared;
      return { ok: true, record: this.insert(type, externalId, prepared.fields, idempotencyKey), created: true };
    }
    // Body fields are merged; a sublist given in the body replaces the stored one (lines keep
    // what the warehouse did to them when the same item stays at the same position).
    const prepared = this.prepare(type, { ...existing.fields, ...fields }, storedLines(existing));
    if (!prepared.ok) return prepared;
    this.touch(existing, prepared.fields);
    this.remember(existing, idempotencyKey);
    return { ok: true, record: existing, created: false };
  }

  /**
   * PATCH /record/v1/{type}/{id}: body fields are merged. Sublist lines with a `line` number update
   * that line; lines without one are added; a sublist named in `replace` is replaced whole.
   */
  update(type: RecordType, reference: string, body: Record<string, unknown>, replace: readonly string[]): WriteResult {
    const existing = this.get(type, reference);
    if (!existing) return { ok: false, kind: 'not-found' };
    const { fields } = splitBody(body);
    const merged: Record<string, unknown> = { ...existing.fields };
    for (const [name, value] of Object.entries(fields)) {
      const current = sublistLines(existing.fields[name]);
      const incoming = sublistLines(value);
      if (!current || !incoming || replace.includes(name)) {
        merged[name] = value;
        continue;
      }
      const lines = current.map((line) => ({ ...(line as Record<string, unknown>) }));
      for (const [index, change] of incoming.entries()) {
        if (!isRecord(change)) return invalidFieldValue(change, name, `${name}.items[${index}]`);
        const lineNumber = change.line;
        if (lineNumber === undefined) {
          lines.push({ ...change });
          continue;
        }
        const target = lines.find((line) => line.line === lineNumber);
        if (!target) return invalidFieldValue(lineNumber, 'line', `${name}.items[${index}].line`);
        for (const [key, newValue] of Object.entries(change)) target[canonicalKey(target, key)] = newValue;
      }
      merged[name] = { items: lines };
    }
    const prepared = this.prepare(type, merged, storedLines(existing));
    if (!prepared.ok) return prepared;
    this.touch(existing, prepared.fields);
    return { ok: true, record: existing, created: false };
  }

  /**
   * A record the ERP creates itself (an item fulfillment, from the warehouse or a transform): no
   * validation here. A transform passes its external id and idempotency key, checked first with
   * `replayOf` and `duplicateOf`.
   */
  insertDocument(
    type: RecordType,
    fields: Record<string, unknown>,
    options: { externalId?: string; idempotencyKey?: string } = {},
  ): StoredRecord {
    return this.insert(type, options.externalId ?? null, fields, options.idempotencyKey);
  }

  /** A write carrying this external id would duplicate a record of the type (netsuite mode only). */
  duplicateOf(type: RecordType, externalId: string): WriteResult | undefined {
    if (this.mode !== 'netsuite') return undefined;
    const existing = this.findByExternalId(type, externalId);
    return existing ? { ok: false, kind: 'duplicate-external-id', record: existing } : undefined;
  }

  /** Saves fields the ERP changed itself (fulfilled quantities, closed lines) and recomputes the status. */
  save(record: StoredRecord, fields: Record<string, unknown>): void {
    const lines = sublistLines(fields.item) as ItemLine[] | undefined;
    this.touch(record, record.recordType === 'salesOrder' && lines ? { ...fields, orderStatus: orderStatusOf(fields, lines) } : fields);
  }

  /** By internal id, or `eid:<externalId>`. */
  get(type: RecordType, reference: string): StoredRecord | undefined {
    if (reference.startsWith('eid:')) return this.findByExternalId(type, reference.slice(4));
    const record = this.records.get(reference);
    return record?.recordType === type ? record : undefined;
  }

  /** Records whose field equals the value (externalId, tranId, id, or a scalar body field). */
  query(type: RecordType, field: string, value: string): StoredRecord[] {
    if (field.toLowerCase() === 'externalid') return [...(this.byExternalId.get(externalIdKey(type, value)) ?? [])];
    return this.list(type).filter((record) => String(fieldValue(record, field)) === value);
  }

  /** The records of a type, oldest first. */
  list(type: RecordType): StoredRecord[] {
    return [...(this.byType.get(type) ?? [])];
  }

  /** Validates the fields of a record of `type` and normalises its item lines (line numbers, item references). */
  private prepare(
    type: RecordType,
    fields: Record<string, unknown>,
    previousLines: readonly ItemLine[],
  ): { ok: true; fields: Record<string, unknown> } | Invalid {
    if (type === 'journalEntry') return validateJournal(fields) ?? { ok: true, fields };
    if (type === 'itemFulfillment') return { ok: true, fields };
    if (!hasReference(fields.entity)) return userError('Please enter value(s) for: Customer', 'entity');
    const lines = prepareItemLines(sublistLines(fields.item), previousLines, this.items);
    if (!lines.ok) return lines;
    const prepared: Record<string, unknown> = { ...fields, item: { items: lines.lines } };
    if (type === 'salesOrder') prepared.orderStatus = orderStatusOf(fields, lines.lines);
    return { ok: true, fields: prepared };
  }

  /** The answer to a repeated idempotency key (netsuite mode): the conflict pointing at the first result. */
  replayOf(idempotencyKey: string | undefined): WriteResult | undefined {
    if (idempotencyKey === undefined || this.mode !== 'netsuite') return undefined;
    const previous = this.idempotencyKeys.get(idempotencyKey);
    return previous ? { ok: false, kind: 'idempotency-conflict', record: previous } : undefined;
  }

  private insert(type: RecordType, externalId: string | null, fields: Record<string, unknown>, idempotencyKey?: string): StoredRecord {
    const numericId = this.nextIds.get(type) ?? RECORD_TYPES[type].firstId;
    this.nextIds.set(type, numericId + 1);
    const timestamp = new Date(this.now()).toISOString();
    const record: StoredRecord = {
      id: String(numericId),
      recordType: type,
      externalId,
      tranId: `${RECORD_TYPES[type].tranIdPrefix}${numericId}`,
      fields,
      createdDate: timestamp,
      lastModifiedDate: timestamp,
      idempotencyKeys: [],
      writeCount: 1,
    };
    this.records.set(record.id, record);
    appendTo(this.byType, type, record);
    if (externalId !== null) appendTo(this.byExternalId, externalIdKey(type, externalId), record);
    this.remember(record, idempotencyKey);
    return record;
  }

  private touch(record: StoredRecord, fields: Record<string, unknown>): void {
    record.fields = fields;
    record.lastModifiedDate = new Date(this.now()).toISOString();
    record.writeCount += 1;
  }

  private remember(record: StoredRecord, idempotencyKey: string | undefined): void {
    if (idempotencyKey === undefined) return;
    record.idempotencyKeys.push(idempotencyKey);
    if (this.mode === 'netsuite') this.idempotencyKeys.set(idempotencyKey, record);
  }

  private findByExternalId(type: RecordType, externalId: string): StoredRecord | undefined {
    return this.byExternalId.get(externalIdKey(type, externalId))?.[0];
  }
}

function externalIdKey(type: RecordType, externalId: string): string {
  return `${type}/${externalId}`;
}

function appendTo<K>(index: Map<K, StoredRecord[]>, key: K, record: StoredRecord): void {
  const records = index.get(key);
  if (records) records.push(record);
  else index.set(key, [record]);
}

function storedLines(record: StoredRecord): ItemLine[] {
  return (sublistLines(record.fields.item) ?? []) as ItemLine[];
}

/** NetSuite field names are case-insensitive in requests (its own PATCH example writes `isclosed`). */
function canonicalKey(line: Record<string, unknown>, key: string): string {
  return Object.keys(line).find((known) => known.toLowerCase() === key.toLowerCase()) ?? key;
}

function splitBody(body: Record<string, unknown>): { externalId: string | null; fields: Record<string, unknown> } {
  // `id` is read-only in NetSuite: a client cannot choose it.
  const { id: _id, externalId, ...fields } = body;
  return { externalId: typeof externalId === 'string' || typeof externalId === 'number' ? String(externalId) : null, fields };
}

function fieldValue(record: StoredRecord, field: string): unknown {
  switch (field.toLowerCase()) {
    case 'id':
      return record.id;
    case 'externalid':
      return record.externalId;
    case 'tranid':
      return record.tranId;
    default: {
      const value = Object.entries(record.fields).find(([name]) => name.toLowerCase() === field.toLowerCase())?.[1];
      return isRecord(value) && 'id' in value ? value.id : value;
    }
  }
}

/** `externalId IS "SHOPIFY-1001"` (the subset of NetSuite's `q` syntax the connector needs). */
export function parseRecordQuery(q: string): { field: string; value: string } | undefined {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+IS\s+(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/i.exec(q);
  if (!match) return undefined;
  return { field: match[1], value: match[2] ?? match[3] ?? match[4] };
}

/** The record as GET returns it; sublists are links unless `expandSubResources=true`. */
export function recordRepresentation(record: StoredRecord, baseUrl: string, expandSubResources: boolean): Record<string, unknown> {
  const self = `${baseUrl}/services/rest/record/v1/${record.recordType}/${record.id}`;
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.fields)) {
    const lines = sublistLines(value);
    fields[name] =
      lines && !expandSubResources
        ? { links: [{ rel: 'self', href: `${self}/${name}` }] }
        : lines
          ? {
              links: [{ rel: 'self', href: `${self}/${name}` }],
              items: lines,
              count: lines.length,
              hasMore: false,
              offset: 0,
              totalResults: lines.length,
            }
          : value;
  }
  return {
    links: [{ rel: 'self', href: self }],
    id: record.id,
    ...(record.externalId === null ? {} : { externalId: record.externalId }),
    tranId: record.tranId,
    createdDate: record.createdDate,
    lastModifiedDate: record.lastModifiedDate,
    ...fields,
  };
}
