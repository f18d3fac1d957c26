import type { IncomingHttpHeaders } from 'node:http';
import { Controller, HttpCode, HttpException, Inject, Param, Post, Req } from '@nestjs/common';
import { ShopifyWebhookReceiver } from './shopify-webhook.receiver.js';

/** `POST /webhooks/shopify/<channel account id>`: Shopify's order webhooks (the body as raw bytes: service-kit keeps `rawBody`). */
@Controller('webhooks/shopify')
export class ShopifyWebhookController {
  constructor(@Inject(ShopifyWebhookReceiver) private readonly receiver: ShopifyWebhookReceiver) {}

  @Post(':channelAccountId')
  @HttpCode(200)
  async receive(
    @Param('channelAccountId') channelAccountId: string,
    @Req() request: { headers: IncomingHttpHeaders; rawBody?: Buffer },
  ): Promise<Record<string, unknown>> {
    const answer = await this.receiver.receive(channelAccountId, request.headers, request.rawBody);
    if (answer.status !== 200) throw new HttpException(answer.body, answer.status);
    return answer.body;
  }
}
