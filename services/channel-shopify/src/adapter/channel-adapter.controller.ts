import { Controller, Inject } from '@nestjs/common';
import { channelV1 } from '@retail-mesh/contracts';
import { UnimplementedError } from '@retail-mesh/service-kit';
import { ShopifyChannelAdapterService } from './channel-adapter.service.js';

function unimplemented(method: string): never {
  throw new UnimplementedError('not_implemented', `channel-shopify does not implement ${method} yet`);
}

/** retail.channel.v1.ChannelAdapterService for Shopify: availability now; prices, orders, refunds and settlements later. */
@Controller()
@channelV1.ChannelAdapterServiceControllerMethods()
export class ChannelAdapterController implements channelV1.ChannelAdapterServiceController {
  constructor(@Inject(ShopifyChannelAdapterService) private readonly adapter: ShopifyChannelAdapterService) {}

  pushAvailability(request: channelV1.PushAvailabilityRequest): Promise<channelV1.PushAvailabilityResponse> {
    return this.adapter.pushAvailability(request);
  }

  getListingState(request: channelV1.GetListingStateRequest): Promise<channelV1.GetListingStateResponse> {
    return this.adapter.getListingState(request);
  }

  getAdapterStatus(request: channelV1.GetAdapterStatusRequest): channelV1.GetAdapterStatusResponse {
    return this.adapter.getAdapterStatus(request);
  }

  pushPrice(): never {
    return unimplemented('PushPrice');
  }

  acknowledgeOrder(): never {
    return unimplemented('AcknowledgeOrder');
  }

  confirmShipment(): never {
    return unimplemented('ConfirmShipment');
  }

  cancelOrder(): never {
    return unimplemented('CancelOrder');
  }

  issueRefund(): never {
    return unimplemented('IssueRefund');
  }

  getOrderState(): never {
    return unimplemented('GetOrderState');
  }

  getSettlementReport(): never {
    return unimplemented('GetSettlementReport');
  }

  syncOrders(): never {
    return unimplemented('SyncOrders');
  }
}
