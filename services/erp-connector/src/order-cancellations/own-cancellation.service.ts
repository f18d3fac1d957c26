import { Inject, Injectable } from '@nestjs/common';
import { withTransaction } from '@retail-mesh/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import type { CancellationFeedChange, OrderFeedLine } from '../order-feed/order-feed-record.js';
import { CancellationRequestRepository } from './cancellation-request.repository.js';
import type { CancelledUnits } from './erp-line-changes.js';
import { explainCancellation } from './own-cancellations.js';

/**
 * Remembers what the connector asks the ERP to cancel and recognises it when the ERP's change
 * feed reports it back. Only with ERP_FEED_REPORTS_OWN_CHANGES: an ERP whose change log leaves the
 * integration's own writes out never reports them, and remembered requests would then swallow a
 * later cancellation made in the ERP.
 */
@Injectable()
export class OwnCancellationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: CancellationRequestRepository,
    @Inject(ERP_CONNECTOR_SETTINGS) private readonly settings: ErpConnectorSettings,
  ) {}

  /**
   * Records the units `eventId` is about to cancel on a sales order, committed before the ERP is
   * changed: the feed may report the change as soon as it is made, and must find it here. Keyed
   * by the event, so a redelivery replaces rather than adds.
   */
  async remember(eventId: string, erpOrderId: string, units: readonly CancelledUnits[]): Promise<void> {
    if (!this.settings.feedReportsOwnChanges) return;
    const createdAt = new Date();
    await withTransaction(this.dataSource, (manager) =>
      this.requests.replaceForEvent(
        manager,
        eventId,
        units.map(({ erpLine, orderLineId, quantity }) => ({
          eventId,
          erpOrderId,
          erpLine,
          orderLineId,
          requestedQuantity: quantity,
          reportedQuantity: 0,
          createdAt,
        })),
      ),
    );
  }

  /** The ERP refused the change: nothing of it will be reported. */
  async forget(eventId: string): Promise<void> {
    if (!this.settings.feedReportsOwnChanges) return;
    await withTransaction(this.dataSource, (manager) => this.requests.deleteForEvent(manager, eventId));
  }

  /**
   * The lines of a feed cancellation that are the ERP's own (in the feed's transaction, which
   * also counts the rest as reported). A cancellation of the whole order names no lines: it stays
   * as it is (orders cancels what is left, which never counts a unit twice).
   */
  async notOwn(manager: EntityManager, change: CancellationFeedChange): Promise<OrderFeedLine[]> {
    if (!this.settings.feedReportsOwnChanges || change.lines.length === 0) return change.lines;
    const { unexplained, reported } = explainCancellation(change.lines, await this.requests.openForSalesOrder(manager, change.erpOrderId));
    await this.requests.saveReported(manager, reported);
    return unexplained;
  }
}
