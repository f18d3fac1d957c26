// NetSuite's two error shapes. REST web services answer an RFC 7807-style envelope
// (docs.oracle.com … section_156570709583 "Error Handling in REST Web Services"); RESTlets answer
// SuiteScript's `{"error":{"code","message"}}`.
import type { SandboxResponse } from '@retail-mesh/sandbox-kit';

const RFC2616 = 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html';

const STATUS_INFO: Record<number, { title: string; type: string }> = {
  400: { title: 'Bad Request', type: `${RFC2616}#sec10.4.1` },
  // NetSuite's documented 401 example carries the bare URL, without an anchor.
  401: { title: 'Unauthorized', type: RFC2616 },
  403: { title: 'Forbidden', type: `${RFC2616}#sec10.4.4` },
  404: { title: 'Not Found', type: `${RFC2616}#sec10.4.5` },
  405: { title: 'Method Not Allowed', type: `${RFC2616}#sec10.4.6` },
  409: { title: 'Conflict', type: `${RFC2616}#sec10.4.10` },
  429: { title: 'Too Many Requests', type: 'https://tools.ietf.org/html/rfc6585#section-4' },
  500: { title: 'Internal Server Error', type: `${RFC2616}#sec10.5.1` },
  502: { title: 'Bad Gateway', type: `${RFC2616}#sec10.5.3` },
  503: { title: 'Service Unavailable', type: `${RFC2616}#sec10.5.4` },
  504: { title: 'Gateway Timeout', type: `${RFC2616}#sec10.5.5` },
};

export interface ErrorDetailExtras {
  'o:errorPath'?: string;
  'o:errorQueryParam'?: string;
  'o:errorHeader'?: string;
  'o:errorUrl'?: string;
}

export interface NetSuiteErrorOptions {
  /** Overrides the title derived from the status (the idempotency conflict is "Conflict" with status 400). */
  title?: string;
  type?: string;
  headers?: Record<string, string>;
  extras?: ErrorDetailExtras;
}

export function netSuiteError(status: number, errorCode: string, detail: string, options: NetSuiteErrorOptions = {}): SandboxResponse {
  const info = STATUS_INFO[status] ?? { title: 'Error', type: RFC2616 };
  return {
    status,
    headers: options.headers,
    body: {
      type: options.type ?? info.type,
      title: options.title ?? info.title,
      status,
      'o:errorDetails': [{ detail, 'o:errorCode': errorCode, ...options.extras }],
    },
  };
}

export function invalidLogin(): SandboxResponse {
  return netSuiteError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );
}

export function restletError(status: number, code: string, message: string, headers?: Record<string, string>): SandboxResponse {
  return { status, headers, body: { error: { code, message } } };
}

/** OAuth 2.0 token endpoint errors follow RFC 6749 §5.2, not the REST envelope. */
export function oauthError(status: number, error: string, description?: string): SandboxResponse {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}
