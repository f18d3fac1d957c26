// The ERP's change feed. NetSuite has no native change feed; integrations expose one through a
// RESTlet reading a custom change-log record that user-event scripts append to, which is what this
// is. Every change of every type (stock, item fulfillment, sales order cancellation) takes the next
// sequence number, so one cursor covers them all.

/** One feed slot. `record` is a typed feed record, or whatever a test appended raw. */
export interface ChangeFeedEntry {
  seq: number;
  record: unknown;
}

export interface ChangeFeedPage {
  items: unknown[];
  hasMore: boolean;
  /** Cursor to pass as `after` next time: the sequence number of the last item returned. */
  nextCursor: string;
}

/** What every typed feed record starts with. `id` is the feed sequence number (a JSON number). */
export interface FeedRecordBase {
  id: number;
  type: string;
  lastModified: string;
}

export class ChangeFeed {
  private readonly entries: ChangeFeedEntry[] = [];

  clear(): void {
    this.entries.length = 0;
  }

  /** Appends a typed record under the next sequence number, which becomes its `id`. */
  append<T extends FeedRecordBase>(record: Omit<T, 'id'>): T {
    const seq = this.entries.length + 1;
    const stored = { id: seq, ...record } as T;
    this.entries.push({ seq, record: stored });
    return stored;
  }

  /**
   * Appends an arbitrary record, for tests of malformed input. An object without an `id` gets the
   * next sequence number as its id, so consumers can still move their cursor past it.
   */
  appendRaw(raw: unknown): ChangeFeedEntry {
    const seq = this.entries.length + 1;
    const isPlainObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
    const record = isPlainObject && !('id' in raw) ? { id: seq, ...raw } : raw;
    const entry = { seq, record };
    this.entries.push(entry);
    return entry;
  }

  /** The records after feed position `after`, oldest first. */
  read(after: number, limit: number): ChangeFeedPage {
    const slice = this.entries.slice(after, after + limit);
    const last = slice.at(-1);
    return {
      items: slice.map((entry) => entry.record),
      hasMore: after + slice.length < this.entries.length,
      nextCursor: String(last ? last.seq : Math.min(after, this.entries.length)),
    };
  }

  list(): ChangeFeedEntry[] {
    return [...this.entries];
  }
}
