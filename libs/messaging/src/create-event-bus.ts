// Picks the transport from configuration: a RabbitMQ URL means distributed mode, no URL means
// embedded mode (everything in one process, in-process bus).
import type { EventBus } from './event-bus.js';
import type { BusLogger, EventBusObserver } from './event-bus-hooks.js';
import { InProcessEventBus } from './in-process/in-process-bus.js';
import { RabbitMqEventBus } from './rabbitmq/rabbitmq-bus.js';

export interface CreateEventBusOptions {
  /** `amqp://` or `amqps://` URL (RABBITMQ_URL); absent or empty selects the in-process bus. */
  url?: string;
  /** Topic exchange name (EVENTS_EXCHANGE); RabbitMQ only. Default `retail.events`. */
  exchange?: string;
  logger?: BusLogger;
  observer?: EventBusObserver;
}

export async function createEventBus(options: CreateEventBusOptions = {}): Promise<EventBus> {
  const { url, exchange, logger, observer } = options;
  if (!url) return new InProcessEventBus({ logger, observer });
  // Anything else set is a misconfiguration: falling back to in-process would lose messages silently.
  if (!/^amqps?:\/\//.test(url))
    throw new Error('the event bus URL must start with amqp:// or amqps:// (leave it unset for the in-process bus)');
  return RabbitMqEventBus.connect({ url, exchange, logger, observer });
}
