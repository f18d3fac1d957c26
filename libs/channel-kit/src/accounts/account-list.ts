// The channel accounts an adapter serves, as configured in <CHANNEL>_ACCOUNTS: a JSON array with
// one object per store or selling partner account. The list holds tokens and secrets, so a
// problem names the entry and the field, never a value (JSON.parse's own message would quote
// the input). The adapter validates its channel's fields; the list, the objects and the account
// ids (valid, unique) are checked here.

const CHANNEL_ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export type AccountListParseResult<Account> = { ok: true; accounts: Account[] } | { ok: false; error: string };

/**
 * Parses the JSON array of accounts. `parseAccount` gets each entry (an object with a valid
 * `channelAccountId`) and returns the account, or a problem naming the field (never its value).
 */
export function parseAccountList<Account extends { channelAccountId: string }>(
  raw: string,
  parseAccount: (entry: Record<string, unknown>, channelAccountId: string) => Account | string,
): AccountListParseResult<Account> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'is not valid JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'must be a JSON array of accounts' };
  const accounts: Account[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of value.entries()) {
    const result = parseEntry(entry, parseAccount);
    if (typeof result === 'string') return { ok: false, error: `entry ${index}: ${result}` };
    if (seen.has(result.channelAccountId))
      return { ok: false, error: `entry ${index}: channelAccountId "${result.channelAccountId}" appears twice` };
    seen.add(result.channelAccountId);
    accounts.push(result);
  }
  return { ok: true, accounts };
}

function parseEntry<Account>(
  entry: unknown,
  parseAccount: (entry: Record<string, unknown>, channelAccountId: string) => Account | string,
): Account | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'must be an object';
  const fields = entry as Record<string, unknown>;
  const { channelAccountId } = fields;
  if (typeof channelAccountId !== 'string' || !CHANNEL_ACCOUNT_ID.test(channelAccountId)) {
    return 'channelAccountId must be 1-100 characters: letters, digits and . _ : -';
  }
  return parseAccount(fields, channelAccountId);
}

/** An absolute http(s) URL (API endpoints: https in production, http for the sandboxes). */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
