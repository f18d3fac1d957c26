import type { Channel, Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from './ack-batcher.js';

/** The frames a channel would send: which tag, and whether it covers every earlier one. */
type Frame = { ack: number; multiple: boolean } | { nack: number };

function recordingChannel(frames: Frame[], closed = { value: false }): Channel {
  return {
    ack: (message: Message, multiple = false) => {
      if (closed.value) throw new Error('Channel closed');
      frames.push({ ack: message.fields.deliveryTag, multiple });
    },
    nack: (message: Message) => frames.push({ nack: message.fields.deliveryTag }),
  } as unknown as Channel;
}

const delivery = (deliveryTag: number) => ({ fields: { deliveryTag } }) as unknown as Message;
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AckBatcher', () => {
  it('acknowledges a run of deliveries settled in one turn with one multiple ack', async () => {
    const frames: Frame[] = [];
    const acks = new AckBatcher(recordingChannel(frames));
    const messages = [1, 2, 3, 4].map(delivery);
    for (const message of messages) acks.received(message);
    for (const message of messages) acks.ack(message);
    expect(frames).toEqual([]);
    await endOfTurn();
    expect(frames).toEqual([{ ack: 4, multiple: true }]);
  });

  it('never covers an unsettled delivery: later ones are acknowledged alone, at once', async () => {
    const frames: Frame[] = [];
    const acks = new AckBatcher(recordingChannel(frames));
    const [first, second, third, fourth] = [1, 2, 3, 4].map(delivery);
    for (const message of [first!, second!, third!, fourth!]) acks.received(message);
    acks.ack(first!);
    acks.ack(third!);
    acks.ack(fourth!);
    await endOfTurn();
    expect(frames).toEqual([
      { ack: 1, multiple: true },
      { ack: 3, multiple: false },
      { ack: 4, multiple: false },
    ]);
    acks.ack(second!);
    await endOfTurn();
    expect(frames.at(-1)).toEqual({ ack: 2, multiple: true });
  });

  it('returns a delivery at once and leaves it out of later acknowledgements', async () => {
    const frames: Frame[] = [];
    const acks = new AckBatcher(recordingChannel(frames));
    const [first, second] = [1, 2].map(delivery);
    acks.received(first!);
    acks.received(second!);
    acks.nack(first!);
    acks.ack(second!);
    await endOfTurn();
    expect(frames).toEqual([{ nack: 1 }, { ack: 2, multiple: true }]);
  });

  it('flushes on demand (before its channel closes) and ignores a closed channel', async () => {
    const frames: Frame[] = [];
    const closed = { value: false };
    const acks = new AckBatcher(recordingChannel(frames, closed));
    const [first, second] = [1, 2].map(delivery);
    acks.received(first!);
    acks.received(second!);
    acks.ack(first!);
    acks.flush();
    expect(frames).toEqual([{ ack: 1, multiple: true }]);
    closed.value = true;
    acks.ack(second!);
    await endOfTurn();
    expect(frames).toHaveLength(1);
  });
});
