import { Controller } from '@nestjs/common';
import { ordersV1 } from '@retail-mesh/contracts';
import { toItemStatus } from '@retail-mesh/service-kit';
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

  async submitOrders(request: ordersV1.SubmitOrdersRequest): Promise<ordersV1.SubmitOrdersResponse> {
    const outcomes = await this.orders.submitMany(request.requests);
    return { results: outcomes.map((outcome) => (outcome.ok ? { response: outcome.response } : { error: toItemStatus(outcome.error) })) };
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
