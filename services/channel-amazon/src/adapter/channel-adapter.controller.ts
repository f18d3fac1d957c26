import { Controller, Inject } from '@nestjs/common';
import { requireChannelAccountId } from '@retail-mesh/channel-kit';
import { channelV1 } from '@retail-mesh/contracts';
import { UnimplementedError } from '@retail-mesh/service-kit';
import { AmazonChannelAdapterService } from './channel-adapter.service.js';

function unimplemented(method: string): never {
  throw new UnimplementedError('not_implemented', `channel-amazon does not implement ${method} yet`);
}

/** retail.channel.v1.ChannelAdapterService for Amazon: availability and orders now; prices, refunds and settlements later. */
@Controller()
@channelV1.ChannelAdapterServiceControllerMethods()
export class ChannelAdapterController implements channelV1.ChannelAdapterServiceController {
  constructor(@Inject(AmazonChannelAdapterService) private readonly adapter: AmazonChannelAdapterService) {}

  pushAvailability(request: channelV1.PushAvailabilityRequest): Promise<channelV1.PushAvailabilityResponse> {
    requireChannelAccountId(request);
    return this.adapter.pushAvailability(request);
  }

  getListingState(request: channelV1.GetListingStateRequest): Promise<channelV1.GetListingStateResponse> {
    requireChannelAccountId(request);
    return this.adapter.getListingState(request);
  }

  acknowledgeOrder(request: channelV1.AcknowledgeOrderRequest): Promise<channelV1.AcknowledgeOrderResponse> {
    requireChannelAccountId(request);
    return this.adapter.acknowledgeOrder(request);
  }

  confirmShipment(request: channelV1.ConfirmShipmentRequest): Promise<channelV1.ConfirmShipmentResponse> {
    requireChannelAccountId(request);
    return this.adapter.confirmShipment(request);
  }

  cancelOrder(request: channelV1.CancelOrderRequest): Promise<channelV1.CancelOrderResponse> {
    requireChannelAccountId(request);
    return this.adapter.cancelOrder(request);
  }

  getOrderState(request: channelV1.GetOrderStateRequest): Promise<channelV1.GetOrderStateResponse> {
    requireChannelAccountId(request);
    return this.adapter.getOrderState(request);
  }

  syncOrders(request: channelV1.SyncOrdersRequest): Promise<channelV1.SyncOrdersResponse> {
    requireChannelAccountId(request);
    return this.adapter.syncOrders(request);
  }

  getAdapterStatus(request: channelV1.GetAdapterStatusRequest): Promise<channelV1.GetAdapterStatusResponse> {
    return this.adapter.getAdapterStatus(request);
  }

  pushPrice(): never {
    return unimplemented('PushPrice');
  }

  issueRefund(): never {
    return unimplemented('IssueRefund');
  }

  getSettlementReport(): never {
    return unimplemented('GetSettlementReport');
  }
}
