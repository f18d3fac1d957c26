import { parseMoney, type Money } from '@retail-mesh/domain';
import type { AmazonMoney } from './sp-api.types.js';

/** Orders v0 money (`{"CurrencyCode":"USD","Amount":"19.99"}`, a decimal string) as exact minor units. Throws DomainValidationError on a bad amount. */
export function amazonMoneyToMoney(money: AmazonMoney): Money {
  return parseMoney(money.Amount, money.CurrencyCode);
}
