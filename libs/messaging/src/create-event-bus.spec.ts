import { describe, expect, it } from 'vitest';
import { createEventBus } from './create-event-bus.js';
import { InProcessEventBus } from './in-process/in-process-bus.js';

describe('createEventBus', () => {
  it('returns the in-process bus when no URL is configured', async () => {
    const bus = await createEventBus();
    expect(bus).toBeInstanceOf(InProcessEventBus);
    expect(bus.isReady()).toBe(true);
    await bus.close();
    expect(bus.isReady()).toBe(false);
  });

  it('refuses a URL that is not amqp rather than silently running in-process', async () => {
    await expect(createEventBus({ url: 'redis://127.0.0.1:6379' })).rejects.toThrow(/amqp:\/\//);
  });
});
