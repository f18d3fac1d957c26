// Sales orders through their life in the ERP sandbox: items by SKU, PATCH to close lines, the
// warehouse's shipments and users' cancellations in the change feed, and the outage fault.
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ERP_CLIENT, TOKEN_PATH } from '../auth/oauth-tokens.js';
import { startErpSandbox, type ErpSandbox } from '../erp-sandbox.js';

const SALES_ORDERS = '/services/rest/record/v1/salesOrder';
const FEED = '/app/site/hosting/restlet.nl?script=customscript_rm_stock_feed&deploy=1';

let erp: ErpSandbox;
let admin: SandboxAdminClient;
let token: string;

async function fetchToken(sandbox: ErpSandbox): Promise<string> {
  const basic = Buffer.from(`${DEFAULT_ERP_CLIENT.clientId}:${DEFAULT_ERP_CLIENT.clientSecret}`).toString('base64');
  const response = await fetch(`${sandbox.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${erp.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const salesOrder = (externalId: string, lines: Array<{ sku: string; quantity: number; lineId?: string }>) => ({
  externalId,
  entity: { id: '123' },
  custbody_rm_order_id: `order-${externalId}`,
  item: {
    items: lines.map((line) => ({
      item: { externalId: line.sku },
      quantity: line.quantity,
      rate: 10.5,
      ...(line.lineId === undefined ? {} : { custcol_rm_order_line_id: line.lineId }),
    })),
  },
});

async function createOrder(body: unknown): Promise<string> {
  const response = await call(SALES_ORDERS, { method: 'POST', body });
  expect(response.status).toBe(204);
  return (response.headers.get('location') ?? '').split('/').at(-1)!;
}

interface SalesOrderView {
  orderStatus: { id: string; refName: string };
  item: { items: Array<Record<string, unknown>> };
}

interface CollectionPage {
  count: number;
  hasMore: boolean;
  offset: number;
  totalResults: number;
  links: Array<{ rel: string; href: string }>;
}

type FeedRecord = Record<string, unknown> & { id: number };

async function readOrder(id: string): Promise<SalesOrderView> {
  return (await (await call(`${SALES_ORDERS}/${id}?expandSubResources=true`)).json()) as SalesOrderView;
}

async function feedItems(after = 0): Promise<FeedRecord[]> {
  return ((await (await call(`${FEED}&after=${after}&limit=1000`)).json()) as { items: FeedRecord[] }).items;
}

beforeAll(async () => {
  erp = await startErpSandbox({ port: 0 });
  admin = new SandboxAdminClient(erp.url);
  token = await fetchToken(erp);
});

afterAll(async () => {
  await erp.close();
});

beforeEach(async () => {
  await admin.reset();
  await admin.call('PUT', '/_sandbox/stock', [
    { sku: 'MUG-BLUE', location: 'WH-EAST', onHand: 10 },
    { sku: 'TSHIRT-RED-M', location: 'WH-EAST', onHand: 5 },
  ]);
});

describe('items on sales order lines', () => {
  it('refuses an unknown item with NetSuite’s documented 400 INVALID_CONTENT and its errorPath', async () => {
    const response = await call(SALES_ORDERS, {
      method: 'POST',
      body: salesOrder('SO-UNKNOWN', [
        { sku: 'MUG-BLUE', quantity: 1 },
        { sku: 'NOT-IN-ERP', quantity: 1 },
      ]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1',
      title: 'Bad Request',
      status: 400,
      'o:errorDetails': [
        {
          detail: 'Error while accessing resource: You have entered an Invalid Field Value NOT-IN-ERP for the following field: item',
          'o:errorCode': 'INVALID_CONTENT',
          'o:errorPath': 'item.items[1].item',
        },
      ],
    });
    expect(erp.records.list('salesOrder')).toEqual([]);
  });

  it('takes items by internal id as well, and refuses a rate that is not a number', async () => {
    const mug = erp.items.bySkuOf('MUG-BLUE')!;
    await createOrder({ entity: { id: '1' }, item: { items: [{ item: { id: mug.id }, quantity: 3, rate: 0.1 }] } });
    const badRate = await call(SALES_ORDERS, {
      method: 'POST',
      body: { entity: { id: '1' }, item: { items: [{ item: { id: mug.id }, quantity: 1, rate: '0.1' }] } },
    });
    expect(await badRate.json()).toMatchObject({
      status: 400,
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'item.items[0].rate' }],
    });
  });
});

describe('finding sales orders', () => {
  it('pages a filtered collection with NetSuite’s next/last/self links', async () => {
    await admin.call('POST', '/_sandbox/mode', { idempotency: 'none' });
    for (let index = 0; index < 3; index++) await createOrder(salesOrder('SO-DUP', [{ sku: 'MUG-BLUE', quantity: 1 }]));
    const q = encodeURIComponent('externalId IS "SO-DUP"');
    const first = (await (await call(`${SALES_ORDERS}?q=${q}&limit=2`)).json()) as CollectionPage;
    expect(first).toMatchObject({ count: 2, hasMore: true, offset: 0, totalResults: 3 });
    expect(first.links.map((link) => link.rel)).toEqual(['next', 'last', 'self']);
    const next = first.links[0].href.replace(erp.url, '');
    const second = (await (await call(next)).json()) as CollectionPage;
    expect(second).toMatchObject({ count: 1, hasMore: false, offset: 2, totalResults: 3 });
    expect(second.links.map((link) => link.rel)).toEqual(['previous', 'first', 'self']);
  });
});

describe('PATCH', () => {
  it('closes a line by number, lowers a quantity and adds a line, answering 204', async () => {
    const id = await createOrder(
      salesOrder('SO-PATCH', [
        { sku: 'MUG-BLUE', quantity: 4 },
        { sku: 'TSHIRT-RED-M', quantity: 2 },
      ]),
    );
    const patched = await call(`${SALES_ORDERS}/${id}`, {
      method: 'PATCH',
      body: {
        item: {
          items: [
            { line: 2, isclosed: true },
            { line: 1, quantity: 3 },
            { item: { externalId: 'MUG-BLUE' }, quantity: 1 },
          ],
        },
      },
    });
    expect(patched.status).toBe(204);
    const order = await readOrder(id);
    expect(order.item.items.map((line) => [line.line, line.quantity, line.isClosed])).toEqual([
      [1, 3, false],
      [2, 2, true],
      [3, 1, false],
    ]);
    const unknownLine = await call(`${SALES_ORDERS}/${id}`, { method: 'PATCH', body: { item: { items: [{ line: 9, isClosed: true }] } } });
    expect(await unknownLine.json()).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorPath': 'item.items[0].line' }] });
    const missing = await call(`${SALES_ORDERS}/99999`, { method: 'PATCH', body: { memo: 'x' } });
    expect(missing.status).toBe(404);
  });

  it('closing every line closes the order; item fulfillments cannot be written through the API', async () => {
    const id = await createOrder(salesOrder('SO-CLOSE', [{ sku: 'MUG-BLUE', quantity: 1 }]));
    await call(`${SALES_ORDERS}/${id}`, { method: 'PATCH', body: { item: { items: [{ line: 1, isClosed: true }] } } });
    expect((await readOrder(id)).orderStatus).toEqual({ id: 'H', refName: 'Closed' });
    const refused = await call('/services/rest/record/v1/itemFulfillment', { method: 'POST', body: {} });
    expect(refused.status).toBe(405);
  });
});

describe('shipments', () => {
  it('a partial shipment creates an item fulfillment, lowers on hand and reaches the feed with the order references', async () => {
    const id = await createOrder(
      salesOrder('SO-SHIP', [
        { sku: 'MUG-BLUE', quantity: 4, lineId: 'L1' },
        { sku: 'TSHIRT-RED-M', quantity: 2, lineId: 'L2' },
      ]),
    );
    const before = (await feedItems()).length;
    const shipped = await admin.call<{ itemFulfillment: { id: string; tranId: string }; feed: FeedRecord[] }>(
      'POST',
      `/_sandbox/sales-orders/${id}/shipments`,
      {
        lines: [{ sku: 'MUG-BLUE', quantity: 3 }],
        location: 'WH-EAST',
        shipCarrier: 'UPS',
        shipMethod: 'UPS Ground',
        trackingNumber: '1Z999',
        trackingUrl: 'https://ups.example/1Z999',
      },
    );
    expect(shipped.itemFulfillment).toMatchObject({ tranId: expect.stringMatching(/^IF\d+$/) });

    const records = (await feedItems(before)).map(({ lastModified: _l, shippedAt: _s, ...rest }) => rest);
    expect(records).toEqual([
      {
        id: before + 1,
        type: 'itemFulfillment',
        itemFulfillment: { id: shipped.itemFulfillment.id, tranId: shipped.itemFulfillment.tranId, externalId: null },
        salesOrder: { id, tranId: `SO${id}`, externalId: 'SO-SHIP', custbody_rm_order_id: 'order-SO-SHIP' },
        location: 'WH-EAST',
        shipCarrier: 'UPS',
        shipMethod: 'UPS Ground',
        trackingNumber: '1Z999',
        trackingUrl: 'https://ups.example/1Z999',
        lines: [{ orderLine: 1, item: 'MUG-BLUE', quantity: 3, custcol_rm_order_line_id: 'L1' }],
      },
      { id: before + 2, type: 'stockChange', item: 'MUG-BLUE', location: 'WH-EAST', quantityOnHand: 7 },
    ]);
    const order = await readOrder(id);
    expect(order.orderStatus).toEqual({ id: 'D', refName: 'Partially Fulfilled' });
    expect(order.item.items.map((line) => line.quantityFulfilled)).toEqual([3, 0]);
    const fulfillment = (await (
      await call(`/services/rest/record/v1/itemFulfillment/${shipped.itemFulfillment.id}?expandSubResources=true`)
    ).json()) as Record<string, unknown>;
    expect(fulfillment).toMatchObject({
      createdFrom: { id },
      shipStatus: { id: 'C' },
      package: { items: [{ packageTrackingNumber: '1Z999' }] },
    });
  });

  it('ships what is left when no lines are given, then refuses to ship more', async () => {
    const id = await createOrder(salesOrder('SO-ALL', [{ sku: 'MUG-BLUE', quantity: 2 }]));
    await admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { lines: [{ line: 1, quantity: 1 }], location: 'WH-EAST' });
    await admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { location: 'WH-EAST' });
    expect((await readOrder(id)).orderStatus).toEqual({ id: 'F', refName: 'Pending Billing' });
    expect(erp.stock.listPositions('MUG-BLUE')[0].onHand).toBe(8);
    await expect(admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { location: 'WH-EAST' })).rejects.toThrow(/409/);
    await expect(
      admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { lines: [{ line: 1, quantity: 5 }], location: 'WH-EAST' }),
    ).rejects.toThrow(/409/);
    await expect(admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, {})).rejects.toThrow(/location/);
    await expect(admin.call('POST', '/_sandbox/sales-orders/424242/shipments', { location: 'WH-EAST' })).rejects.toThrow(/404/);
  });
});

describe('transform into an item fulfillment', () => {
  const transform = (id: string, body?: unknown, key?: string) =>
    call(`${SALES_ORDERS}/${id}/!transform/itemFulfillment`, {
      method: 'POST',
      body,
      headers: key === undefined ? {} : { 'X-NetSuite-Idempotency-Key': key },
    });
  const fulfillmentIdOf = (response: Response) => (response.headers.get('location') ?? '').split('/').at(-1)!;

  it('fulfils the named lines (others left out with itemReceive false), answers 204 + Location and reports it in the feed', async () => {
    const id = await createOrder(
      salesOrder('SO-TF', [
        { sku: 'MUG-BLUE', quantity: 4, lineId: 'L1' },
        { sku: 'TSHIRT-RED-M', quantity: 2, lineId: 'L2' },
      ]),
    );
    const before = (await feedItems()).length;
    const response = await transform(
      id,
      {
        externalId: 'rm-shipment-1',
        tranDate: '2026-11-27',
        memo: 'Shipped by amazon',
        custbody_rm_order_id: 'order-SO-TF',
        item: {
          items: [
            { orderLine: 1, itemReceive: true, quantity: 3 },
            { orderLine: 2, itemreceive: false },
          ],
        },
      },
      'key-1',
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('location')).toMatch(/\/services\/rest\/record\/v1\/itemFulfillment\/\d+$/);
    const fulfillmentId = fulfillmentIdOf(response);

    const fulfillment = (await (
      await call(`/services/rest/record/v1/itemFulfillment/${fulfillmentId}?expandSubResources=true`)
    ).json()) as {
      item: { items: unknown[] };
    } & Record<string, unknown>;
    expect(fulfillment).toMatchObject({
      id: fulfillmentId,
      externalId: 'rm-shipment-1',
      tranDate: '2026-11-27',
      memo: 'Shipped by amazon',
      createdFrom: { id },
      entity: { id: '123' },
      shipStatus: { id: 'C', refName: 'Shipped' },
    });
    expect(fulfillment.item.items).toEqual([
      { line: 1, orderLine: 1, item: expect.objectContaining({ refName: 'MUG-BLUE' }), quantity: 3, custcol_rm_order_line_id: 'L1' },
    ]);
    const order = await readOrder(id);
    expect(order.orderStatus).toEqual({ id: 'D', refName: 'Partially Fulfilled' });
    expect(order.item.items.map((line) => line.quantityFulfilled)).toEqual([3, 0]);
    // No location named: the units left from a stock the ERP does not hold (the channel's); on hand unchanged.
    expect(erp.stock.listPositions('MUG-BLUE')[0].onHand).toBe(10);
    const records = (await feedItems(before)).map(({ lastModified: _l, shippedAt: _s, ...rest }) => rest);
    expect(records).toEqual([
      {
        id: before + 1,
        type: 'itemFulfillment',
        itemFulfillment: { id: fulfillmentId, tranId: `IF${fulfillmentId}`, externalId: 'rm-shipment-1' },
        salesOrder: { id, tranId: `SO${id}`, externalId: 'SO-TF', custbody_rm_order_id: 'order-SO-TF' },
        location: '',
        shipCarrier: '',
        shipMethod: '',
        trackingNumber: '',
        trackingUrl: '',
        lines: [{ orderLine: 1, item: 'MUG-BLUE', quantity: 3, custcol_rm_order_line_id: 'L1' }],
      },
    ]);
  });

  it('without a body fulfils everything left; a line with a location lowers on hand there', async () => {
    const id = await createOrder(
      salesOrder('SO-TF-ALL', [
        { sku: 'MUG-BLUE', quantity: 2 },
        { sku: 'TSHIRT-RED-M', quantity: 1 },
      ]),
    );
    const first = await transform(id, {
      item: {
        items: [
          { orderLine: 1, quantity: 1, location: 'WH-EAST' },
          { orderLine: 2, itemReceive: false },
        ],
      },
    });
    expect(first.status).toBe(204);
    expect(erp.stock.listPositions('MUG-BLUE')[0].onHand).toBe(9);
    expect((await transform(id)).status).toBe(204);
    const order = await readOrder(id);
    expect(order.orderStatus).toEqual({ id: 'F', refName: 'Pending Billing' });
    expect(order.item.items.map((line) => line.quantityFulfilled)).toEqual([2, 1]);
    expect(erp.records.list('itemFulfillment')).toHaveLength(2);
  });

  it('a repeated idempotency key creates nothing and answers 400 IDEMPOTENCY_ERROR pointing at the first fulfillment', async () => {
    const id = await createOrder(salesOrder('SO-TF-KEY', [{ sku: 'MUG-BLUE', quantity: 4 }]));
    const body = { item: { items: [{ orderLine: 1, quantity: 1 }] } };
    const first = await transform(id, body, 'key-twice');
    const second = await transform(id, body, 'key-twice');
    expect(second.status).toBe(400);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await second.json()).toMatchObject({ title: 'Conflict', 'o:errorDetails': [{ 'o:errorCode': 'IDEMPOTENCY_ERROR' }] });
    expect(erp.records.list('itemFulfillment')).toHaveLength(1);
    expect((await readOrder(id)).item.items[0].quantityFulfilled).toBe(1);
    // A known external id is refused even under another key.
    const again = await transform(id, { externalId: 'rm-once', ...body }, 'key-a');
    expect(again.status).toBe(204);
    const duplicate = await transform(id, { externalId: 'rm-once', ...body }, 'key-b');
    expect(await duplicate.json()).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorCode': 'DUP_RCRD' }] });
    expect(erp.records.list('itemFulfillment')).toHaveLength(2);
  });

  it('refuses an unknown sales order, more than is left, an unknown line, and an order with nothing left', async () => {
    const unknown = await transform('424242', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'NONEXISTENT_ID' }] });

    const id = await createOrder(salesOrder('SO-TF-BAD', [{ sku: 'MUG-BLUE', quantity: 2 }]));
    const tooMany = await transform(id, { item: { items: [{ orderLine: 1, quantity: 3 }] } }, 'key-too-many');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'item.items[0].quantity' }],
    });
    const noLine = await transform(id, { item: { items: [{ orderLine: 7, quantity: 1 }] } });
    expect(await noLine.json()).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'item.items[0].orderLine' }],
    });
    const nothing = await transform(id, { item: { items: [{ orderLine: 1, itemReceive: false }] } });
    expect(await nothing.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'item' }] });
    const picked = await transform(id, { shipStatus: { id: 'A' } });
    expect(await picked.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'shipStatus' }] });
    expect(erp.records.list('itemFulfillment')).toEqual([]);
    // A refused request does not use up its key.
    expect((await transform(id, {}, 'key-too-many')).status).toBe(204);
    const done = await transform(id, {});
    expect(await done.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_INITIALIZE_REF' }] });
    const other = await call(`${SALES_ORDERS}/${id}/!transform/invoice`, { method: 'POST', body: {} });
    expect(await other.json()).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }] });
  });
});

describe('cancellations', () => {
  it('closes or lowers the named lines and reports the cancelled units in the feed', async () => {
    const id = await createOrder(
      salesOrder('SO-CANCEL', [
        { sku: 'MUG-BLUE', quantity: 4, lineId: 'L1' },
        { sku: 'TSHIRT-RED-M', quantity: 2, lineId: 'L2' },
      ]),
    );
    const before = (await feedItems()).length;
    await admin.call('POST', `/_sandbox/sales-orders/${id}/cancel`, {
      lines: [{ line: 1, quantity: 1 }, { sku: 'TSHIRT-RED-M' }],
      reason: 'Out of stock at the warehouse',
    });
    const [record] = await feedItems(before);
    expect(record).toEqual({
      id: before + 1,
      type: 'salesOrderCancellation',
      lastModified: expect.any(String),
      cancelledAt: expect.any(String),
      salesOrder: { id, tranId: `SO${id}`, externalId: 'SO-CANCEL', custbody_rm_order_id: 'order-SO-CANCEL' },
      reason: 'Out of stock at the warehouse',
      lines: [
        { orderLine: 1, item: 'MUG-BLUE', quantity: 1, custcol_rm_order_line_id: 'L1' },
        { orderLine: 2, item: 'TSHIRT-RED-M', quantity: 2, custcol_rm_order_line_id: 'L2' },
      ],
    });
    const order = await readOrder(id);
    expect(order.item.items.map((line) => [line.quantity, line.isClosed])).toEqual([
      [3, false],
      [2, true],
    ]);
  });

  it('cancels a whole order: open lines closed, nothing listed; a Pending Approval order becomes Cancelled', async () => {
    const id = await createOrder(salesOrder('SO-WHOLE', [{ sku: 'MUG-BLUE', quantity: 4 }]));
    await admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { lines: [{ line: 1, quantity: 1 }], location: 'WH-EAST' });
    const { feed } = await admin.call<{ feed: Record<string, unknown> }>('POST', `/_sandbox/sales-orders/${id}/cancel`);
    expect(feed).toMatchObject({ type: 'salesOrderCancellation', lines: [], reason: '' });
    expect((await readOrder(id)).orderStatus).toEqual({ id: 'F', refName: 'Pending Billing' });
    await expect(admin.call('POST', `/_sandbox/sales-orders/${id}/cancel`)).rejects.toThrow(/409/);

    const pending = await createOrder({ ...salesOrder('SO-PENDING', [{ sku: 'MUG-BLUE', quantity: 1 }]), orderStatus: { id: 'A' } });
    expect((await readOrder(pending)).orderStatus).toEqual({ id: 'A', refName: 'Pending Approval' });
    await admin.call('POST', `/_sandbox/sales-orders/${pending}/cancel`, { reason: 'duplicate' });
    expect((await readOrder(pending)).orderStatus).toEqual({ id: 'C', refName: 'Cancelled' });
    await expect(admin.call('POST', `/_sandbox/sales-orders/${pending}/shipments`, { location: 'WH-EAST' })).rejects.toThrow(/cancelled/);
  });

  it('PATCHes by the integration are not reported back in the feed', async () => {
    const id = await createOrder(salesOrder('SO-QUIET', [{ sku: 'MUG-BLUE', quantity: 1 }]));
    const before = (await feedItems()).length;
    await call(`${SALES_ORDERS}/${id}`, { method: 'PATCH', body: { item: { items: [{ line: 1, isClosed: true }] } } });
    expect(await feedItems(before)).toEqual([]);
  });

  it('reports the units the integration’s PATCHes cancel when the change log records them (mode integrationChanges)', async () => {
    expect(await admin.call('POST', '/_sandbox/mode', { integrationChanges: 'recorded' })).toEqual({
      idempotency: 'netsuite',
      integrationChanges: 'recorded',
    });
    const id = await createOrder(
      salesOrder('SO-ECHO', [
        { sku: 'MUG-BLUE', quantity: 4, lineId: 'L1' },
        { sku: 'TSHIRT-RED-M', quantity: 3, lineId: 'L2' },
      ]),
    );
    await admin.call('POST', `/_sandbox/sales-orders/${id}/shipments`, { lines: [{ line: 2, quantity: 1 }], location: 'WH-EAST' });
    const before = (await feedItems()).length;
    // Line 1 lowered by 1; line 2 closed: its 2 unshipped units; a memo changes no line.
    await call(`${SALES_ORDERS}/${id}`, {
      method: 'PATCH',
      body: {
        memo: 'edited',
        item: {
          items: [
            { line: 1, quantity: 3 },
            { line: 2, isClosed: true },
          ],
        },
      },
    });
    await call(`${SALES_ORDERS}/${id}`, { method: 'PATCH', body: { memo: 'again' } });
    expect(await feedItems(before)).toEqual([
      {
        id: before + 1,
        type: 'salesOrderCancellation',
        lastModified: expect.any(String),
        cancelledAt: expect.any(String),
        salesOrder: { id, tranId: `SO${id}`, externalId: 'SO-ECHO', custbody_rm_order_id: 'order-SO-ECHO' },
        reason: '',
        lines: [
          { orderLine: 1, item: 'MUG-BLUE', quantity: 1, custcol_rm_order_line_id: 'L1' },
          { orderLine: 2, item: 'TSHIRT-RED-M', quantity: 2, custcol_rm_order_line_id: 'L2' },
        ],
      },
    ]);
    await expect(admin.call('POST', '/_sandbox/mode', { integrationChanges: 'sometimes' })).rejects.toThrow(/400/);
    await admin.reset();
    expect(await admin.call('GET', '/_sandbox/mode')).toEqual({ idempotency: 'netsuite', integrationChanges: 'filtered' });
  });
});

describe('outage', () => {
  it('answers 503 on every API route until cleared, leaving the tests’ own faults alone', async () => {
    await admin.setFaults({ type: 'latency', ms: 1 });
    expect(await admin.call('POST', '/_sandbox/outage', {})).toEqual({ active: true, kind: 'unavailable', until: null });
    for (const path of [SALES_ORDERS, FEED]) expect((await call(path)).status).toBe(503);
    const tokenAnswer = await fetch(`${erp.url}${TOKEN_PATH}`, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(tokenAnswer.status).toBe(503);
    expect(await admin.health()).toMatchObject({ status: 'ok' });

    expect(await admin.call('DELETE', '/_sandbox/outage')).toEqual({ active: false, kind: null, until: null });
    expect((await call(SALES_ORDERS)).status).toBe(200);
    expect((await admin.faults()).map((fault) => fault.rule.type)).toEqual(['latency']);
  });

  it('drops connections when unreachable, and rejects a bad body', async () => {
    await admin.call('POST', '/_sandbox/outage', { kind: 'unreachable' });
    await expect(call(SALES_ORDERS)).rejects.toThrow();
    await expect(admin.call('POST', '/_sandbox/outage', { durationMs: -1 })).rejects.toThrow(/durationMs/);
    await admin.call('DELETE', '/_sandbox/outage');
    expect((await call(SALES_ORDERS)).status).toBe(200);
  });

  it('ends by itself after durationMs (sandbox clock)', async () => {
    let clock = Date.parse('2026-11-27T10:00:00Z');
    const timed = await startErpSandbox({ port: 0, now: () => clock });
    try {
      const timedAdmin = new SandboxAdminClient(timed.url);
      const timedToken = await fetchToken(timed);
      const get = () => fetch(`${timed.url}${SALES_ORDERS}`, { headers: { authorization: `Bearer ${timedToken}` } });
      expect(await timedAdmin.call('POST', '/_sandbox/outage', { durationMs: 30_000 })).toEqual({
        active: true,
        kind: 'unavailable',
        until: '2026-11-27T10:00:30.000Z',
      });
      expect((await get()).status).toBe(503);
      clock += 29_999;
      expect((await get()).status).toBe(503);
      clock += 1;
      expect((await get()).status).toBe(200);
      expect(await timedAdmin.call('GET', '/_sandbox/outage')).toMatchObject({ active: false });
    } finally {
      await timed.close();
    }
  });
});
