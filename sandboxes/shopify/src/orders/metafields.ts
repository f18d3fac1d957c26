// metafieldsSet on orders, as Shopify documents it (shopify.dev admin-graphql metafieldsSet,
// MetafieldsSetInput, MetafieldsSetUserError): up to 25 metafields of any owners per call, created
// or updated by (owner, namespace, key); atomic (one refused input sets nothing, and each error
// names its input with `elementIndex`); `compareDigest` makes a write conditional. Setting the value
// a metafield has changes nothing. The sandbox keeps metafields on orders only. Not verified against
// Shopify (documented codes, our wording): the messages, and that an unknown owner is INVALID.
// A metafield write does not touch the order's `updatedAt` nor deliver orders/updated.
import { createHash } from 'node:crypto';
import type { ShopRegistry, ShopState } from '../shops/shop-registry.js';
import type { MetafieldState, OrderState } from './order-state.js';

/** Most metafields one metafieldsSet call takes. */
export const MAX_METAFIELDS_PER_SET = 25;
/** Where a metafield without a namespace goes: the calling app's reserved namespace. */
export const APP_NAMESPACE = 'app--1';

export const METAFIELDS_SET_ERROR_CODES = [
  'APP_NOT_AUTHORIZED',
  'BLANK',
  'CAPABILITY_VIOLATION',
  'DISALLOWED_OWNER_TYPE',
  'INCLUSION',
  'INTERNAL_ERROR',
  'INVALID',
  'INVALID_COMPARE_DIGEST',
  'INVALID_TYPE',
  'INVALID_VALUE',
  'LESS_THAN_OR_EQUAL_TO',
  'PRESENT',
  'STALE_OBJECT',
  'TAKEN',
  'TOO_LONG',
  'TOO_SHORT',
] as const;
export type MetafieldsSetErrorCode = (typeof METAFIELDS_SET_ERROR_CODES)[number];

// The metafield types the sandbox validates; Shopify has many more.
const VALUE_CHECKS: Record<string, (value: string) => string | null> = {
  single_line_text_field: (value) => (/[\r\n]/.test(value) ? 'Value must be a single line text string.' : null),
  multi_line_text_field: () => null,
  number_integer: (value) => (/^-?\d+$/.test(value) ? null : 'Value must be an integer.'),
  boolean: (value) => (value === 'true' || value === 'false' ? null : 'Value must be true or false.'),
};

const NAME_CHARACTERS = /^[A-Za-z0-9_-]+$/;

export interface MetafieldsSetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  type?: string | null;
  value: string;
  compareDigest?: string | null;
}

export interface MetafieldsSetUserError {
  field: string[] | null;
  message: string;
  code: MetafieldsSetErrorCode;
  elementIndex: number | null;
}

export interface MetafieldsSetResult {
  /** Each input's metafield after the call, in input order; empty when anything was refused. */
  metafields: Array<{ order: OrderState; metafield: MetafieldState }>;
  userErrors: MetafieldsSetUserError[];
}

/** The digest `compareDigest` is checked against: it changes whenever the value does. */
export function metafieldDigest(metafield: MetafieldState): string {
  return createHash('sha256').update(`${metafield.type}\u0000${metafield.value}`).digest('hex');
}

export function findMetafield(order: OrderState, namespace: string, key: string): MetafieldState | undefined {
  return order.metafields.find((metafield) => metafield.namespace === namespace && metafield.key === key);
}

function lengthProblem(value: string, min: number, max: number, name: string): [MetafieldsSetErrorCode, string] | null {
  if (value.length < min) return ['TOO_SHORT', `${name} is too short (minimum is ${min} characters)`];
  if (value.length > max) return ['TOO_LONG', `${name} is too long (maximum is ${max} characters)`];
  if (!NAME_CHARACTERS.test(value)) return ['INVALID', `${name} contains one or more invalid characters.`];
  return null;
}

