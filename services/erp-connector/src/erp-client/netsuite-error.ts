import { HttpStatusError } from '@retail-mesh/channel-kit';
import { isErpTransientError } from './erp-http.client.js';

// NetSuite's REST error envelope: `{"type","title","status","o:errorDetails":[{"detail",
// "o:errorCode","o:errorPath"?}]}` (docs.oracle.com … section_156570709583). What the connector
// needs from a failed call: the code and message, and whether the sales order itself was refused
// (permanent) or the ERP could not take it now (retry later).

export interface NetSuiteErrorDetail {
  code: string;
  message: string;
}

/** The first `o:errorDetails` entry of a NetSuite error answer; the HTTP status when the body is not the envelope. */
export function netSuiteErrorOf(error: HttpStatusError): NetSuiteErrorDetail {
  try {
    const body = JSON.parse(error.body) as {
      'o:errorDetails'?: Array<{ detail?: unknown; 'o:errorCode'?: unknown; 'o:errorPath'?: unknown }>;
    };
    const [first] = body['o:errorDetails'] ?? [];
    if (first && typeof first['o:errorCode'] === 'string') {
      const path = typeof first['o:errorPath'] === 'string' ? ` (at ${first['o:errorPath']})` : '';
      return { code: first['o:errorCode'], message: `${typeof first.detail === 'string' ? first.detail : ''}${path}` };
    }
  } catch {
    // Not the envelope: fall through to the status.
  }
  return { code: `HTTP_${error.status}`, message: error.message };
}

/** A repeated `X-NetSuite-Idempotency-Key`: the request was already processed; `Location` points at its result. */
export function isIdempotencyConflict(error: unknown): error is HttpStatusError {
  return error instanceof HttpStatusError && error.status === 400 && netSuiteErrorOf(error).code === 'IDEMPOTENCY_ERROR';
}

/** A write whose external id another record of the type already carries (NetSuite's DUP_RCRD). */
export function isDuplicateRecord(error: unknown): error is HttpStatusError {
  return error instanceof HttpStatusError && error.status === 400 && netSuiteErrorOf(error).code === 'DUP_RCRD';
}

/**
 * True when the ERP refused the document itself: a 400 (or 422) about its content (unknown item,
 * missing customer, invalid value). Everything else is the ERP or the link being unable to take it
 * now (5xx, 429, concurrency limits, timeouts, dropped connections) or a configuration problem of
 * the connector (401, 403, 404 on a record type): retried, never pinned on the order.
 */
export function isPermanentRejection(error: unknown): error is HttpStatusError {
  if (!(error instanceof HttpStatusError) || isErpTransientError(error)) return false;
  if (netSuiteErrorOf(error).code === 'IDEMPOTENCY_ERROR') return false;
  return error.status === 400 || error.status === 422;
}
