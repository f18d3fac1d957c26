// Every event travels as a retail.common.v1.EventEnvelope whose `data` is the encoded domain
// message. This module is the one place that builds and opens envelopes, so publishers and
// consumers cannot disagree on ids, routing keys or trace propagation.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { commonV1, fromTimestamp, routingKeyOf, toTimestamp, type EventDefinition } from '@retail-mesh/contracts';
import type { BusMessage, Delivery } from './event-bus.js';
import { PoisonMessageError } from './event-bus.js';

export const TRACEPARENT_HEADER = 'traceparent';

export interface EventToPublish<T> {
  definition: EventDefinition<T>;
  payload: T;
  /** The publishing service, e.g. `inventory`. */
  source: string;
  /** What the event is about: a SKU, an order id. */
  subject: string;
  /** Channel slug for channel-scoped events (`shopify`); becomes the routing key suffix. */
  channel?: string;
  channelAccountId?: string;
  /** Defaults to a random UUID; pass `eventIdFromName(...)` when re-reading a source must yield the same id. */
  id?: string;
  time?: Date;
  /** W3C traceparent of the work that caused the event; a new trace when absent. */
  traceparent?: string;
}

export interface OpenedEvent<T> {
  envelope: commonV1.EventEnvelope;
  payload: T;
  time: Date;
}

/** A fresh W3C traceparent (version 00, sampled). */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

// RFC 4122 name-based (version 5, SHA-1) UUID in a namespace of our own, so the same source
// record always maps to the same event id and consumers' inboxes drop re-reads.
const EVENT_ID_NAMESPACE = Buffer.from('6f1c2a4e9b7d4c3a8e5f0a1b2c3d4e5f', 'hex');

export function eventIdFromName(name: string): string {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function encodeEvent<T>(event: EventToPublish<T>): BusMessage {
  const id = event.id ?? randomUUID();
  const traceparent = event.traceparent ?? newTraceparent();
  const envelope: commonV1.EventEnvelope = {
    id,
    type: event.definition.type,
    source: event.source,
    subject: event.subject,
    time: toTimestamp(event.time ?? new Date()),
    traceparent,
    schemaVersion: event.definition.schemaVersion,
    channelAccountId: event.channelAccountId ?? '',
    data: event.definition.codec.encode(event.payload).finish(),
  };
  return {
    id,
    routingKey: routingKeyOf(event.definition, event.channel),
    body: Buffer.from(commonV1.EventEnvelope.encode(envelope).finish()),
    headers: { [TRACEPARENT_HEADER]: traceparent, 'content-type': 'application/protobuf', 'x-event-type': event.definition.type },
  };
}

/**
 * Opens a delivered envelope. A body that is not a valid envelope of the expected type can
 * never succeed, so it is a poison message: dead-lettered at once with the reason.
 */
export function decodeEvent<T>(message: Pick<BusMessage, 'body'>, definition: EventDefinition<T>): OpenedEvent<T> {
  let envelope: commonV1.EventEnvelope;
  try {
    envelope = commonV1.EventEnvelope.decode(message.body);
  } catch (error) {
    throw new PoisonMessageError(`body is not a retail.common.v1.EventEnvelope: ${(error as Error).message}`);
  }
  if (envelope.type !== definition.type) {
    throw new PoisonMessageError(`expected an envelope of ${definition.type}, got ${JSON.stringify(envelope.type)}`);
  }
  if (!envelope.id) throw new PoisonMessageError('envelope has no id');
  let payload: T;
  try {
    payload = definition.codec.decode(envelope.data);
  } catch (error) {
    throw new PoisonMessageError(`data is not a valid ${definition.type}: ${(error as Error).message}`);
  }
  return { envelope, payload, time: envelope.time ? fromTimestamp(envelope.time) : new Date(0) };
}

/** The traceparent a delivery carries (header first, as the envelope may be unreadable). */
export function traceparentOf(delivery: Pick<Delivery, 'headers'>): string | undefined {
  return delivery.headers[TRACEPARENT_HEADER];
}
