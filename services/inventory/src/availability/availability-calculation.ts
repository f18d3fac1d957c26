import { computeAvailability, nextVersion, type AvailabilityResult, type StockReservation } from '@retail-mesh/domain';
import { toAvailabilityPolicy, type ChannelPolicy } from '../channel-policy/channel-policy.js';

export interface LocationOnHand {
  locationId: string;
  onHand: number;
}

/** A SKU nothing is held for. */
export const NO_RESERVATIONS: readonly StockReservation[] = [];

/**
 * What `policy`'s channel account may show for a SKU held at `positions`, with `reservations`
 * (the units active reservations hold per location) subtracted: they count against every
 * channel at once, whichever channel's order they are for.
 */
export function availabilityFor(
  policy: ChannelPolicy,
  positions: readonly LocationOnHand[],
  reservations: readonly StockReservation[],
): AvailabilityResult {
  return computeAvailability(
    positions.map((position) => ({ locationId: position.locationId, onHandQuantity: position.onHand })),
    reservations,
    toAvailabilityPolicy(
      policy,
      positions.map((position) => position.locationId),
    ),
  );
}

export interface PublishedQuantity {
  availableQuantity: number;
  version: number;
}

/**
 * The version to publish `availableQuantity` with, or undefined when the channel already has it.
 * The first computation for a key is always published (a channel must learn a zero too); a forced
 * republish (repair) always gets a new version.
 */
export function publicationVersion(previous: PublishedQuantity | undefined, availableQuantity: number, force: boolean): number | undefined {
  if (previous !== undefined && !force && previous.availableQuantity === availableQuantity) return undefined;
  return nextVersion(previous?.version);
}
