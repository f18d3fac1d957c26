// TEST PEER, not the orders service: a gRPC server on a free loopback port that answers
// OrdersService.SubmitOrder and SubmitOrders (idempotent on channel account + channel order id,
// like the real one) and CancelOrder, and records every call, so channel-shopify's int-specs can see what the adapter
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
  /** Every SubmitOrder request (alone or in a SubmitOrders call), in arrival order. */
  readonly submitted: ordersV1.SubmitOrderRequest[] = [];
  /** How many requests each SubmitOrders call carried. */
  readonly batchSizes: number[] = [];
  /** Every CancelOrder request, in arrival order. */
  readonly cancelled: ordersV1.CancelOrderRequest[] = [];
  /** Orders by `<channel account>/<channel order id>`. */
  readonly orders = new Map<string, ordersV1.Order>();
  /** Answer the next N submissions with UNAVAILABLE (a SubmitOrders call counts as one, and fails whole). */
  unavailableSubmits = 0;
  /** Answer SubmitOrders with UNIMPLEMENTED, as an orders service that predates it would. */
  withoutSubmitOrders = false;
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
      submitOrders: (call: { request: ordersV1.SubmitOrdersRequest }, callback: Callback) => reply(callback, this.submitMany(call.request)),
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

  private submitMany(request: ordersV1.SubmitOrdersRequest): Answer<ordersV1.SubmitOrdersResponse> {
    if (this.withoutSubmitOrders) return { error: { code: status.UNIMPLEMENTED, details: 'SubmitOrders is not implemented (on request)' } };
    this.batchSizes.push(request.requests.length);
    const unavailable = this.unavailable();
    if (unavailable) {
      this.submitted.push(...request.requests);
      return unavailable;
    }
    const results = request.requests.map((one): ordersV1.SubmitOrderResult => {
      const answer = this.submit(one, false);
      return 'response' in answer
        ? { response: answer.response }
        : { error: { code: answer.error.code, reason: '', message: answer.error.details } };
    });
    return { response: { results } };
  }

  private submit(request: ordersV1.SubmitOrderRequest, mayBeUnavailable = true): Answer<ordersV1.SubmitOrderResponse> {
    this.submitted.push(request);
    const unavailable = mayBeUnavailable ? this.unavailable() : undefined;
    if (unavailable) return unavailable;
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

  /** UNAVAILABLE while `unavailableSubmits` asks for it. */
  private unavailable(): { error: GrpcFailure } | undefined {
    if (this.unavailableSubmits === 0) return undefined;
    this.unavailableSubmits -= 1;
    return { error: { code: status.UNAVAILABLE, details: 'the orders test peer is unavailable (on request)' } };
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
