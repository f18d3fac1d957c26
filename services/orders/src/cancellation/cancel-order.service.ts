import { Injectable } from '@nestjs/common';
import type { ordersV1 } from '@retail-mesh/contracts';
import { InvalidArgumentError, OutboxPublisher } from '@retail-mesh/service-kit';
import { cancelReasonName } from '../orders/order.mapper.js';
import { isOrderId } from '../orders/order-id.js';
import { OrdersMetrics } from '../orders.metrics.js';
import { CancellationService } from './cancellation.service.js';
import { ReservationReleases } from './reservation-releases.service.js';

/** CancelOrder: the whole order (no lines) or some units, by an operator, the channel adapter or the ERP connector. */
@Injectable()
export class CancelOrderService {
  constructor(
    private readonly publisher: OutboxPublisher,
    private readonly cancellations: CancellationService,
    private readonly releases: ReservationReleases,
    private readonly metrics: OrdersMetrics,
  ) {}

  async cancel(request: ordersV1.CancelOrderRequest): Promise<ordersV1.CancelOrderResponse> {
    if (!isOrderId(request.orderId))
      throw new InvalidArgumentError('invalid_order_id', `order_id ${JSON.stringify(request.orderId)} is not a UUID`);
    const reason = cancelReasonName(request.reason);
    if (!reason) throw new InvalidArgumentError('invalid_reason', 'reason is required (a CancelReason other than UNSPECIFIED)');
    const result = await this.publisher.transaction(async ({ manager, publish }) => {
      const order = await this.cancellations.lockOrder(manager, request.orderId);
      // Cancelling a whole order again (the channel echoing a cancellation the mesh sent, a retry) changes nothing.
      if (order.state === 'CANCELLED' && request.lines.length === 0) return { order: await this.cancellations.current(manager, order) };
      return this.cancellations.cancel(
        manager,
        publish,
        {
          order,
          reason,
          lines: request.lines.map((line) => ({ lineId: line.lineId, quantity: line.quantity })),
          requestedBy: request.requestedBy.trim() || 'operator',
          note: request.note,
        },
        new Date(),
      );
    });
    if ('committed' in result) {
      this.metrics.changed([result.committed]);
      if (result.releaseId) this.releases.wake();
    }
    return { order: result.order };
  }
}
