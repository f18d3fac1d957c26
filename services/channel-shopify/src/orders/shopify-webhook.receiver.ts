// Shopify's order webhooks, `POST /webhooks/shopify/<channel account id>` on this service's HTTP
// port until the gateway exists (ADR 0004), served ahead of Nest (channel-kit's webhookRoute):
// verified over the raw body, stored (deduplicated on X-Shopify-Webhook-Id, in the
// same transaction as the order) and answered 200 at once; submitting to the orders service
// happens after, from the stored row. Nothing is lost: a delivery is only acknowledged once it is
// committed, and anything refused here is still caught by the poll backstop.
import { webhookRoute, type WebhookAnswer } from '@retail-mesh/channel-kit';
import type { Logger, RequestHandler } from '@retail-mesh/observability';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import type { OrderIntake } from './order-intake.service.js';
import type { OrdersMetrics } from './orders.metrics.js';
import { checkShopifyWebhook, type WebhookHeaders } from './shopify-webhook.js';

export interface ShopifyWebhookReceiverDependencies {
  accounts: ShopifyAccountRegistry;
  intake: OrderIntake;
  metrics: OrdersMetrics;
  logger: Logger;
}

export class ShopifyWebhookReceiver {
  constructor(private readonly deps: ShopifyWebhookReceiverDependencies) {}

  /** The HTTP route (the service definition's rawHttpRoutes). */
  httpRoute(): RequestHandler {
    return webhookRoute({
      prefix: '/webhooks/shopify',
      receive: (channelAccountId, request, rawBody) => this.receive(channelAccountId, request.headers, rawBody),
      onError: (error) => this.deps.logger.error({ err: error }, 'a Shopify webhook could not be stored'),
      // Only the accounts served: a path anyone can post to must not mint label values.
      onAnswered: (channelAccountId, seconds) => {
        if (this.deps.accounts.has(channelAccountId)) this.deps.metrics.webhookAnswered(channelAccountId, seconds);
      },
    });
  }

  async receive(channelAccountId: string, headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookAnswer> {
    const topic = typeof headers['x-shopify-topic'] === 'string' ? headers['x-shopify-topic'] : '';
    if (!this.deps.accounts.has(channelAccountId)) {
      this.deps.metrics.webhook(channelAccountId, topic, 'unknown_account');
      return { status: 404, body: { error: `this adapter serves no Shopify channel account "${channelAccountId}"` } };
    }
    const check = checkShopifyWebhook(headers, rawBody, this.deps.accounts.get(channelAccountId).clientSecrets);
    if (check.outcome === 'rejected') {
      this.deps.metrics.webhook(channelAccountId, topic, check.status === 401 ? 'unauthorized' : 'invalid');
      this.deps.logger.warn({ channelAccountId, topic, reason: check.reason }, 'Shopify webhook refused');
      return { status: check.status, body: { error: check.reason } };
    }
    if (check.outcome === 'ignored') {
      this.deps.metrics.webhook(channelAccountId, topic, 'ignored');
      return { status: 200, body: { received: true, ignored: true } };
    }
    const outcome = await this.deps.intake.receiveWebhook({
      channelAccountId,
      webhookId: check.webhookId,
      topic: check.topic,
      eventId: check.eventId,
      identity: check.identity,
      rawBody: rawBody.toString('utf8'),
    });
    this.deps.metrics.webhook(channelAccountId, check.topic, outcome);
    return { status: 200, body: { received: true, duplicate: outcome === 'duplicate' } };
  }
}
