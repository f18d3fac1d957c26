// Failures of SP-API calls, typed from the errors envelope `{"errors":[{code, message, details}]}`
// so callers branch on `kind` and `errors[].code` instead of parsing messages.

export type SpApiErrorKind =
  'throttled' | 'unauthorized' | 'not_found' | 'invalid_input' | 'server_error' | 'http_error' | 'malformed_response' | 'lwa_error';

export interface SpApiErrorEntry {
  code: string;
  message: string;
  details: string;
}

export class SpApiError extends Error {
  override readonly name = 'SpApiError';
  readonly kind: SpApiErrorKind;
  readonly operation: string;
  readonly status?: number;
  readonly errors: SpApiErrorEntry[];
  readonly requestId?: string;
  /** Whether a later attempt of the same request can succeed. */
  readonly retryable: boolean;
  /** A server-requested wait (`Retry-After`), when one was sent. */
  readonly retryAfterMs?: number;

  constructor(init: {
    kind: SpApiErrorKind;
    operation: string;
    message: string;
    retryable: boolean;
    status?: number;
    errors?: SpApiErrorEntry[];
    requestId?: string;
    retryAfterMs?: number;
  }) {
    super(`${init.operation}: ${init.message}`);
    this.kind = init.kind;
    this.operation = init.operation;
    this.retryable = init.retryable;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Reads the errors envelope of a body; empty when the body is not one. */
export function readErrorEnvelope(body: unknown): SpApiErrorEntry[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry: { code?: unknown; message?: unknown; details?: unknown }) => ({
    code: typeof entry?.code === 'string' ? entry.code : 'Unknown',
    message: typeof entry?.message === 'string' ? entry.message : '',
    details: typeof entry?.details === 'string' ? entry.details : '',
  }));
}

/** The kind of a non-2xx SP-API answer. */
export function kindOfStatus(status: number): SpApiErrorKind {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'invalid_input';
  if (status >= 500) return 'server_error';
  return 'http_error';
}
