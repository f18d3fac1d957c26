// webhookSubscriptionCreate / webhookSubscriptionDelete and the webhookSubscriptions connection.
// The endpoint is `uri` from 2025-10 (the unified field), `callbackUrl` before (deprecated since).
import type { ResolverScope } from '../graphql/admin-resolvers.js';
import { connection, type ConnectionArgs } from '../graphql/connection.js';
import type { ShopRegistry, ShopState } from '../shops/shop-registry.js';
import { enumOfTopic, topicOfEnum, type WebhookSubscriptionState, type WebhookTopic } from './webhook-topics.js';

interface WebhookSubscriptionInput {
  uri?: string | null;
  callbackUrl?: string | null;
  format?: string | null;
  includeFields?: string[] | null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function subscriptionNode(subscription: WebhookSubscriptionState) {
  return {
    id: subscription.id,
    legacyResourceId: String(subscription.numericId),
    topic: enumOfTopic(subscription.topic),
    uri: subscription.uri,
    callbackUrl: subscription.uri,
    format: 'JSON',
    includeFields: [],
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}

/** Adds a subscription (the admin shortcut and the mutation share it); a duplicate topic + URI is refused as on Shopify. */
export function subscribe(
  registry: ShopRegistry,
  shop: ShopState,
  topic: WebhookTopic,
  uri: string,
  apiVersion: string,
): { subscription: WebhookSubscriptionState } | { error: string } {
  if (!isHttpUrl(uri)) return { error: 'Address is invalid' };
  const duplicate = [...shop.webhookSubscriptions.values()].some((existing) => existing.topic === topic && existing.uri === uri);
  if (duplicate) return { error: 'Address for this topic has already been taken' };
  const now = registry.timestamp();
  const subscription: WebhookSubscriptionState = {
    ...registry.newId('WebhookSubscription'),
    topic,
    uri,
    apiVersion,
    createdAt: now,
    updatedAt: now,
  };
  shop.webhookSubscriptions.set(subscription.id, subscription);
  return { subscription };
}

export function webhookRootFields(scope: ResolverScope) {
  const { shop, registry } = scope;
  return {
    webhookSubscriptions: (args: ConnectionArgs & { topics?: string[] | null; uri?: string | null; callbackUrl?: string | null }) => {
      const topics = args.topics?.map(topicOfEnum);
      const uri = args.uri ?? args.callbackUrl;
      return connection(
        [...shop.webhookSubscriptions.values()].filter(
          (subscription) => (!topics || topics.includes(subscription.topic)) && (!uri || subscription.uri === uri),
        ),
        args,
        subscriptionNode,
      );
    },
    webhookSubscriptionCreate: ({ topic, webhookSubscription }: { topic: string; webhookSubscription: WebhookSubscriptionInput }) => {
      const uri = webhookSubscription.uri ?? webhookSubscription.callbackUrl;
      const field = webhookSubscription.uri != null ? 'uri' : 'callbackUrl';
      const topicValue = topicOfEnum(topic);
      if (!uri)
        return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', field], message: "Address can't be blank" }] };
      if (!topicValue)
        return { webhookSubscription: null, userErrors: [{ field: ['topic'], message: 'Topic is not supported by the sandbox' }] };
      if (webhookSubscription.format && webhookSubscription.format !== 'JSON') {
        return {
          webhookSubscription: null,
          userErrors: [{ field: ['webhookSubscription', 'format'], message: 'Only JSON is served by the sandbox' }],
        };
      }
      const result = subscribe(registry, shop, topicValue, uri, scope.apiVersion);
      if ('error' in result)
        return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', field], message: result.error }] };
      return { webhookSubscription: subscriptionNode(result.subscription), userErrors: [] };
    },
    webhookSubscriptionDelete: ({ id }: { id: string }) => {
      if (!shop.webhookSubscriptions.delete(id)) {
        return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
      }
      return { deletedWebhookSubscriptionId: id, userErrors: [] };
    },
  };
}
