import 'reflect-metadata';
import protoLoader, { type ServiceDefinition } from '@grpc/proto-loader';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PATTERN_METADATA } from '@nestjs/microservices/constants.js';
import { describe, expect, it } from 'vitest';
import {
  catalogV1,
  channelV1,
  erpV1,
  grpcServices,
  inventoryV1,
  operationsV1,
  ordersV1,
  PROTO_FILES,
  PROTO_ROOT,
  protoLoaderOptions,
  returnsV1,
  settlementV1,
} from './index.js';

const controllerDecorators: Record<keyof typeof grpcServices, typeof inventoryV1.InventoryServiceControllerMethods> = {
  catalog: catalogV1.CatalogServiceControllerMethods,
  inventory: inventoryV1.InventoryServiceControllerMethods,
  orders: ordersV1.OrdersServiceControllerMethods,
  returns: returnsV1.ReturnsServiceControllerMethods,
  settlement: settlementV1.SettlementServiceControllerMethods,
  erpConnector: erpV1.ErpServiceControllerMethods,
  channelAdapter: channelV1.ChannelAdapterServiceControllerMethods,
  operations: operationsV1.OperationsServiceControllerMethods,
};

function protoFilesOnDisk(dir = PROTO_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return protoFilesOnDisk(full);
    return entry.name.endsWith('.proto') ? [path.relative(PROTO_ROOT, full)] : [];
  });
}

describe('proto files and gRPC services', () => {
  it('PROTO_FILES lists every .proto file under PROTO_ROOT', () => {
    expect([...PROTO_FILES].sort()).toEqual(protoFilesOnDisk().sort());
  });

  it.each(Object.entries(grpcServices))('%s loads from its protoPath as NestJS loads it', (_name, contract) => {
    const packageDefinition = protoLoader.loadSync(contract.protoPath, protoLoaderOptions);
    expect(packageDefinition[`${contract.packageName}.${contract.serviceName}`]).toBeTypeOf('object');
  });

  // The generated `*ControllerMethods()` decorators register NestJS GrpcMethod handlers under
  // lower-camel-case names; each proto method must get exactly one, under its proto-loader
  // `originalName` (which is how NestJS finds the handler).
  it.each(Object.entries(controllerDecorators))('%s controller decorator registers every proto method', (name, decorate) => {
    const { packageName, serviceName, protoPath } = grpcServices[name as keyof typeof grpcServices];
    const service = protoLoader.loadSync(protoPath, protoLoaderOptions)[`${packageName}.${serviceName}`] as ServiceDefinition;
    const methodNames = Object.values(service).map((method) => method.originalName as string);

    class Controller {}
    for (const methodName of methodNames) Object.defineProperty(Controller.prototype, methodName, { value() {}, writable: true });
    decorate()(Controller);

    for (const methodName of methodNames) {
      const handler = (Controller.prototype as Record<string, object>)[methodName];
      expect(Reflect.getMetadata(PATTERN_METADATA, handler)).toEqual([{ service: serviceName, rpc: methodName, streaming: 'no_stream' }]);
    }
  });
});
