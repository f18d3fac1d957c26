// The catalog as it runs in production: a standalone service over real PostgreSQL and RabbitMQ,
// called over gRPC like any client would, with its health, reflection, metrics and readiness
// endpoints, its events on the broker and its JSON logs.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { catalogEventsV1, catalogV1, Events, grpcServices, toTimestamp } from '@retail-mesh/contracts';
import { createEventBus, decodeEvent, type Consumer, type Delivery, type EventBus } from '@retail-mesh/messaging';
import { grpcHealthStatus, listGrpcServices, parseTraceparent } from '@retail-mesh/observability';
import {
  createGrpcClient,
  errorReasonOf,
  serviceConfigFor,
  startService,
  type GrpcClient,
  type RunningService,
} from '@retail-mesh/service-kit';
import { createTestSchema, createTestVhost, waitFor, type TestSchema, type TestVhost } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogService } from './index.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;
const { ListingStatus, PromotionStatus } = catalogV1;

describe('catalog service, standalone on PostgreSQL and RabbitMQ', () => {
  let vhost: TestVhost;
  let schema: TestSchema;
  let service: RunningService;
  let catalog: GrpcClient<catalogV1.CatalogServiceClient>;
  let probeBus: EventBus;
  let probe: Consumer;
  const received: Delivery[] = [];
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    [vhost, schema] = await Promise.all([createTestVhost('rm_catalog'), createTestSchema('rm_catalog')]);
    // The test's own consumer of everything the catalog publishes, declared before it publishes.
    probeBus = await createEventBus({ url: vhost.url });
    probe = await probeBus.consume({ queue: 'probe.catalog-events', bindings: ['catalog.#'] }, async (delivery) => {
      received.push(delivery);
    });
    const config = serviceConfigFor(catalogService, {
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.name,
      RABBITMQ_URL: vhost.url,
    });
    service = await startService(catalogService, {
      config,
      logDestination: { write: (line: string) => void logLines.push(JSON.parse(line)) },
    });
    catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, service.grpcUrl);
  });

  afterAll(async () => {
    catalog?.close();
    await service?.close();
    await probe?.drain();
    await probeBus?.close();
    await Promise.all([schema?.remove(), vhost?.remove()]);
  });

  const eventsOf = (routingKey: string) => received.filter((delivery) => delivery.routingKey === routingKey);

  it('upserts a product, publishes ProductUpserted and carries the caller trace into logs and event headers', async () => {
    const metadata = new Metadata();
    metadata.set('traceparent', TRACEPARENT);
    const { product } = await catalog.upsertProduct(
      {
        product: catalogV1.Product.fromPartial({
          productId: 'TEE',
          title: 'Organic tee',
          status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
          variants: [
            { sku: 'TEE-M', gtin: '4006381333931', options: [{ name: 'Size', value: 'M' }], weightGrams: 180 },
            { sku: 'TEE-L', gtin: '' },
          ],
        }),
      },
      { metadata },
    );
    expect(product).toMatchObject({
      productId: 'TEE',
      version: 1,
      variants: [
        { sku: 'TEE-M', gtin: '4006381333931' },
        { sku: 'TEE-L', gtin: '' },
      ],
    });

    const [event] = await waitFor(() => eventsOf('catalog.product_upserted').length > 0 && eventsOf('catalog.product_upserted'));
    expect(parseTraceparent(event.headers.traceparent)?.traceId).toBe(TRACE_ID);
    const opened = decodeEvent(event, Events.catalog.productUpserted);
    expect(opened.envelope).toMatchObject({ source: 'catalog', subject: 'TEE', type: 'retail.catalog.v1.ProductUpserted' });
    expect(parseTraceparent(opened.envelope.traceparent)?.traceId).toBe(TRACE_ID);
    expect(opened.payload.product?.variants.map((variant) => variant.sku)).toEqual(['TEE-M', 'TEE-L']);

    const callLog = logLines.find((line) => line.msg === 'grpc call handled' && line.grpc_method === 'UpsertProduct');
    expect(callLog).toMatchObject({ service: 'catalog', level: 'info', trace_id: TRACE_ID, grpc_code: 'OK' });

    const again = await catalog.upsertProduct({ product: { ...product!, title: 'Organic tee v2' } });
    expect(again.product).toMatchObject({ version: 2, title: 'Organic tee v2' });
    expect((await catalog.getVariant({ sku: 'TEE-M' })).productId).toBe('TEE');
  });

  it('rejects a bad GTIN with INVALID_ARGUMENT and its reason', async () => {
    const error = await catalog
      .upsertProduct({
        product: catalogV1.Product.fromPartial({ productId: 'BAD', title: 'Bad', variants: [{ sku: 'BAD-1', gtin: '4006381333932' }] }),
      })
      .catch((caught: ServiceError) => caught);
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'GTIN 4006381333932 has check digit 2, expected 1' });
    expect(errorReasonOf(error)).toBe('invalid_gtin');
  });

  it('maps a missing listing to NOT_FOUND', async () => {
    const error = await catalog.getChannelListing({ channelAccountId: 'shopify-us', sku: 'NOPE' }).catch((caught: ServiceError) => caught);
    expect(error).toMatchObject({ code: status.NOT_FOUND });
    expect(errorReasonOf(error)).toBe('listing_not_found');
  });

  it('lists a SKU on a channel account with the Shopify ids and publishes ChannelListingUpserted', async () => {
    const listing = catalogV1.ChannelListing.fromPartial({
      channelAccountId: 'shopify-us',
      channel: 'shopify',
      sku: 'TEE-M',
      externalProductId: 'gid://shopify/Product/10',
      externalVariantId: 'gid://shopify/ProductVariant/11',
      externalInventoryItemId: 'gid://shopify/InventoryItem/12',
      externalLocationId: 'gid://shopify/Location/1',
      status: ListingStatus.LISTING_STATUS_ACTIVE,
    });
    await catalog.upsertChannelListing({ listing });
    const { listing: stored } = await catalog.getChannelListing({ channelAccountId: 'shopify-us', sku: 'TEE-M' });
    expect(stored).toMatchObject({ ...listing, version: 1, updatedAt: expect.objectContaining({ seconds: expect.any(Number) }) });
    await waitFor(() => eventsOf('catalog.channel_listing_upserted.shopify').length === 1);

    const unknownSku = await catalog
      .upsertChannelListing({ listing: { ...listing, sku: 'NOT-IN-CATALOG' } })
      .catch((caught: ServiceError) => caught);
    expect(unknownSku).toMatchObject({ code: status.FAILED_PRECONDITION });
    const { listings } = await catalog.listChannelListings(
      catalogV1.ListChannelListingsRequest.fromPartial({ channelAccountId: 'shopify-us' }),
    );
    expect(listings.map((row) => row.sku)).toEqual(['TEE-M']);
  });

  it('publishes PriceChanged for a listed SKU when its price or a promotion changes what the channel shows', async () => {
    const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
    await catalog.upsertPriceList({
      priceList: catalogV1.PriceList.fromPartial({
        priceListId: 'us-retail',
        name: 'US retail',
        currency: 'USD',
        channelAccountIds: ['shopify-us'],
      }),
    });
    await catalog.upsertPrices({ priceListId: 'us-retail', prices: [catalogV1.Price.fromPartial({ sku: 'TEE-M', amount: usd(2000) })] });
    await catalog.upsertPromotion({
      promotion: catalogV1.Promotion.fromPartial({
        promotionId: 'summer',
        name: 'Summer',
        status: PromotionStatus.PROMOTION_STATUS_ACTIVE,
        skus: ['TEE-M'],
        percentOffBasisPoints: 1500,
        startsAt: toTimestamp(new Date(Date.now() - 60_000)),
      }),
    });

    const changes = await waitFor(() => {
      const events = eventsOf('catalog.price_changed.shopify');
      return events.length === 2 && events.map((event) => decodeEvent(event, Events.catalog.priceChanged).payload.price);
    });
    const byVersion = (changes as catalogEventsV1.PriceChanged['price'][]).sort((a, b) => a!.version - b!.version);
    expect(byVersion.map((price) => [price?.version, price?.amount?.amountMinor, price?.compareAtAmount?.amountMinor ?? null])).toEqual([
      [1, 2000, null],
      [2, 1700, 2000],
    ]);
    const { price } = await catalog.getEffectivePrice({ channelAccountId: 'shopify-us', sku: 'TEE-M' });
    expect(price).toMatchObject({ channel: 'shopify', amount: usd(1700), promotionId: 'summer', version: 2 });
  });

  it('reports SERVING on grpc.health.v1 and lists its services through reflection', async () => {
    expect(await grpcHealthStatus(service.grpcUrl)).toBe('SERVING');
    expect(await grpcHealthStatus(service.grpcUrl, 'retail.catalog.v1.CatalogService')).toBe('SERVING');
    expect(await listGrpcServices(service.grpcUrl)).toEqual(
      expect.arrayContaining(['retail.catalog.v1.CatalogService', 'grpc.health.v1.Health']),
    );
  });

  it('serves metrics, liveness and readiness over HTTP', async () => {
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toContain(
      'grpc_server_handled_total{grpc_service="retail.catalog.v1.CatalogService",grpc_method="UpsertProduct",grpc_code="OK"} 2',
    );
    expect(metrics).toContain(
      'grpc_server_handled_total{grpc_service="retail.catalog.v1.CatalogService",grpc_method="GetChannelListing",grpc_code="NOT_FOUND"} 1',
    );
    expect(metrics).toContain(
      'grpc_server_handling_seconds_bucket{le="0.005",grpc_service="retail.catalog.v1.CatalogService",grpc_method="UpsertProduct"}',
    );
    expect(metrics).toMatch(/retail_mesh_outbox_pending_messages\{service="catalog"\} \d+/);
    expect(metrics).toContain('process_resident_memory_bytes');

    expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'database', ok: true },
        { name: 'bus', ok: true },
      ],
    });
  });
});
