// What the sandbox's routes and resolvers share: the shops, the webhook dispatcher and the timers
// of background work (orderCancel's job), so reset and close can stop all of it.
import type { ShopRegistry } from './shops/shop-registry.js';
import type { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';

/** Timers of background work; cleared on reset and close. */
export class BackgroundTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(delayMs: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, delayMs);
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export interface SandboxServices {
  registry: ShopRegistry;
  webhooks: WebhookDispatcher;
  timers: BackgroundTimers;
  /** How long orderCancel's background job takes before the order shows cancelled. */
  orderCancelDelayMs: number;
}
