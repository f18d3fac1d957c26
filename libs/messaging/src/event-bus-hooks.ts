// Optional hooks both transports call, so libs/observability can count and time deliveries
// and service-kit can pass its pino logger, without messaging depending on either.

/** What happened to deliveries, per queue. Every method is optional. */
export interface EventBusObserver {
  /** The handler resolved and the delivery was acknowledged. */
  handled?(queue: string, seconds: number): void;
  /** The handler threw; a retry or a dead letter follows. */
  failed?(queue: string, seconds: number, error: unknown): void;
  /** A failed delivery was scheduled for another attempt after `delayMs`. */
  retried?(queue: string, delayMs: number): void;
  /** A message went to `<queue>.dlq`. */
  deadLettered?(queue: string, reason: string): void;
}

/** The subset of a pino logger the transports use. */
export interface BusLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: BusLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
