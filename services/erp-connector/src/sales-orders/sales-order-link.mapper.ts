import { erpV1, Events, toTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import type { OutgoingEvent } from '@retail-mesh/service-kit';
import type { LinkStatus, SalesOrderLinkEntity } from './sales-order-link.entity.js';

const DOCUMENT_STATUS: Record<LinkStatus, erpV1.DocumentStatus> = {
  PENDING: erpV1.DocumentStatus.DOCUMENT_STATUS_PENDING,
  CREATED: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED,
  REJECTED: erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED,
};

export function toSalesOrderLink(link: SalesOrderLinkEntity): erpV1.SalesOrderLink {
  return {
    orderId: link.orderId,
    erpOrderId: link.erpOrderId ?? '',
    status: DOCUMENT_STATUS[link.status],
    lastError: link.lastError ?? '',
    lastErrorCode: link.lastErrorCode ?? '',
    attempts: link.attempts,
    erpExternalId: link.externalId,
    createdAt: toTimestamp(link.createdAt),
    updatedAt: toTimestamp(link.updatedAt),
  };
}

export function salesOrderCreatedEvent(orderId: string, erpOrderId: string, at: Date): OutgoingEvent<erpEventsV1.SalesOrderCreated> {
  return {
    definition: Events.erp.salesOrderCreated,
    payload: { orderId, erpOrderId, createdAt: toTimestamp(at) },
    subject: orderId,
    time: at,
  };
}

export function salesOrderRejectedEvent(
  orderId: string,
  rejection: { code: string; message: string },
  at: Date,
): OutgoingEvent<erpEventsV1.SalesOrderRejected> {
  return {
    definition: Events.erp.salesOrderRejected,
    payload: { orderId, code: rejection.code, message: rejection.message, rejectedAt: toTimestamp(at) },
    subject: orderId,
    time: at,
  };
}
