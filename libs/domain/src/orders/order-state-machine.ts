import { DomainValidationError } from '../domain-validation.error.js';
import {
  applyLineChanges,
  isFullyResolved,
  remainingLines,
  type LineChangeKind,
  type LineQuantities,
  type LineQuantity,
} from './order-lines.js';
import { canTransition, type HoldReason, type OrderEventKind, type OrderState } from './order-state.js';

/** What happens to an order. */
export type OrderAction =
  /** The worker checked it (catalog, money, address, payment, fraud). */
  | { kind: 'validate' }
  /** Inventory reserved its stock. */
  | { kind: 'reserve' }
  /** The ERP sales order exists. */
  | { kind: 'accept' }
  /** The channel took the acknowledgement. */
  | { kind: 'acknowledge' }
  | { kind: 'hold'; reason: HoldReason }
  /** An operator released the hold: validate again. */
  | { kind: 'release' }
  | { kind: 'ship'; lines: readonly LineQuantity[] }
  /** `lines` empty: everything not yet shipped. */
  | { kind: 'cancel'; lines: readonly LineQuantity[] };

export interface OrderChange {
  from: OrderState;
  to: OrderState;
  /** The lines after the change. */
  lines: LineQuantities[];
  /** The units shipped or cancelled by this change (ship and cancel); empty otherwise. */
  changedLines: LineQuantity[];
  /** Facts to publish, in the same transaction as the change. */
  events: OrderEventKind[];
  /** False for a change that has no effect (a late acknowledgement). */
  changed: boolean;
}

// Where each action may start; anything else is `invalid_transition`.
const ALLOWED_FROM: Readonly<Record<OrderAction['kind'], readonly OrderState[]>> = {
  validate: ['RECEIVED'],
  reserve: ['VALIDATED'],
  accept: ['RESERVED'],
  // Shipments can overtake the channel's acknowledgement; a late one changes nothing.
  acknowledge: ['ACCEPTED', 'ACKNOWLEDGED', 'PARTIALLY_SHIPPED', 'SHIPPED'],
  hold: ['RECEIVED', 'VALIDATED', 'RESERVED'],
  release: ['ON_HOLD'],
  ship: ['ACCEPTED', 'ACKNOWLEDGED', 'PARTIALLY_SHIPPED'],
  cancel: ['RECEIVED', 'VALIDATED', 'RESERVED', 'ACCEPTED', 'ACKNOWLEDGED', 'PARTIALLY_SHIPPED', 'ON_HOLD'],
};

/**
 * Applies `action` to an order in `state` with `lines`: the state it moves to, the lines after
 * it and the events it publishes. Throws DomainValidationError: `invalid_transition` when the
 * action cannot happen in that state, or the line errors of applyLineChanges.
 */
export function applyOrderAction(state: OrderState, lines: readonly LineQuantities[], action: OrderAction): OrderChange {
  if (!ALLOWED_FROM[action.kind].includes(state)) {
    throw new DomainValidationError(
      'invalid_transition',
      `an order that is ${state} cannot ${action.kind === 'hold' ? 'be held' : action.kind}`,
    );
  }
  const unchangedLines = lines.map((line) => ({ ...line }));
  switch (action.kind) {
    case 'validate':
      return transition(state, 'VALIDATED', unchangedLines, []);
    case 'reserve':
      return transition(state, 'RESERVED', unchangedLines, []);
    case 'accept':
      return transition(state, 'ACCEPTED', unchangedLines, ['order_accepted']);
    case 'acknowledge':
      if (state !== 'ACCEPTED') return { from: state, to: state, lines: unchangedLines, changedLines: [], events: [], changed: false };
      return transition(state, 'ACKNOWLEDGED', unchangedLines, []);
    case 'hold':
      return transition(state, 'ON_HOLD', unchangedLines, ['order_on_hold']);
    case 'release':
      return transition(state, 'RECEIVED', unchangedLines, []);
    case 'ship':
      if (action.lines.length === 0) throw new DomainValidationError('invalid_quantity', 'a shipment needs at least one line');
      return changeLines(state, lines, action.lines, 'ship');
    case 'cancel': {
      const cancelled = action.lines.length > 0 ? action.lines : remainingLines(lines);
      if (cancelled.length === 0) throw new DomainValidationError('invalid_transition', 'nothing is left to cancel');
      return changeLines(state, lines, cancelled, 'cancel');
    }
  }
}

function changeLines(
  state: OrderState,
  lines: readonly LineQuantities[],
  changes: readonly LineQuantity[],
  kind: LineChangeKind,
): OrderChange {
  const after = applyLineChanges(lines, changes, kind);
  const changedLines = changes.map((change) => ({ lineId: change.lineId, quantity: change.quantity }));
  const event: OrderEventKind = kind === 'ship' ? 'order_shipped' : 'order_cancelled';
  return { ...transition(state, stateAfterLineChange(state, after), after, [event]), changedLines };
}

/**
 * Once every unit is shipped or cancelled the order is SHIPPED when anything shipped, else
 * CANCELLED; a shipment that leaves units to ship makes it PARTIALLY_SHIPPED; a partial
 * cancellation keeps the state.
 */
function stateAfterLineChange(state: OrderState, lines: readonly LineQuantities[]): OrderState {
  const anyShipped = lines.some((line) => line.shippedQuantity > 0);
  if (isFullyResolved(lines)) return anyShipped ? 'SHIPPED' : 'CANCELLED';
  return anyShipped ? 'PARTIALLY_SHIPPED' : state;
}

function transition(from: OrderState, to: OrderState, lines: LineQuantities[], events: OrderEventKind[]): OrderChange {
  // The table in order-state.ts is the single list of transitions: an action never leaves it.
  if (from !== to && !canTransition(from, to)) throw new Error(`order state machine bug: ${from} -> ${to} is not a transition`);
  return { from, to, lines, changedLines: [], events, changed: true };
}
