// The SP-API error envelope, `{"errors":[{"code","message","details"}]}`, which every operation
// answers on failure (ordersV0.json, feeds_2021-06-30.json, listingsItems_2021-08-01.json), and the
// Login with Amazon token endpoint's OAuth 2.0 error body.
import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from '@retail-mesh/sandbox-kit';

export interface SpApiErrorEntry {
  code: string;
  message: string;
  details?: string;
}

/** Headers every SP-API response carries. */
export function spApiHeaders(rateLimit?: number): Record<string, string> {
  const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
  if (rateLimit !== undefined) headers['x-amzn-ratelimit-limit'] = String(rateLimit);
  return headers;
}

export function spApiError(status: number, code: string, message: string, details = '', headers?: Record<string, string>): SandboxResponse {
  return { status, headers: { ...spApiHeaders(), ...headers }, body: { errors: [{ code, message, details }] } };
}

export function invalidInput(message: string, details = ''): SandboxResponse {
  return spApiError(400, 'InvalidInput', message, details);
}

export function notFound(message: string): SandboxResponse {
  return spApiError(404, 'NotFound', message);
}

/** Why a token was refused: the 403 body says the same in its `details`. */
export type UnauthorizedReason = 'invalid' | 'expired' | 'restricted' | 'not_covered';

const UNAUTHORIZED_DETAILS: Record<UnauthorizedReason, string> = {
  invalid: 'The access token you provided is revoked, malformed or otherwise invalid.',
  expired: 'The access token you provided has expired.',
  restricted: 'This operation returns restricted data: call it with a Restricted Data Token.',
  not_covered: 'The Restricted Data Token does not authorize this resource.',
};

/** The 403 Amazon answers for a missing, unknown or expired `x-amz-access-token`, or one that does not grant the resource. */
export function unauthorized(reason: UnauthorizedReason): SandboxResponse {
  return spApiError(403, 'Unauthorized', 'Access to requested resource is denied.', UNAUTHORIZED_DETAILS[reason]);
}

export function quotaExceeded(rateLimit: number, retryAfterSeconds?: number): SandboxResponse {
  const headers: Record<string, string> = { 'x-amzn-ratelimit-limit': String(rateLimit) };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return spApiError(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.', '', headers);
}

export function internalFailure(status: number): SandboxResponse {
  return spApiError(
    status,
    status === 503 ? 'ServiceUnavailable' : 'InternalFailure',
    status === 503 ? 'Service temporarily unavailable.' : 'We encountered an internal error. Please try again.',
  );
}

/** Login with Amazon (RFC 6749 §5.2) errors: `{"error_description","error"}`. */
export function lwaError(status: number, error: string, description: string): SandboxResponse {
  return { status, body: { error_description: description, error } };
}
