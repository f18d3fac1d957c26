// A typed client for the admin routes every sandbox shares, for tests and scripts that drive a
// sandbox over HTTP (in-process callers can use the RunningSandbox handle directly).
import type { FaultRule, FaultStatus } from './faults.js';
import type { LoggedRequest, RequestLogFilter } from './request-log.js';

export class SandboxAdminClient {
  constructor(private readonly baseUrl: string) {}

  async health(): Promise<{ status: string; sandbox: string }> {
    return this.call('GET', '/_sandbox/health');
  }

  async reset(): Promise<void> {
    await this.call('POST', '/_sandbox/reset');
  }

  /** Replaces the active faults. */
  async setFaults(rules: FaultRule | FaultRule[]): Promise<FaultStatus[]> {
    return (await this.call<{ faults: FaultStatus[] }>('POST', '/_sandbox/faults', rules)).faults;
  }

  async clearFaults(): Promise<void> {
    await this.call('POST', '/_sandbox/faults');
  }

  async faults(): Promise<FaultStatus[]> {
    return (await this.call<{ faults: FaultStatus[] }>('GET', '/_sandbox/faults')).faults;
  }

  async requests(filter: RequestLogFilter = {}): Promise<LoggedRequest[]> {
    const query = new URLSearchParams();
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    if (filter.path !== undefined) query.set('path', filter.path);
    if (filter.method !== undefined) query.set('method', filter.method);
    const suffix = query.size > 0 ? `?${query}` : '';
    return (await this.call<{ requests: LoggedRequest[] }>('GET', `/_sandbox/requests${suffix}`)).requests;
  }

  /** Any sandbox-specific admin route; throws on a non-2xx answer. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
