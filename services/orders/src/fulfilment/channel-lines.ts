// Which units of an order a channel's own shipment report adds (an order the channel fulfils,
// e.g. Amazon FBA). The channel reports how many units of each line it shows shipped in all, so
// the shipment is what the order lacks of that: a repeated or late report adds nothing. Pure.
import { DomainValidationError, type LineQuantity } from '@retail-mesh/domain';

export interface ChannelShippedLine {
  channelLineId: string;
  /** Units the channel shows shipped in all. */
  quantity: number;
}

export interface ChannelOrderLineRef {
  lineId: string;
  channelLineId: string;
  shippedQuantity: number;
}

/**
 * The units each order line lacks of what the channel shows shipped (lines that lack nothing are
 * left out; empty when the order already shows the report). Lines are matched by channel line id.
 * Throws DomainValidationError: `unknown_line`, `duplicate_line`, `invalid_quantity`.
 */
export function unitsShippedByChannel(orderLines: readonly ChannelOrderLineRef[], reported: readonly ChannelShippedLine[]): LineQuantity[] {
  const seen = new Set<string>();
  const lacking: LineQuantity[] = [];
  for (const { channelLineId, quantity } of reported) {
    if (seen.has(channelLineId))
      throw new DomainValidationError('duplicate_line', `channel line ${JSON.stringify(channelLineId)} appears twice`);
    seen.add(channelLineId);
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      throw new DomainValidationError('invalid_quantity', `channel line ${JSON.stringify(channelLineId)} has shipped quantity ${quantity}`);
    }
    const line = channelLineId === '' ? undefined : orderLines.find((candidate) => candidate.channelLineId === channelLineId);
    if (!line) throw new DomainValidationError('unknown_line', `the order has no channel line ${JSON.stringify(channelLineId)}`);
    // Fewer than the order shows (the ERP recorded more meanwhile) adds nothing.
    if (quantity > line.shippedQuantity) lacking.push({ lineId: line.lineId, quantity: quantity - line.shippedQuantity });
  }
  return lacking;
}
