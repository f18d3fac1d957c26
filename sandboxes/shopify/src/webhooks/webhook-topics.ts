// Webhook topics the sandbox emits: GraphQL enum value (`ORDERS_CREATE`) <-> the topic header
// (`orders/create`). Subscriptions are per shop (per app installation), as on Shopify.

export const WEBHOOK_TOPICS = {
  ORDERS_CREATE: 'orders/create',
  ORDERS_UPDATED: 'orders/updated',
  ORDERS_CANCELLED: 'orders/cancelled',
  ORDERS_FULFILLED: 'orders/fulfilled',
  ORDERS_PARTIALLY_FULFILLED: 'orders/partially_fulfilled',
  ORDERS_PAID: 'orders/paid',
} as const;

export type WebhookTopicEnum = keyof typeof WEBHOOK_TOPICS;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[WebhookTopicEnum];

export function topicOfEnum(value: string): WebhookTopic | undefined {
  return Object.hasOwn(WEBHOOK_TOPICS, value) ? WEBHOOK_TOPICS[value as WebhookTopicEnum] : undefined;
}

export function enumOfTopic(topic: string): WebhookTopicEnum | undefined {
  return (Object.keys(WEBHOOK_TOPICS) as WebhookTopicEnum[]).find((key) => WEBHOOK_TOPICS[key] === topic);
}

export interface WebhookSubscriptionState {
  id: string;
  numericId: number;
  topic: WebhookTopic;
  /** Where deliveries are POSTed (HTTPS on Shopify; any http(s) URL here). */
  uri: string;
  /** The API version deliveries are serialised with (`X-Shopify-API-Version`). */
  apiVersion: string;
  createdAt: string;
  updatedAt: string;
}
