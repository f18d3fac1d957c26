// The canonical order's states and the transitions between them (issue 3, ADR 0004):
// received -> validated -> reserved -> accepted (the ERP sales order exists) -> acknowledged ->
// partially shipped -> shipped, with on hold (a reason code) and cancelled reachable where they
// make sense. Pure: the orders service stores the state and maps it to the contract's enums.

export const ORDER_STATES = [
  'RECEIVED',
  'VALIDATED',
  'RESERVED',
  'ACCEPTED',
  'ACKNOWLEDGED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'CANCELLED',
  'ON_HOLD',
] as const;

export type OrderState = (typeof ORDER_STATES)[number];

/** Why an order stopped, in the order validation reports them (the first one found names the hold). */
export const HOLD_REASONS = [
  'UNKNOWN_SKU',
  'SKU_NOT_LISTED',
  'PRICE_MISMATCH',
  'TAX_MISMATCH',
  'INVALID_ADDRESS',
  'PAYMENT_PENDING',
  'FRAUD_REVIEW',
  'LOCATION_NOT_ELIGIBLE',
  'INSUFFICIENT_STOCK',
  'ERP_REJECTED',
  'MANUAL',
] as const;

export type HoldReason = (typeof HOLD_REASONS)[number];

export const CANCEL_REASONS = [
  'CUSTOMER_REQUEST',
  'OUT_OF_STOCK',
  'FRAUD',
  'PAYMENT_FAILED',
  'ERP_CANCELLED',
  'CHANNEL_CANCELLED',
  'OTHER',
] as const;

export type CancelReason = (typeof CANCEL_REASONS)[number];

/**
 * Holds an operator's release waives: the facts behind them are part of the submitted order,
 * which never changes, so checking them again would only hold the order again. The other
 * reasons depend on the catalog, stock or the ERP and are checked again on release.
 */
export const WAIVABLE_HOLD_REASONS: ReadonlySet<HoldReason> = new Set<HoldReason>([
  'PRICE_MISMATCH',
  'TAX_MISMATCH',
  'INVALID_ADDRESS',
  'PAYMENT_PENDING',
  'FRAUD_REVIEW',
  'MANUAL',
]);

/** The states the order worker advances (the durable work queue). */
export const WORK_STATES: readonly OrderState[] = ['RECEIVED', 'VALIDATED', 'RESERVED'];

/** No transition leaves these. */
export const TERMINAL_STATES: readonly OrderState[] = ['SHIPPED', 'CANCELLED'];

/** Facts the orders service publishes (`orders.<kind>.<channel>`). */
export type OrderEventKind = 'order_accepted' | 'order_on_hold' | 'order_cancelled' | 'order_shipped';

/**
 * Every transition between two different states. A change that keeps the state (a second
 * partial shipment, a partial cancellation, a late acknowledgement) is not a transition.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  RECEIVED: ['VALIDATED', 'ON_HOLD', 'CANCELLED'],
  VALIDATED: ['RESERVED', 'ON_HOLD', 'CANCELLED'],
  RESERVED: ['ACCEPTED', 'ON_HOLD', 'CANCELLED'],
  ACCEPTED: ['ACKNOWLEDGED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'],
  ACKNOWLEDGED: ['PARTIALLY_SHIPPED', 'SHIPPED', 'CANCELLED'],
  // Cancelling what is left of a partially shipped order ships it (everything is shipped or cancelled).
  PARTIALLY_SHIPPED: ['SHIPPED'],
  SHIPPED: [],
  CANCELLED: [],
  // A release sends the order back to validation.
  ON_HOLD: ['RECEIVED', 'CANCELLED'],
};

export function canTransition(from: OrderState, to: OrderState): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function isTerminalState(state: OrderState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isWorkState(state: OrderState): boolean {
  return WORK_STATES.includes(state);
}
