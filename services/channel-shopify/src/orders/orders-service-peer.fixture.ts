// TEST PEER, not the orders service: a gRPC server on a free loopback port that answers
// OrdersService.SubmitOrder (idempotent on channel account + channel order id, like the real one)
// and CancelOrder, and records every call, so channel-shopify's int-specs can see what the adapter
// asked. The real orders service is wired in the e2e tests.
import path from 'node:path';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcServices, ordersV1, PROTO_ROOT, protoLoaderOptions } from '@retail-mesh/contracts';

type GrpcFailure = { code: number; details: string };
type Answer<T> = { error: GrpcFailure } | { response: T };
type Callback = (error: GrpcFailure | null, response?: unknown) => void;

function reply<T>(callback: Callback, answer: Answer<T>): void {
  if ('error' in answer) callback(answer.error);
  else callback(null, answer.response);
}

export class OrdersServicePeer {
  /** Every SubmitOrder request, in arrival order. */
  readonly submitted: ordersV1.SubmitOrderRequest[] = [];
  /** Every CancelOrder request, in arrival order. */
  readonly cancelled: ordersV1.CancelOrderRequest[] = [];
  /** Orders by `<channel account>/<channel order id>`. */
  readonly orders = new Map<string, ordersV1.Order>();
  /** Answer the next N SubmitOrder calls with UNAVAILABLE. */
  unavailableSubmits = 0;
  private readonly server = new Server();
  url = '';

  async start(): Promise<void> {
    const definition = loadSync(path.join(PROTO_ROOT, grpcServices.orders.protoPath), protoLoaderOptions);
    const { packageName, serviceName } = grpcServices.orders;
    const service = packageName
      .split('.')
      .concat(serviceName)
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loadPackageDefinition(definition)) as {
      service: ServiceDefinition;
    };
    const implementation: UntypedServiceImplementation = {
      submitOrder: (call: { request: ordersV1.SubmitOrderRequest }, callback: Callback) => reply(callback, this.submit(call.request)),
      cancelOrder: (call: { request: ordersV1.CancelOrderRequest }, callback: Callback) => reply(callback, this.cancel(call.request)),
    };
    this.server.addService(service.service, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.url = `127.0.0.1:${port}`;
  }

  /** SubmitOrder calls for one channel order. */
  submitsOf(channelOrderId: string): ordersV1.SubmitOrderRequest[] {
    return this.submitted.filter((request) => request.order?.channelOrderId === channelOrderId);
  }

  orderOf(channelAccountId: string, channelOrderId: string): ordersV1.Order | undefined {
    return this.orders.get(`${channelAccountId}/${channelOrderId}`);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private submit(request: ordersV1.SubmitOrderRequest): Answer<ordersV1.SubmitOrderResponse> {
    this.submitted.push(request);
    if (this.unavailableSubmits > 0) {
      this.unavailableSubmits -= 1;
      return { error: { code: status.UNAVAILABLE, details: 'the orders test peer is unavailable (on request)' } };
    }
    const order = request.order;
    if (!order) return { error: { code: status.INVALID_ARGUMENT, details: 'order is required' } };
    const key = `${order.channelAccountId}/${order.channelOrderId}`;
    const existing = this.orders.get(key);
    if (existing) return { response: { order: existing, created: false } };
    const created = ordersV1.Order.fromPartial({
      ...order,
      orderId: `ord-${this.orders.size + 1}`,
      state: ordersV1.OrderState.ORDER_STATE_RECEIVED,
      version: 1,
    });
    this.orders.set(key, created);
    return { response: { order: created, created: true } };
  }

  private cancel(request: ordersV1.CancelOrderRequest): Answer<ordersV1.CancelOrderResponse> {
    this.cancelled.push(request);
    const order = [...this.orders.values()].find((candidate) => candidate.orderId === request.orderId);
    if (!order) return { error: { code: status.NOT_FOUND, details: `no order ${request.orderId}` } };
    order.state = ordersV1.OrderState.ORDER_STATE_CANCELLED;
    order.cancelReason = request.reason;
    return { response: { order } };
  }
}
