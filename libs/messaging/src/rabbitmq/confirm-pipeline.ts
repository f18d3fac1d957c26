// Pipelined publishing with publisher confirms: write up to `window` messages before the first
// confirm comes back and keep the window full as confirms arrive. Waiting for each confirm in
// turn caps a quorum queue at a few hundred messages a second; a window of a few hundred
// gets the broker's full rate (ARCHITECTURE §4).
import type { ConfirmChannel } from 'amqplib';
import type { Outgoing } from './amqp-message.js';

export interface PipelineResult {
  /** Messages the broker did not confirm (nacked, or the channel closed first). */
  failed: Outgoing[];
  /** Confirmed ones, in the order their confirms arrived. */
  confirmed: Outgoing[];
  lastError?: unknown;
  /** A message could not even be written (e.g. its headers do not encode): publishing it again will not help. */
  unpublishable?: boolean;
}

export function publishPipelined(channel: ConfirmChannel, items: Outgoing[], window: number): Promise<PipelineResult> {
  return new Promise((resolve) => {
    const result: PipelineResult = { failed: [], confirmed: [] };
    let next = 0;
    let unconfirmed = 0;
    let waitingForDrain = false;
    let finished = false;

    const finish = (): void => {
      if (finished || next < items.length || unconfirmed > 0) return;
      finished = true;
      channel.removeListener('drain', onDrain);
      channel.removeListener('close', onClose);
      resolve(result);
    };
    const giveUpOnRest = (error: unknown): void => {
      result.lastError = error;
      result.failed.push(...items.slice(next));
      next = items.length;
    };
    const onDrain = (): void => {
      waitingForDrain = false;
      pump();
    };
    // amqplib fails the callbacks of unconfirmed messages on close; what was not written yet
    // fails here, so the caller can publish both again on the next channel.
    const onClose = (): void => {
      giveUpOnRest(new Error('channel closed'));
      finish();
    };

    function pump(): void {
      while (next < items.length && unconfirmed < window && !waitingForDrain) {
        const item = items[next];
        next += 1;
        unconfirmed += 1;
        let writable: boolean;
        try {
          writable = channel.publish(item.exchange, item.routingKey, item.body, item.options, (error) => {
            unconfirmed -= 1;
            if (error) {
              result.failed.push(item);
              result.lastError = error;
            } else {
              result.confirmed.push(item);
            }
            pump();
            finish();
          });
        } catch (error) {
          // No callback will come. IllegalOperationError: the channel is closed, the next one will
          // do; anything else (a RangeError for oversized headers) fails the same way every time.
          unconfirmed -= 1;
          result.failed.push(item);
          giveUpOnRest(error);
          if (!(error instanceof Error && error.name === 'IllegalOperationError')) result.unpublishable = true;
          break;
        }
        // false: the socket buffer is full; the message is queued, wait before writing more.
        if (!writable) waitingForDrain = true;
      }
      finish();
    }

    channel.on('drain', onDrain);
    channel.once('close', onClose);
    pump();
  });
}
