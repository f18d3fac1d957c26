export { DomainValidationError } from './domain-validation.error.js';
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
