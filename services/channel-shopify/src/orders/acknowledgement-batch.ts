// One metafieldsSet call for the acknowledgements that wait together (ADR 0004): each order's ERP
// order reference as its metafield, up to 25 orders for one mutation's cost. Each acknowledgement
// is confirmed by the mutation's own answer (its order's metafield with its value) or fails with
// its own error: metafieldsSet is atomic, so when Shopify refuses some inputs (each user error
// names its input's index) nothing was set; those orders fail and the others are sent again.
import type { ErpOrderIdInput, ErpOrderIdsSet } from './shopify-orders.client.js';

export type AcknowledgementOutcome =
  | { kind: 'confirmed' }
  /** Shopify refused this order's input (or the whole call): final for this request. */
  | { kind: 'refused'; message: string }
  /** Shopify set the metafields but does not show this order's value: try again. */
  | { kind: 'not_confirmed'; message: string }
  /** The call failed (transport, throttling, an answer Shopify would never send). */
  | { kind: 'failed'; error: unknown };

export interface ErpOrderIdsWriter {
  setErpOrderIds(inputs: readonly ErpOrderIdInput[]): Promise<ErpOrderIdsSet>;
}

/** One outcome per request, in order. Never throws: a failed call is each request's outcome. */
export async function acknowledgeBatch(writer: ErpOrderIdsWriter, requests: readonly ErpOrderIdInput[]): Promise<AcknowledgementOutcome[]> {
  const outcomes = new Map<number, AcknowledgementOutcome>();
  let pending = requests.map((_, index) => index);
  while (pending.length > 0) {
    // One input per order (two requests for one order share it; one with another value than the
    // first is then not confirmed, and its retry goes alone).
    const inputs: ErpOrderIdInput[] = [];
    const inputOf = new Map<number, number>();
    for (const index of pending) {
      const request = requests[index]!;
      let at = inputs.findIndex((input) => input.orderId === request.orderId);
      if (at < 0) at = inputs.push(request) - 1;
      inputOf.set(index, at);
    }
    let answer: ErpOrderIdsSet;
    try {
      answer = await writer.setErpOrderIds(inputs);
    } catch (error) {
      for (const index of pending) outcomes.set(index, { kind: 'failed', error });
      break;
    }
    if (answer.userErrors.length === 0) {
      for (const index of pending) outcomes.set(index, confirmation(requests[index]!, answer));
      break;
    }
    const refusedInputs = new Map<number, string[]>();
    const callRefusals: string[] = [];
    for (const error of answer.userErrors) {
      const text = `${error.code ?? 'ERROR'}: ${error.message}`;
      if (error.elementIndex === null || error.elementIndex >= inputs.length) callRefusals.push(text);
      else refusedInputs.set(error.elementIndex, [...(refusedInputs.get(error.elementIndex) ?? []), text]);
    }
    if (callRefusals.length > 0) {
      for (const index of pending) outcomes.set(index, { kind: 'refused', message: `metafieldsSet: ${callRefusals.join('; ')}` });
      break;
    }
    for (const index of pending) {
      const refusals = refusedInputs.get(inputOf.get(index)!);
      if (refusals) outcomes.set(index, { kind: 'refused', message: `metafieldsSet: ${refusals.join('; ')}` });
    }
    pending = pending.filter((index) => !outcomes.has(index));
  }
  return requests.map((_, index) => outcomes.get(index)!);
}

function confirmation(request: ErpOrderIdInput, answer: ErpOrderIdsSet): AcknowledgementOutcome {
  return answer.set.some((metafield) => metafield.orderId === request.orderId && metafield.erpOrderId === request.erpOrderId)
    ? { kind: 'confirmed' }
    : {
        kind: 'not_confirmed',
        message: `Shopify does not show the ERP order ${request.erpOrderId} on ${request.orderId} after metafieldsSet`,
      };
}