/** Checks one input against the shop; the problem with its field, or the owner and namespace to set. */
function checkInput(
  shop: ShopState,
  input: MetafieldsSetInput,
): { problem: [string, MetafieldsSetErrorCode, string] } | { order: OrderState; namespace: string } {
  if (!/^gid:\/\/shopify\/[A-Za-z]+\/\d+$/.test(input.ownerId)) return { problem: ['ownerId', 'INVALID', 'Owner ID is invalid.'] };
  if (!input.ownerId.startsWith('gid://shopify/Order/'))
    return { problem: ['ownerId', 'DISALLOWED_OWNER_TYPE', 'The sandbox keeps metafields on orders only.'] };
  const order = shop.orders.get(input.ownerId);
  if (!order) return { problem: ['ownerId', 'INVALID', 'Owner does not exist.'] };
  const namespace = input.namespace ?? APP_NAMESPACE;
  const badNamespace = namespace === APP_NAMESPACE ? null : lengthProblem(namespace, 3, 255, 'Namespace');
  if (badNamespace) return { problem: ['namespace', ...badNamespace] };
  const badKey = lengthProblem(input.key, 2, 64, 'Key');
  if (badKey) return { problem: ['key', ...badKey] };
  const existing = findMetafield(order, namespace, input.key);
  const type = input.type ?? existing?.type;
  if (!type) return { problem: ['type', 'BLANK', "Type can't be blank."] };
  const checkValue = VALUE_CHECKS[type];
  if (!checkValue) return { problem: ['type', 'INVALID_TYPE', `Type '${type}' is not supported by the sandbox.`] };
  if (existing && existing.type !== type)
    return { problem: ['type', 'INVALID_TYPE', `Type must be the same as the existing metafield (${existing.type}).`] };
  if (input.value === '') return { problem: ['value', 'BLANK', "Value can't be blank."] };
  const badValue = checkValue(input.value);
  if (badValue) return { problem: ['value', 'INVALID_VALUE', badValue] };
  if (input.compareDigest !== undefined) {
    const current = existing ? metafieldDigest(existing) : null;
    if (input.compareDigest !== current)
      return { problem: ['compareDigest', 'STALE_OBJECT', 'The metafield has been modified since it was loaded.'] };
  }
  return { order, namespace };
}

export function setMetafields(registry: ShopRegistry, shop: ShopState, inputs: readonly MetafieldsSetInput[]): MetafieldsSetResult {
  if (inputs.length > MAX_METAFIELDS_PER_SET) {
    return {
      metafields: [],
      userErrors: [
        {
          field: ['metafields'],
          code: 'LESS_THAN_OR_EQUAL_TO',
          message: `Exceeded the maximum metafields input limit of ${MAX_METAFIELDS_PER_SET}.`,
          elementIndex: null,
        },
      ],
    };
  }
  const checked = inputs.map((input) => checkInput(shop, input));
  const userErrors = checked.flatMap((result, index): MetafieldsSetUserError[] =>
    'problem' in result
      ? [
          {
            field: ['metafields', String(index), result.problem[0]],
            code: result.problem[1],
            message: result.problem[2],
            elementIndex: index,
          },
        ]
      : [],
  );
  // Atomic: one refused input and nothing is set.
  if (userErrors.length > 0) return { metafields: [], userErrors };

  const nowMs = registry.nowMs();
  let changed = false;
  const metafields = inputs.map((input, index) => {
    const { order, namespace } = checked[index] as { order: OrderState; namespace: string };
    let metafield = findMetafield(order, namespace, input.key);
    if (!metafield) {
      metafield = {
        ...registry.newId('Metafield'),
        namespace,
        key: input.key,
        type: input.type as string,
        value: input.value,
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
      };
      order.metafields.push(metafield);
      changed = true;
    } else if (metafield.value !== input.value) {
      metafield.value = input.value;
      metafield.updatedAtMs = nowMs;
      changed = true;
    }
    return { order, metafield };
  });
  if (changed) shop.counters.mutationsApplied += 1;
  return { metafields, userErrors: [] };
}
