// The broker's own ceiling on this machine, measured in the same run as a flow benchmark so
// the flow's figure can be read as a ratio: 1 KiB persistent messages into a quorum queue,
// publisher confirms pipelined in a window, one consumer acknowledging manually.
import amqp from 'amqplib';

export interface RawAmqpResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}

export async function measureRawAmqp(url: string, messages = 20_000, window = 200): Promise<RawAmqpResult> {
  const connection = await amqp.connect(url);
  try {
    const queue = `bench.raw.${process.pid}.${Date.now()}`;
    const publishChannel = await connection.createConfirmChannel();
    const consumeChannel = await connection.createChannel();
    await publishChannel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 } });
    await consumeChannel.prefetch(window);

    const body = Buffer.alloc(1024, 'x');
    let consumed = 0;
    const allConsumed = new Promise<void>((resolve) => {
      void consumeChannel.consume(queue, (message) => {
        if (!message) return;
        consumed += 1;
        // Acknowledge in batches (multiple=true), as a pipelined consumer does.
        if (consumed % 50 === 0 || consumed === messages) consumeChannel.ack(message, true);
        if (consumed === messages) resolve();
      });
    });

    const started = process.hrtime.bigint();
    let inFlight: Promise<void>[] = [];
    for (let i = 0; i < messages; i += 1) {
      inFlight.push(
        new Promise<void>((resolve, reject) => {
          publishChannel.publish('', queue, body, { persistent: true }, (error) => (error ? reject(error) : resolve()));
        }),
      );
      if (inFlight.length >= window) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    await allConsumed;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    await publishChannel.deleteQueue(queue);
    await publishChannel.close();
    await consumeChannel.close();
    return { messages, seconds, messagesPerSecond: Math.round(messages / seconds) };
  } finally {
    await connection.close();
  }
}
