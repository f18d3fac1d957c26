// One error type for every rule the domain rejects, so a service can map it to gRPC
// INVALID_ARGUMENT (or a dead-letter reason) without knowing which helper threw.
export class DomainValidationError extends Error {
  override readonly name = 'DomainValidationError';

  /** A stable, machine-readable reason (e.g. `currency_mismatch`), safe to put in a gRPC status or a DLQ header. */
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Renders a rejected input for an error message: strings quoted, NaN and Infinity legible. */
export function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
