// Transactions the ERP accepts over the REST record API: sales orders, credit memos and journal
// entries. One generic store, because NetSuite treats them alike: internal id, optional unique
// externalId (upsert via `eid:`), idempotency keys, sublists wrapped as `{"items":[…]}`.
import { isRecord } from '@retail-mesh/sandbox-kit';

export const RECORD_TYPES = {
  salesOrder: { tranIdPrefix: 'SO', firstId: 5001 },
  creditMemo: { tranIdPrefix: 'CM', firstId: 7001 },
  journalEntry: { tranIdPrefix: 'JE', firstId: 9001 },
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

export interface StoredRecord {
  id: string;
  recordType: RecordType;
  externalId: string | null;
  tranId: string;
  /** The body fields as last written (without id/externalId). */
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
  | { ok: false; kind: 'invalid'; detail: string; errorPath?: string };

type Invalid = Extract<WriteResult, { kind: 'invalid' }>;

function invalid(detail: string, errorPath?: string): Invalid {
  return { ok: false, kind: 'invalid', detail: `Error while accessing resource: ${detail}`, errorPath };
}

function hasReference(value: unknown): boolean {
  return isRecord(value) && (typeof value.id === 'string' || typeof value.id === 'number');
}

function sublistLines(value: unknown): unknown[] | undefined {
  return isRecord(value) && Array.isArray(value.items) ? value.items : undefined;
}

function toCents(value: unknown): number {
  return typeof value === 'number' ? Math.round(value * 100) : 0;
}

/** The mandatory fields NetSuite would refuse the record without (a small, honest subset). */
export function validateRecordFields(type: RecordType, fields: Record<string, unknown>): Invalid | undefined {
  if (type === 'journalEntry') {
    const lines = sublistLines(fields.line);
    if (!lines || lines.length === 0) return invalid('You must enter at least one line item for this transaction.', 'line');
    for (const [index, line] of lines.entries()) {
      if (!isRecord(line) || !hasReference(line.account))
        return invalid('Please enter value(s) for: Account', `line.items[${index}].account`);
    }
    const debit = lines.reduce<number>((sum, line) => sum + toCents((line as Record<string, unknown>).debit), 0);
    const credit = lines.reduce<number>((sum, line) => sum + toCents((line as Record<string, unknown>).credit), 0);
    if (debit !== credit) return invalid('The transaction is not in balance.', 'line');
    return undefined;
  }
  if (!hasReference(fields.entity)) return invalid('Please enter value(s) for: Customer', 'entity');
  const lines = sublistLines(fields.item);
  if (!lines || lines.length === 0) return invalid('You must enter at least one line item for this transaction.', 'item');
  for (const [index, line] of lines.entries()) {
    if (!isRecord(line) || !hasReference(line.item)) return invalid('Please enter value(s) for: Item', `item.items[${index}].item`);
    if (line.quantity !== undefined && (typeof line.quantity !== 'number' || line.quantity <= 0)) {
      return invalid(
        `You have entered an Invalid Field Value ${JSON.stringify(line.quantity)} for the following field: quantity`,
        `item.items[${index}].quantity`,
      );
    }
  }
  return undefined;
}

export class RecordStore {
  private records = new Map<string, StoredRecord>();
  private readonly idempotencyKeys = new Map<string, StoredRecord>();
  private nextIds = new Map<RecordType, number>();
  mode: IdempotencyMode = 'netsuite';

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.records = new Map();
    this.idempotencyKeys.clear();
    this.nextIds = new Map();
    this.mode = 'netsuite';
  }

  /** POST /record/v1/{type}. */
  create(type: RecordType, body: Record<string, unknown>, idempotencyKey?: string): WriteResult {
    const replay = this.replayOf(idempotencyKey);
    if (replay) return replay;
    const { externalId, fields } = splitBody(body);
    if (externalId !== null && this.mode === 'netsuite') {
      const existing = this.findByExternalId(type, externalId);
      if (existing) return { ok: false, kind: 'duplicate-external-id', record: existing };
    }
    const problem = validateRecordFields(type, fields);
    if (problem) return problem;
    return { ok: true, record: this.insert(type, externalId, fields, idempotencyKey), created: true };
  }

  /** PUT /record/v1/{type}/eid:{externalId}: creates, or updates the record with that externalId. */
  upsert(type: RecordType, externalId: string, body: Record<string, unknown>, idempotencyKey?: string): WriteResult {
    const replay = this.replayOf(idempotencyKey);
    if (replay) return replay;
    const { fields } = splitBody(body);
    const existing = this.findByExternalId(type, externalId);
    if (!existing) {
      const problem = validateRecordFields(type, fields);
      if (problem) return problem;
      return { ok: true, record: this.insert(type, externalId, fields, idempotencyKey), created: true };
    }
    // Body fields are merged; a sublist given in the body replaces the stored one.
    const merged = { ...existing.fields, ...fields };
    const problem = validateRecordFields(type, merged);
    if (problem) return problem;
    existing.fields = merged;
    existing.lastModifiedDate = new Date(this.now()).toISOString();
    existing.writeCount += 1;
    this.remember(existing, idempotencyKey);
    return { ok: true, record: existing, created: false };
  }

  /** By internal id, or `eid:<externalId>`. */
  get(type: RecordType, reference: string): StoredRecord | undefined {
    if (reference.startsWith('eid:')) return this.findByExternalId(type, reference.slice(4));
    const record = this.records.get(reference);
    return record?.recordType === type ? record : undefined;
  }

  /** Records whose field equals the value (externalId, tranId, id, or a scalar body field). */
  query(type: RecordType, field: string, value: string): StoredRecord[] {
    return this.list(type).filter((record) => String(fieldValue(record, field)) === value);
  }

  list(type: RecordType): StoredRecord[] {
    return [...this.records.values()].filter((record) => record.recordType === type);
  }

  private replayOf(idempotencyKey: string | undefined): WriteResult | undefined {
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
    this.remember(record, idempotencyKey);
    return record;
  }

  private remember(record: StoredRecord, idempotencyKey: string | undefined): void {
    if (idempotencyKey === undefined) return;
    record.idempotencyKeys.push(idempotencyKey);
    if (this.mode === 'netsuite') this.idempotencyKeys.set(idempotencyKey, record);
  }

  private findByExternalId(type: RecordType, externalId: string): StoredRecord | undefined {
    return this.list(type).find((record) => record.externalId === externalId);
  }
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
