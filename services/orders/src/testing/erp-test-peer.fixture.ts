// A TEST PEER, not the ERP connector: a small gRPC server answering ErpService.CreateSalesOrder
// (alone or in a CreateSalesOrders call) the way ADR 0004 says the connector does (idempotent on the key: a repeat returns the same
// sales order with `created` false), with the faults the orders int-spec needs: the ERP
// unavailable, a sales order created but its answer lost, a permanent rejection. Used only until
// the orders e2e runs against the real erp-connector and the ERP sandbox.
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { erpV1, grpcServices, PROTO_ROOT, protoLoaderOptions, toTimestamp, type ordersV1 } from '@retail-mesh/contracts';
import path from 'node:path';

export type ErpPeerMode =
  /** Creates sales orders. */
  | 'available'
  /** Answers UNAVAILABLE without creating anything. */
  | 'unavailable'
  /** Refuses every sales order (DOCUMENT_STATUS_REJECTED). */
  | 'rejecting';

export interface ErpPeerCall {
  orderId: string;
  idempotencyKey: string;
  /** What the peer answered: created, existing, unavailable, rejected, answer-lost. */
  outcome: string;
}

export interface ErpPeerSalesOrder {
  erpOrderId: string;
  orderId: string;
  idempotencyKey: string;
  order: ordersV1.Order;
}

export class ErpTestPeer {
  mode: ErpPeerMode = 'available';
  /**
   * The next sales order is created but its answer replaced by UNAVAILABLE (a lost response),
   * and the peer then stays `unavailable` (the ERP went down right after), until a test says otherwise.
   */
  loseNextAnswer = false;
  readonly calls: ErpPeerCall[] = [];
  /** Answer CreateSalesOrders with UNIMPLEMENTED, as a connector that predates it would. */
  withoutBatch = false;
  /** How many requests each CreateSalesOrders call carried. */
  readonly batchSizes: number[] = [];
  /** Sales orders created, in creation order. */
  readonly salesOrders: ErpPeerSalesOrder[] = [];
  private readonly server = new Server();
  private url = '';

  async start(): Promise<string> {
    const { packageName, serviceName, protoPath } = grpcServices.erpConnector;
    const definition = loadPackageDefinition(loadSync(path.join(PROTO_ROOT, protoPath), protoLoaderOptions));
    const service = `${packageName}.${serviceName}`
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], definition) as {
      service: Parameters<Server['addService']>[0];
    };
    this.server.addService(service.service, {
      CreateSalesOrder: (call: ServerUnaryCall<erpV1.CreateSalesOrderRequest, unknown>, callback: sendUnaryData<unknown>) => {
        const answer = this.createSalesOrder(call.request);
        if ('error' in answer) callback(answer.error);
        else callback(null, answer.response);
      },
      CreateSalesOrders: (call: ServerUnaryCall<erpV1.CreateSalesOrdersRequest, unknown>, callback: sendUnaryData<unknown>) => {
        if (this.withoutBatch) {
          callback({ code: GrpcStatus.UNIMPLEMENTED, details: 'CreateSalesOrders is not implemented (test peer, on request)' });
          return;
        }
        this.batchSizes.push(call.request.requests.length);
        const results = call.request.requests.map((request) => {
          const answer = this.createSalesOrder(request);
          return 'error' in answer ? { error: { code: answer.error.code, reason: '', message: answer.error.details } } : answer;
        });
        callback(null, { results });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.url = `127.0.0.1:${port}`;
    return this.url;
  }

  get grpcUrl(): string {
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Sales orders created for an order (under any key). */
  salesOrdersOf(orderId: string): ErpPeerSalesOrder[] {
    return this.salesOrders.filter((salesOrder) => salesOrder.orderId === orderId);
  }

  /** CreateSalesOrder's answer to one request (alone or in a CreateSalesOrders call). */
  private createSalesOrder(request: erpV1.CreateSalesOrderRequest): PeerAnswer {
    const orderId = request.order?.orderId ?? '';
    const record = (outcome: string) => this.calls.push({ orderId, idempotencyKey: request.idempotencyKey, outcome });
    if (this.mode === 'unavailable') {
      record('unavailable');
      return { error: { code: GrpcStatus.UNAVAILABLE, details: 'ERP unavailable (test peer)' } };
    }
    const now = toTimestamp(new Date());
    if (this.mode === 'rejecting') {
      record('rejected');
      return {
        response: {
          link: {
            orderId,
            erpOrderId: '',
            status: erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED,
            lastError: 'customer credit hold',
            lastErrorCode: '',
            erpExternalId: '',
            attempts: 1,
            createdAt: now,
            updatedAt: now,
          },
          created: false,
        },
      };
    }
    let salesOrder = this.salesOrders.find((existing) => existing.idempotencyKey === request.idempotencyKey);
    const created = salesOrder === undefined;
    if (!salesOrder) {
      salesOrder = {
        erpOrderId: `SO-${this.salesOrders.length + 1}`,
        orderId,
        idempotencyKey: request.idempotencyKey,
        order: request.order!,
      };
      this.salesOrders.push(salesOrder);
    }
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      this.mode = 'unavailable';
      record('answer-lost');
      return { error: { code: GrpcStatus.UNAVAILABLE, details: 'connection reset after the ERP created the order (test peer)' } };
    }
    record(created ? 'created' : 'existing');
    return {
      response: {
        link: {
          orderId,
          erpOrderId: salesOrder.erpOrderId,
          status: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED,
          lastError: '',
          lastErrorCode: '',
          erpExternalId: '',
          attempts: 1,
          createdAt: now,
          updatedAt: now,
        },
        created,
      },
    };
  }
}

type PeerAnswer = { error: { code: number; details: string } } | { response: erpV1.CreateSalesOrderResponse };
