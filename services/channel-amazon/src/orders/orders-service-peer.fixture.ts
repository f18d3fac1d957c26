// TEST PEER of the orders service (retail.orders.v1.OrdersService), for channel-amazon's
// int-specs: a gRPC server on a free loopback port that records SubmitOrder (idempotent on
// account + channel order id, like the real one) and CancelOrder, nothing else. The real orders
// service is wired in the e2e tests.
import path from 'node:path';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcServices, ordersV1, PROTO_ROOT, protoLoaderOptions } from '@retail-mesh/contracts';

export class OrdersTestPeer {
  readonly submitted = new Map<string, ordersV1.Order>();
  readonly submitCalls: ordersV1.SubmitOrderRequest[] = [];
  readonly cancelCalls: ordersV1.CancelOrderRequest[] = [];
  private readonly server = new Server();
  url = '';

  /** `channelAccountId`: the account whose orders `order()` looks up. */
  constructor(private readonly channelAccountId: string) {}

  async start(): Promise<void> {
    const definition = loadSync(path.join(PROTO_ROOT, grpcServices.orders.protoPath), protoLoaderOptions);
    const loaded = loadPackageDefinition(definition) as unknown as {
      retail: { orders: { v1: { OrdersService: { service: ServiceDefinition } } } };
    };
    const unimplemented = (_call: unknown, callback: sendUnaryData<unknown>) =>
      callback({ code: GrpcStatus.UNIMPLEMENTED, details: 'test peer' }, null);
    this.server.addService(loaded.retail.orders.v1.OrdersService.service, {
      submitOrder: (call: ServerUnaryCall<ordersV1.SubmitOrderRequest, unknown>, callback: sendUnaryData<unknown>) => {
        this.submitCalls.push(call.request);
        const order = call.request.order as ordersV1.Order;
        const key = `${order.channelAccountId}/${order.channelOrderId}`;
        const existing = this.submitted.get(key);
        if (existing) return callback(null, { order: existing, created: false });
        const stored = { ...order, orderId: `ord-${this.submitted.size + 1}`, erpOrderId: `SO-${this.submitted.size + 1}`, version: 1 };
        this.submitted.set(key, stored);
        callback(null, { order: stored, created: true });
      },
      cancelOrder: (call: ServerUnaryCall<ordersV1.CancelOrderRequest, unknown>, callback: sendUnaryData<unknown>) => {
        this.cancelCalls.push(call.request);
        const order = [...this.submitted.values()].find((candidate) => candidate.orderId === call.request.orderId);
        if (!order) return callback({ code: GrpcStatus.NOT_FOUND, details: `no order ${call.request.orderId}` }, null);
        callback(null, { order });
      },
      getOrder: unimplemented,
      listOrders: unimplemented,
      releaseHold: unimplemented,
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.url = `127.0.0.1:${port}`;
  }

  order(amazonOrderId: string): ordersV1.Order | undefined {
    return this.submitted.get(`${this.channelAccountId}/${amazonOrderId}`);
  }

  /** The SubmitOrder calls for one Amazon order. */
  submitsOf(amazonOrderId: string): ordersV1.SubmitOrderRequest[] {
    return this.submitCalls.filter((call) => call.order?.channelOrderId === amazonOrderId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
