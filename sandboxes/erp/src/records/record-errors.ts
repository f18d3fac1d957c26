// The validation failures of a record write, in NetSuite's words (the route turns them into its
// `o:errorDetails` envelope).

export interface Invalid {
  ok: false;
  kind: 'invalid';
  errorCode: 'USER_ERROR' | 'INVALID_CONTENT' | 'INVALID_INITIALIZE_REF';
  detail: string;
  errorPath?: string;
}

/** A missing mandatory value (NetSuite's USER_ERROR). */
export function userError(detail: string, errorPath?: string): Invalid {
  return { ok: false, kind: 'invalid', errorCode: 'USER_ERROR', detail: `Error while accessing resource: ${detail}`, errorPath };
}

/**
 * A value NetSuite cannot take. Oracle's documented example (an unknown item on a sales order line):
 * 400, `INVALID_CONTENT`, "You have entered an Invalid Field Value 9999 for the following field: item",
 * `o:errorPath` "item.items[0].item".
 */
export function invalidFieldValue(value: unknown, field: string, errorPath: string): Invalid {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return {
    ok: false,
    kind: 'invalid',
    errorCode: 'INVALID_CONTENT',
    detail: `Error while accessing resource: You have entered an Invalid Field Value ${shown} for the following field: ${field}`,
    errorPath,
  };
}
