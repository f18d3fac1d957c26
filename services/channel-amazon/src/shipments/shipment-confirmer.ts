// Confirms a shipment on Amazon and proves it applied: read the order items first (a shipment
// Amazon already shows is not sent again: a redelivery or a lost response), confirmShipment with
// the carrier code and tracking number, then read back. Amazon can answer 204 and still not apply
// a confirmation; then it is sent again (counted) up to AMAZON_SHIPMENT_READBACK_ATTEMPTS times,
// after which the caller retries later.
import type { ordersV1 } from '@retail-mesh/contracts';
import { fromTimestamp } from '@retail-mesh/contracts';
import type { AmazonAccountRegistry } from '../accounts/amazon-account.registry.js';
import { SpApiError } from '../amazon/sp-api.error.js';
import type { ChannelAmazonMetrics } from '../metrics/channel-amazon.metrics.js';
import { amazonCarrier, planShipmentConfirmation, shipmentProblem, type OrderRef } from '../order-events/order-events.mapper.js';

/** The shipment can never be confirmed as it is (no tracking, unknown item, Amazon refuses it). */
export class ShipmentRefusedError extends Error {
  override readonly name = 'ShipmentRefusedError';
}

/** Amazon answered but did not apply the confirmation, every time: try again later. */
export class ShipmentNotAppliedError extends Error {
  override readonly name = 'ShipmentNotAppliedError';
}

export type ShipmentOutcome = 'confirmed' | 'already_applied';

export interface ShipmentConfirmerDependencies {
  accounts: AmazonAccountRegistry;
  metrics: ChannelAmazonMetrics;
  readBackAttempts: number;
}

export class ShipmentConfirmer {
  constructor(private readonly deps: ShipmentConfirmerDependencies) {}

  async confirm(ref: OrderRef, order: ordersV1.Order, shipment: ordersV1.Shipment): Promise<ShipmentOutcome> {
    const problem = shipmentProblem(shipment);
    if (problem) throw new ShipmentRefusedError(problem);
    const account = this.deps.accounts.get(ref.channelAccountId);
    const client = this.deps.accounts.client(ref.channelAccountId);
    const readItems = () =>
      client.getOrderItems(ref.amazonOrderId).catch((error: unknown) => {
        if (error instanceof SpApiError && error.kind === 'not_found')
          throw new ShipmentRefusedError(`Amazon does not know order ${ref.amazonOrderId}`);
        throw error;
      });
    let refusal: SpApiError | undefined;
    for (let attempt = 1; attempt <= this.deps.readBackAttempts + 1; attempt++) {
      const items = await readItems();
      const checked = planShipmentConfirmation(shipment, order, items);
      if (!checked.ok) throw new ShipmentRefusedError(checked.reason);
      const { plan } = checked;
      if (plan.alreadyApplied) return attempt === 1 ? 'already_applied' : 'confirmed';
      if (refusal) throw new ShipmentRefusedError(`Amazon refused the confirmation: ${refusal.message}`);
      if (attempt > this.deps.readBackAttempts) break;
      if (attempt > 1) this.deps.metrics.shipmentNotApplied(ref.channelAccountId);
      try {
        await client.confirmShipment(ref.amazonOrderId, {
          marketplaceId: account.marketplaceIds[0],
          packageReferenceId: shipment.shipmentId || `${ref.orderId}-${shipment.trackingNumber}`,
          ...amazonCarrier(shipment.carrier),
          shippingMethod: shipment.serviceLevel || undefined,
          trackingNumber: shipment.trackingNumber,
          shipDate: shipment.shippedAt ? fromTimestamp(shipment.shippedAt) : new Date(),
          orderItems: plan.orderItems,
        });
      } catch (error) {
        // A 400 may also mean an earlier attempt did apply (a lost response): the read-back decides.
        if (!(error instanceof SpApiError) || error.kind !== 'invalid_input') throw error;
        refusal = error;
      }
    }
    throw new ShipmentNotAppliedError(
      `Amazon answered ${this.deps.readBackAttempts} confirmations of shipment ${shipment.shipmentId} for ${ref.amazonOrderId} without applying them`,
    );
  }
}
