import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { grpcServices, MAX_CREATE_SALES_ORDERS_REQUESTS, type catalogV1, type erpV1, type inventoryV1 } from '@retail-mesh/contracts';
import { BatchedCalls, createGrpcClient, errorReasonOf, type GrpcClient } from '@retail-mesh/service-kit';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';

/** The gRPC services the order flow calls: catalog (SKUs, listings), inventory (reservations), the ERP connector (sales orders). */
@Injectable()
export class PeerClients implements OnApplicationShutdown {
  readonly catalog: GrpcClient<catalogV1.CatalogServiceClient>;
  readonly inventory: GrpcClient<inventoryV1.InventoryServiceClient>;
  readonly erp: GrpcClient<erpV1.ErpServiceClient>;
  /** CreateSalesOrder, the calls started together sent as one CreateSalesOrders. */
  readonly salesOrders: BatchedCalls<erpV1.CreateSalesOrderRequest, erpV1.CreateSalesOrderResponse>;

  constructor(@Inject(ORDERS_SETTINGS) settings: OrdersSettings) {
    const options = { deadlineMs: settings.peerDeadlineMs };
    this.catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, settings.catalogGrpcUrl, options);
    this.inventory = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, settings.inventoryGrpcUrl, options);
    this.erp = createGrpcClient<erpV1.ErpServiceClient>(grpcServices.erpConnector, settings.erpConnectorGrpcUrl, options);
    const erp = this.erp;
    this.salesOrders = new BatchedCalls({
      batch: async (requests) => (await erp.createSalesOrders({ requests })).results,
      single: (request) => erp.createSalesOrder(request),
      maxBatchSize: MAX_CREATE_SALES_ORDERS_REQUESTS,
    });
  }

  onApplicationShutdown(): void {
    this.catalog.close();
    this.inventory.close();
    this.erp.close();
  }
}

// Answers that cannot change by asking again: the request or the state it meets is wrong.
const PERMANENT = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.OUT_OF_RANGE,
]);

/** A failed peer call, classified. */
export interface PeerFailure {
  /** False: retry later (the peer is down, slow or not ready); true: asking again cannot help. */
  permanent: boolean;
  /** The gRPC code name, e.g. "UNAVAILABLE" ("UNKNOWN" for a failure without one). */
  code: string;
  /** The callee's reason (error-reason trailer), when it sent one. */
  reason: string | undefined;
  message: string;
}

export function peerFailureOf(error: unknown): PeerFailure {
  return failureOf(
    (error as { code?: unknown }).code,
    errorReasonOf(error),
    (error as { details?: string }).details || (error as Error).message || String(error),
  );
}

/** A failure a peer reported inside a batch answer (its status code, reason and message). */
export function peerFailureOfStatus(status: { code: number; reason: string; message: string }): PeerFailure {
  return failureOf(status.code, status.reason || undefined, status.message);
}

function failureOf(code: unknown, reason: string | undefined, message: string): PeerFailure {
  const known = typeof code === 'number' && GrpcStatus[code] !== undefined;
  return { permanent: known && PERMANENT.has(code), code: known ? GrpcStatus[code] : 'UNKNOWN', reason, message };
}
