// Rate-limit state is per channel account (and for Amazon per operation too): a store's bucket
// must never be shared with another store's. The registry creates each entry on first use.
export class KeyedRegistry<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly create: (key: string) => T) {}

  get(key: string): T {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.create(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}
