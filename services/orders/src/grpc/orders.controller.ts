import { Controller } from '@nestjs/common';
import { MAX_SUBMIT_ORDERS_REQUESTS, ordersV1 } from '@retail-mesh/contracts';
import { answerEach } from '@retail-mesh/service-kit';
import { CancelOrderService } from '../cancellation/cancel-order.service.js';
import { OrdersService } from '../orders/orders.service.js';
import { ReleaseHoldService } from '../orders/release-hold.service.js';

/** retail.orders.v1.OrdersService. Errors thrown here are mapped to gRPC statuses by the service kit. */
@Controller()
@ordersV1.OrdersServiceControllerMethods()
export class OrdersController implements ordersV1.OrdersServiceController {
  constructor(
    private readonly orders: OrdersService,
    private readonly holds: ReleaseHoldService,
    private readonly cancellations: CancelOrderService,
  ) {}

  submitOrder(request: ordersV1.SubmitOrderRequest): Promise<ordersV1.SubmitOrderResponse> {
    return this.orders.submit(request);
  }

  /** Each request as SubmitOrder answers it; their inserts share the group commits (a transaction or two per call). */
  async submitOrders(request: ordersV1.SubmitOrdersRequest): Promise<ordersV1.SubmitOrdersResponse> {
    return { results: await answerEach(request.requests, MAX_SUBMIT_ORDERS_REQUESTS, (one) => this.orders.submit(one)) };
  }

  getOrder(request: ordersV1.GetOrderRequest): Promise<ordersV1.GetOrderResponse> {
    return this.orders.get(request);
  }

  listOrders(request: ordersV1.ListOrdersRequest): Promise<ordersV1.ListOrdersResponse> {
    return this.orders.list(request);
  }

  releaseHold(request: ordersV1.ReleaseHoldRequest): Promise<ordersV1.ReleaseHoldResponse> {
    return this.holds.release(request);
  }

  cancelOrder(request: ordersV1.CancelOrderRequest): Promise<ordersV1.CancelOrderResponse> {
    return this.cancellations.cancel(request);
  }
}
