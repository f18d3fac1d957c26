import type { ServiceMetrics } from './service-metrics.js';

/**
 * Routes what a bus reports about retries and dead letters (libs/messaging's EventBusObserver
 * hooks) to the metrics of the service that owns the queue. One bus can serve many services
 * (embedded mode), so the bus is created with one observer and each service registers its
 * queues here when it starts consuming. Handled/failed deliveries and handling time are
 * measured around the handler by the consumer registration itself.
 */
export class BusMetricsObserver {
  private readonly owners = new Map<string, ServiceMetrics>();

  register(queue: string, metrics: ServiceMetrics): void {
    this.owners.set(queue, metrics);
  }

  unregister(queue: string, metrics: ServiceMetrics): void {
    if (this.owners.get(queue) === metrics) this.owners.delete(queue);
  }

  retried(queue: string): void {
    this.owners.get(queue)?.consumerRetriedDelivery(queue);
  }

  deadLettered(queue: string): void {
    this.owners.get(queue)?.consumerDeadLetteredMessage(queue);
  }
}
