// The inbox (exactly-once effects for consumers); re-exported by libs/messaging/src/index.ts.
export { Inbox, type InboxOutcome } from './inbox.js';
export { INBOX_TABLE, InboxMessage } from './inbox-message.entity.js';
export { CreateInboxMessages1764201600001 } from './migrations/1764201600001-create-inbox-messages.js';
