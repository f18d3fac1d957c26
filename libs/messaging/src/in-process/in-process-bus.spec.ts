import { describe } from 'vitest';
import type { EventBus } from '../event-bus.js';
import { eventBusContract } from '../event-bus.contract.js';
import { InProcessEventBus } from './in-process-bus.js';

describe('InProcessEventBus', () => {
  eventBusContract({
    createBus: async (observer) => new InProcessEventBus({ observer }),
    interruptConsumers: async (bus: EventBus, queue: string) => (bus as InProcessEventBus).interruptConsumers(queue),
  });
});
