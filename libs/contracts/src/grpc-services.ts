// Names and files of the gRPC services, taken from the generated code so nothing here can drift
// from proto/.
import * as catalog from './generated/retail/catalog/v1/catalog_service.js';
import * as catalogEvents from './generated/retail/catalog/v1/catalog_events.js';
import * as channel from './generated/retail/channel/v1/channel_service.js';
import * as channelEvents from './generated/retail/channel/v1/channel_events.js';
import * as common from './generated/retail/common/v1/common.js';
import * as erp from './generated/retail/erp/v1/erp_service.js';
import * as erpEvents from './generated/retail/erp/v1/erp_events.js';
import * as inventory from './generated/retail/inventory/v1/inventory_service.js';
import * as inventoryEvents from './generated/retail/inventory/v1/inventory_events.js';
import * as operations from './generated/retail/operations/v1/operations_service.js';
import * as operationsEvents from './generated/retail/operations/v1/operations_events.js';
import * as orders from './generated/retail/orders/v1/orders_service.js';
import * as ordersEvents from './generated/retail/orders/v1/orders_events.js';
import * as returns from './generated/retail/returns/v1/returns_service.js';
import * as returnsEvents from './generated/retail/returns/v1/returns_events.js';
import * as settlement from './generated/retail/settlement/v1/settlement_service.js';
import * as settlementEvents from './generated/retail/settlement/v1/settlement_events.js';

/** Every .proto file of the mesh, relative to PROTO_ROOT (gRPC reflection, tests). */
export const PROTO_FILES: readonly string[] = [
  common,
  catalog,
  catalogEvents,
  inventory,
  inventoryEvents,
  orders,
  ordersEvents,
  returns,
  returnsEvents,
  settlement,
  settlementEvents,
  erp,
  erpEvents,
  channel,
  channelEvents,
  operations,
  operationsEvents,
].map((module) => module.protobufFileName);

/** What a NestJS gRPC server or client needs to name a service. */
export interface GrpcServiceContract {
  /** Proto package: NestJS's `package` option. */
  readonly packageName: string;
  /** Service name in the package, as the generated `*ControllerMethods()` decorators use it. */
  readonly serviceName: string;
  /** File declaring the service, relative to PROTO_ROOT: NestJS's `protoPath`. Its imports
   *  resolve through `protoLoaderOptions.includeDirs`. */
  readonly protoPath: string;
}

/** The gRPC services, keyed by the mesh service that serves them. Every channel adapter
 *  (channel-shopify, channel-amazon, ...) serves `channelAdapter`. */
export const grpcServices = {
  catalog: {
    packageName: catalog.RETAIL_CATALOG_V1_PACKAGE_NAME,
    serviceName: catalog.CATALOG_SERVICE_NAME,
    protoPath: catalog.protobufFileName,
  },
  inventory: {
    packageName: inventory.RETAIL_INVENTORY_V1_PACKAGE_NAME,
    serviceName: inventory.INVENTORY_SERVICE_NAME,
    protoPath: inventory.protobufFileName,
  },
  orders: {
    packageName: orders.RETAIL_ORDERS_V1_PACKAGE_NAME,
    serviceName: orders.ORDERS_SERVICE_NAME,
    protoPath: orders.protobufFileName,
  },
  returns: {
    packageName: returns.RETAIL_RETURNS_V1_PACKAGE_NAME,
    serviceName: returns.RETURNS_SERVICE_NAME,
    protoPath: returns.protobufFileName,
  },
  settlement: {
    packageName: settlement.RETAIL_SETTLEMENT_V1_PACKAGE_NAME,
    serviceName: settlement.SETTLEMENT_SERVICE_NAME,
    protoPath: settlement.protobufFileName,
  },
  erpConnector: { packageName: erp.RETAIL_ERP_V1_PACKAGE_NAME, serviceName: erp.ERP_SERVICE_NAME, protoPath: erp.protobufFileName },
  channelAdapter: {
    packageName: channel.RETAIL_CHANNEL_V1_PACKAGE_NAME,
    serviceName: channel.CHANNEL_ADAPTER_SERVICE_NAME,
    protoPath: channel.protobufFileName,
  },
  operations: {
    packageName: operations.RETAIL_OPERATIONS_V1_PACKAGE_NAME,
    serviceName: operations.OPERATIONS_SERVICE_NAME,
    protoPath: operations.protobufFileName,
  },
} as const satisfies Record<string, GrpcServiceContract>;
