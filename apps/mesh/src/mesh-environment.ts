// The one place that says how the mesh is wired: which settings each service gets. Embedded
// mode hands these records to each service's config reader; distributed mode passes them as
// the environment of each process. Same settings, two wirings.
import path from 'node:path';
import { DEFAULT_AMAZON_SELLER, sandboxAmazonAccount, type AmazonSeller, type SandboxAmazonAccount } from '@retail-mesh/sandbox-amazon';
import { DEFAULT_ERP_CLIENT } from '@retail-mesh/sandbox-erp';
import { REPO_ROOT, SERVICE_NAMES, shiftedPorts, type SandboxName, type ServiceName, type ServicePorts } from './topology.js';

export interface ShopifyAccountSettings {
  channelAccountId: string;
  adminApiUrl: string;
  accessToken: string;
  apiVersion: string;
  /** The app's client secret: the key of Shopify's webhook signatures. */
  clientSecret: string;
}

export interface MeshOptions {
  /** Added to every default port (0 = the ports of ARCHITECTURE §10). */
  portOffset?: number;
  /** Distributed mode: the broker. Absent = embedded (in-process bus). */
  rabbitmqUrl?: string;
  /** Distributed mode: PostgreSQL; each service gets the schema `<schemaPrefix><service>`. */
  databaseUrl?: string;
  schemaPrefix?: string;
  /** Embedded mode: where the SQLite files live. */
  dataDir?: string;
  eventsExchange?: string;
  logLevel?: string;
  /** How often the ERP connector polls the stock feed when it is caught up. */
  erpPollIntervalMs?: number;
  /** How long an orders worker's claim on an order lasts: a killed worker's orders wait this long for another (default 30 s). */
  ordersWorkerLeaseMs?: number;
  /**
   * Runs once the sandboxes listen, before any service starts: seed what the channels hold (a
   * shop and its token), so the adapters' first calls find it instead of answering 401.
   */
  beforeServices?: (layout: MeshLayout) => Promise<void>;
}

export interface MeshLayout {
  services: Record<ServiceName, ServicePorts>;
  sandboxes: Record<SandboxName, number>;
  sandboxUrls: Record<SandboxName, string>;
  shopifyAccounts: ShopifyAccountSettings[];
  amazonAccounts: SandboxAmazonAccount[];
  /** The selling partner the Amazon sandbox knows (its LWA credentials match amazonAccounts). */
  amazonSeller: AmazonSeller;
}

export const DEMO_SHOPIFY_ACCOUNT: Omit<ShopifyAccountSettings, 'adminApiUrl'> = {
  channelAccountId: 'shopify-demo',
  accessToken: 'shpat_demo_retail_mesh',
  apiVersion: '2026-01',
  clientSecret: 'shpss_demo_retail_mesh',
};

export const DEMO_AMAZON_ACCOUNT_ID = 'amazon-demo-us';

export function meshLayout(options: MeshOptions): MeshLayout {
  const { services, sandboxes } = shiftedPorts(options.portOffset ?? 0);
  const sandboxUrls = Object.fromEntries(Object.entries(sandboxes).map(([name, port]) => [name, `http://127.0.0.1:${port}`])) as Record<
    SandboxName,
    string
  >;
  const amazonSeller = DEFAULT_AMAZON_SELLER;
  return {
    services,
    sandboxes,
    sandboxUrls,
    shopifyAccounts: [{ ...DEMO_SHOPIFY_ACCOUNT, adminApiUrl: sandboxUrls.shopify }],
    amazonAccounts: [sandboxAmazonAccount(sandboxUrls.amazon, DEMO_AMAZON_ACCOUNT_ID, amazonSeller)],
    amazonSeller,
  };
}

export function serviceEnvironment(service: ServiceName, options: MeshOptions, layout: MeshLayout): Record<string, string> {
  const ports = layout.services[service];
  const env: Record<string, string> = {
    GRPC_PORT: String(ports.grpcPort),
    HTTP_PORT: String(ports.httpPort),
    LOG_LEVEL: options.logLevel ?? 'info',
    EVENTS_EXCHANGE: options.eventsExchange ?? 'retail.events',
  };
  if (options.rabbitmqUrl) env.RABBITMQ_URL = options.rabbitmqUrl;
  if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
    env.DATABASE_SCHEMA = `${options.schemaPrefix ?? ''}${service.replaceAll('-', '_')}`;
  } else {
    env.DATA_DIR = options.dataDir ?? path.join(REPO_ROOT, '.data');
  }
  switch (service) {
    case 'erp-connector':
      env.ERP_BASE_URL = layout.sandboxUrls.erp;
      env.ERP_CLIENT_ID = DEFAULT_ERP_CLIENT.clientId;
      env.ERP_CLIENT_SECRET = DEFAULT_ERP_CLIENT.clientSecret;
      env.ERP_POLL_INTERVAL_MS = String(options.erpPollIntervalMs ?? 25);
      // A burst drains in a few large pages (one transaction each) instead of many small ones.
      env.ERP_FEED_PAGE_SIZE = '500';
      break;
    case 'orders':
      env.CATALOG_GRPC_URL = grpcUrl(layout, 'catalog');
      env.INVENTORY_GRPC_URL = grpcUrl(layout, 'inventory');
      env.ERP_CONNECTOR_GRPC_URL = grpcUrl(layout, 'erp-connector');
      if (options.ordersWorkerLeaseMs !== undefined) env.ORDERS_WORKER_LEASE_MS = String(options.ordersWorkerLeaseMs);
      break;
    case 'channel-shopify':
      env.SHOPIFY_ACCOUNTS = JSON.stringify(layout.shopifyAccounts);
      env.CATALOG_GRPC_URL = grpcUrl(layout, 'catalog');
      env.ORDERS_GRPC_URL = grpcUrl(layout, 'orders');
      // Shopify (the sandbox) delivers order webhooks straight to the adapter (ADR 0004).
      env.SHOPIFY_WEBHOOK_BASE_URL = `http://127.0.0.1:${layout.services['channel-shopify'].httpPort}`;
      env.SHOPIFY_ORDER_POLL_INTERVAL_MS = '10000';
      break;
    case 'channel-amazon':
      env.AMAZON_ACCOUNTS = JSON.stringify(layout.amazonAccounts);
      env.ORDERS_GRPC_URL = grpcUrl(layout, 'orders');
      // Amazon has no order webhooks for sellers: poll often; the adapter's token buckets keep
      // the calls within the usage plans. Order feeds are sent in small batches.
      env.AMAZON_ORDER_POLL_INTERVAL_MS = '2000';
      env.AMAZON_ORDER_FEED_BATCH_MS = '1000';
      env.AMAZON_FEED_POLL_INTERVAL_MS = '1000';
      break;
    default:
      break;
  }
  return env;
}

function grpcUrl(layout: MeshLayout, service: ServiceName): string {
  return `127.0.0.1:${layout.services[service].grpcPort}`;
}

export function allServiceEnvironments(options: MeshOptions, layout: MeshLayout): Record<ServiceName, Record<string, string>> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceEnvironment(name, options, layout)])) as Record<
    ServiceName,
    Record<string, string>
  >;
}
