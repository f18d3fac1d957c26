import type { inventoryV1 } from '@retail-mesh/contracts';
import type { AvailabilityResult, AvailabilityStepName } from '@retail-mesh/domain';
import type { ChannelPolicy } from '../channel-policy/channel-policy.js';

/** libs/domain's step-by-step explanation in the contract's shape. */
export function toExplanationMessage(result: AvailabilityResult, policy: ChannelPolicy): inventoryV1.AvailabilityExplanation {
  const step = (name: AvailabilityStepName): number => {
    const found = result.explanation.steps.find((candidate) => candidate.step === name);
    if (!found) throw new Error(`availability explanation lacks the ${name} step`);
    return found.quantity;
  };
  const allocated = step('allocation');
  return {
    locations: result.explanation.locations
      .filter((location) => location.eligible)
      .map((location) => ({ locationId: location.locationId, onHand: location.onHandQuantity, reserved: location.reservedQuantity })),
    onHand: step('eligible_on_hand'),
    reserved: step('reserved'),
    safetyStock: step('safety_stock'),
    sellable: step('pool'),
    allocationBasisPoints: policy.allocation.kind === 'percent' ? policy.allocation.basisPoints : undefined,
    allocationFixedQuantity: policy.allocation.kind === 'fixed' ? policy.allocation.quantity : undefined,
    allocated,
    maxQuantity: policy.maxQuantity,
    capped: result.availableQuantity < allocated,
    policyVersion: policy.version,
  };
}
