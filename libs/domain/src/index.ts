export { DomainValidationError } from './domain-validation.error.js';
export { groupBy } from './collections/group-by.js';
export { isCurrencyCode, assertCurrencyCode, currencyExponent } from './money/currency.js';
export {
  type Money,
  assertMoney,
  createMoney,
  zeroMoney,
  addMoney,
  subtractMoney,
  negateMoney,
  sumMoney,
  multiplyMoney,
  moneyEquals,
  allocateMoney,
  parseMoney,
  formatMoney,
} from './money/money.js';
export { isQuantity, assertQuantity, assertSignedQuantity } from './quantity/quantity.js';
export {
  type StockPosition,
  type StockReservation,
  type AllocationRule,
  type ChannelAvailabilityPolicy,
  type LocationAvailability,
  type AvailabilityStepName,
  type AvailabilityStep,
  type AvailabilityExplanation,
  type AvailabilityResult,
  computeAvailability,
} from './availability/availability.js';
export {
  type VersionedValue,
  type VersionedApplyResult,
  isVersion,
  assertVersion,
  isNewerVersion,
  nextVersion,
  applyIfNewer,
  newestPerKey,
  compareKeys,
} from './versioning/version.js';
export {
  ORDER_STATES,
  HOLD_REASONS,
  CANCEL_REASONS,
  WAIVABLE_HOLD_REASONS,
  WORK_STATES,
  TERMINAL_STATES,
  ORDER_TRANSITIONS,
  type OrderState,
  type HoldReason,
  type CancelReason,
  type OrderEventKind,
  canTransition,
  isTerminalState,
  isWorkState,
} from './orders/order-state.js';
export {
  type LineQuantities,
  type LineQuantity,
  type LineChangeKind,
  remainingQuantity,
  remainingLines,
  isFullyResolved,
  cancelledUnits,
  applyLineChanges,
} from './orders/order-lines.js';
export { type OrderAction, type OrderChange, applyOrderAction } from './orders/order-state-machine.js';
export {
  PAYMENT_STATUSES,
  FRAUD_RISK_LEVELS,
  type PaymentStatus,
  type FraudRiskLevel,
  type OrderContent,
  type OrderLineContent,
  type ShippingContent,
  type OrderTotalsContent,
  type AddressContent,
  type FraudSignalContent,
  type ValidationIssue,
  type ValidationContext,
  assertOrderShape,
  validateOrderContent,
  holdFor,
} from './orders/order-validation.js';
