// The ERP's items. Transactions reference an item by internal id (`{"id": "1001"}`) or by external
// id (`{"externalId": "TSHIRT-RED-M"}`); the sandbox gives every item its SKU as external id and
// item name (`itemId`), which is how retail integrations usually key items.
import { isRecord } from '@retail-mesh/sandbox-kit';

export interface ErpItem {
  /** Internal id, assigned by the ERP. */
  id: string;
  /** Item name/number: the SKU. */
  itemId: string;
  externalId: string;
}

const FIRST_ITEM_ID = 1001;

export class ItemCatalog {
  private readonly bySku = new Map<string, ErpItem>();
  private readonly byId = new Map<string, ErpItem>();

  clear(): void {
    this.bySku.clear();
    this.byId.clear();
  }

  /** The item with this SKU, created when unknown. */
  ensure(sku: string): ErpItem {
    const known = this.bySku.get(sku);
    if (known) return known;
    const item = { id: String(FIRST_ITEM_ID + this.bySku.size), itemId: sku, externalId: sku };
    this.bySku.set(sku, item);
    this.byId.set(item.id, item);
    return item;
  }

  /** Resolves a reference `{id}` or `{externalId}`; undefined when it names no item. */
  resolve(reference: unknown): ErpItem | undefined {
    if (!isRecord(reference)) return undefined;
    if (typeof reference.id === 'string' || typeof reference.id === 'number') return this.byId.get(String(reference.id));
    if (typeof reference.externalId === 'string') return this.bySku.get(reference.externalId);
    return undefined;
  }

  bySkuOf(sku: string): ErpItem | undefined {
    return this.bySku.get(sku);
  }

  list(): ErpItem[] {
    return [...this.bySku.values()];
  }
}
