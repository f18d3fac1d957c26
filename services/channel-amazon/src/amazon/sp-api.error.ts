// Failures of SP-API calls, typed from the errors envelope `{"errors":[{code, message, details}]}`
// so callers branch on `kind` and `errors[].code` instead of parsing messages.
import { ChannelApiError } from '@retail-mesh/channel-kit';

export type SpApiErrorKind =
  'throttled' | 'unauthorized' | 'not_found' | 'invalid_input' | 'server_error' | 'http_error' | 'malformed_response' | 'lwa_error';

export interface SpApiErrorEntry {
  code: string;
  message: string;
  details: string;
}

export class SpApiError extends ChannelApiError<SpApiErrorKind> {
  override readonly name = 'SpApiError';
  readonly errors: SpApiErrorEntry[];
  readonly requestId?: string;

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
    super(init);
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
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
