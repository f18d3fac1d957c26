// The transactional outbox; re-exported by libs/messaging/src/index.ts.
export { CreateOutboxMessages1764201600000 } from './migrations/1764201600000-create-outbox-messages.js';
export { Outbox } from './outbox.js';
export { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';
export {
  DEFAULT_OUTBOX_BATCH_SIZE,
  DEFAULT_OUTBOX_POLL_INTERVAL_MS,
  DEFAULT_OUTBOX_RETENTION_MS,
  DEFAULT_OUTBOX_RETRY_DELAYS_MS,
  OutboxRelay,
  type OutboxBacklog,
  type OutboxRelayObserver,
  type OutboxRelayOptions,
} from './outbox-relay.js';
