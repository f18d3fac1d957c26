// The one place that says how the mesh is wired: which settings each service gets. Embedded
// mode hands these records to each service's config reader; distributed mode passes them as
// the environment of each process. Same settings, two wirings.
import path from 'node:path';
import { DEFAULT_ERP_CLIENT } from '@retail-mesh/sandbox-erp';
import { REPO_ROOT, SERVICE_NAMES, shiftedPorts, type SandboxName, type ServiceName, type ServicePorts } from './topology.js';

export interface ShopifyAccountSettings {
  channelAccountId: string;
  adminApiUrl: string;
  accessToken: string;
  apiVersion: string;
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
}

export interface MeshLayout {
  services: Record<ServiceName, ServicePorts>;
  sandboxes: Record<SandboxName, number>;
  sandboxUrls: Record<SandboxName, string>;
  shopifyAccounts: ShopifyAccountSettings[];
}

export const DEMO_SHOPIFY_ACCOUNT: Omit<ShopifyAccountSettings, 'adminApiUrl'> = {
  channelAccountId: 'shopify-demo',
  accessToken: 'shpat_demo_retail_mesh',
  apiVersion: '2026-01',
};

export function meshLayout(options: MeshOptions): MeshLayout {
  const { services, sandboxes } = shiftedPorts(options.portOffset ?? 0);
  const sandboxUrls = { erp: `http://127.0.0.1:${sandboxes.erp}`, shopify: `http://127.0.0.1:${sandboxes.shopify}` };
  return { services, sandboxes, sandboxUrls, shopifyAccounts: [{ ...DEMO_SHOPIFY_ACCOUNT, adminApiUrl: sandboxUrls.shopify }] };
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
      env.ERP_POLL_INTERVAL_MS = String(options.erpPollIntervalMs ?? 50);
      break;
    case 'channel-shopify':
      env.SHOPIFY_ACCOUNTS = JSON.stringify(layout.shopifyAccounts);
      env.CATALOG_GRPC_URL = `127.0.0.1:${layout.services.catalog.grpcPort}`;
      break;
    default:
      break;
  }
  return env;
}

export function allServiceEnvironments(options: MeshOptions, layout: MeshLayout): Record<ServiceName, Record<string, string>> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceEnvironment(name, options, layout)])) as Record<
    ServiceName,
    Record<string, string>
  >;
}
