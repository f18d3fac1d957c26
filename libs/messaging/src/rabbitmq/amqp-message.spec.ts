import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { deadLetterCopy, directCopy, toDeadLetter, toDelivery } from './amqp-message.js';

function amqpMessage(routingKey: string, headers: Record<string, unknown>, messageId = 'e1'): Message {
  return {
    content: Buffer.from('body'),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey },
    properties: { headers, messageId } as Message['properties'],
  };
}

describe('toDelivery', () => {
  it('adds our attempt header and the broker delivery count, and hides both', () => {
    const delivery = toDelivery(
      amqpMessage('orders.intake', {
        traceparent: 't',
        'x-attempt': '3',
        'x-delivery-count': 1,
        'x-original-routing-key': 'orders.created',
        'x-death': [{}],
      }),
      'orders.intake',
    );
    expect(delivery).toEqual({
      id: 'e1',
      routingKey: 'orders.created',
      body: Buffer.from('body'),
      headers: { traceparent: 't' },
      attempt: 4,
      queue: 'orders.intake',
    });
  });

  it('counts a first delivery as attempt 1 and keeps the routing key it was published with', () => {
    const delivery = toDelivery(
      amqpMessage('orders.created', { 'x-delivery-count': 0, count: 7, raw: Buffer.from('bytes') }),
      'orders.intake',
    );
    expect(delivery).toMatchObject({ routingKey: 'orders.created', attempt: 1, headers: { count: '7', raw: 'bytes' } });
  });
});

describe('directCopy', () => {
  it('sends to the queue through the default exchange, carrying the routing key and the next attempt', () => {
    const copy = directCopy(
      'orders.intake.retry.1000',
      { id: 'e1', routingKey: 'orders.created', body: Buffer.from('b'), headers: { traceparent: 't', 'x-error': 'old' } },
      2,
    );
    expect(copy).toMatchObject({ exchange: '', routingKey: 'orders.intake.retry.1000' });
    expect(copy.options).toEqual({
      persistent: true,
      messageId: 'e1',
      headers: { traceparent: 't', 'x-original-routing-key': 'orders.created', 'x-attempt': '2' },
    });
  });
});

describe('dead letters', () => {
  it('round-trip the reason and attempts through the DLQ', () => {
    const copy = deadLetterCopy(
      'orders.intake',
      { id: 'e1', routingKey: 'orders.created', body: Buffer.from('b'), headers: { traceparent: 't' } },
      'Error: boom',
      3,
    );
    expect(copy).toMatchObject({ exchange: '', routingKey: 'orders.intake.dlq' });
    const deadLetter = toDeadLetter(amqpMessage('orders.intake.dlq', { ...copy.options.headers, 'x-delivery-count': 2 }), 'orders.intake');
    expect(deadLetter).toMatchObject({
      id: 'e1',
      routingKey: 'orders.created',
      reason: 'Error: boom',
      attempts: 3,
      originalQueue: 'orders.intake',
    });
    expect(deadLetter.headers).not.toHaveProperty('x-delivery-count');
  });

  it('explain a message the broker dead-lettered itself (the delivery-limit backstop)', () => {
    const deadLetter = toDeadLetter(
      amqpMessage('orders.intake.dlq', {
        'x-first-death-reason': 'delivery_limit',
        'x-first-death-queue': 'orders.intake',
        'x-original-routing-key': 'orders.created',
      }),
      'orders.intake',
    );
    expect(deadLetter).toMatchObject({
      reason: 'dead-lettered by the broker: delivery_limit',
      originalQueue: 'orders.intake',
      routingKey: 'orders.created',
      attempts: 0,
    });
  });
});
