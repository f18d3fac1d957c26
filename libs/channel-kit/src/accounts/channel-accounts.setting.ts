import { Setting, type Environment } from '@retail-mesh/service-kit';
import type { AccountListParseResult } from './account-list.js';

/**
 * The setting of an adapter's accounts (`SHOPIFY_ACCOUNTS`): required, and its problems pass on
 * the parser's (entry and field), never the value, which holds tokens and secrets.
 */
export class ChannelAccountsSetting<Account> extends Setting<Account[]> {
  constructor(
    variable: string,
    expected: string,
    private readonly parseAccounts: (raw: string) => AccountListParseResult<Account>,
  ) {
    super(variable, expected, (raw) => {
      const result = parseAccounts(raw);
      return result.ok ? result.accounts : undefined;
    });
  }

  override read(environment: Environment): ReturnType<Setting<Account[]>['read']> {
    const raw = environment[this.variable];
    if (raw === undefined || raw.trim() === '') return { ok: false, problem: `${this.variable} is required: expected ${this.expected}` };
    const result = this.parseAccounts(raw);
    return result.ok ? { ok: true, value: result.accounts } : { ok: false, problem: `${this.variable} ${result.error}` };
  }
}
