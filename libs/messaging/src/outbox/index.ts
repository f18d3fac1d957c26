// The transactional outbox; re-exported by libs/messaging/src/index.ts.
import { CreateOutboxMessages1764201600000 } from './migrations/1764201600000-create-outbox-messages.js';
import { DeletePublishedOutboxMessages1796200000000 } from './migrations/1796200000000-delete-published-outbox-messages.js';

/** The outbox table's migrations, in order: every DataSource with an outbox runs all of them. */
export const OUTBOX_MIGRATIONS = [CreateOutboxMessages1764201600000, DeletePublishedOutboxMessages1796200000000];
export { Outbox } from './outbox.js';
export { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';
export {
  DEFAULT_OUTBOX_BATCH_SIZE,
  DEFAULT_OUTBOX_POLL_INTERVAL_MS,
  DEFAULT_OUTBOX_RETRY_DELAYS_MS,
  DEFAULT_OUTBOX_STALE_AFTER_MS,
  OutboxRelay,
  type OutboxBacklog,
  type OutboxRelayObserver,
  type OutboxRelayOptions,
} from './outbox-relay.js';
