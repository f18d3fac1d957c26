import { GroupCommit } from '@retail-mesh/persistence';
import { describe, expect, it } from 'vitest';
import { acknowledgeBatch, type AcknowledgementOutcome, type ErpOrderIdsWriter } from './acknowledgement-batch.js';
import type { ErpOrderIdInput, ErpOrderIdsSet } from './shopify-orders.client.js';

const order = (n: number) => `gid://shopify/Order/${n}`;
const request = (n: number, erpOrderId = `SO-${n}`): ErpOrderIdInput => ({ orderId: order(n), erpOrderId });

/** A metafieldsSet that refuses some orders (atomic, like Shopify: then nothing is set) and records each call's inputs. */
class FakeShopify implements ErpOrderIdsWriter {
  readonly calls: ErpOrderIdInput[][] = [];
  readonly refused = new Set<string>();
  /** Calls wait for this before answering, while it is set. */
  gate: Promise<void> | undefined;
  private calledNow!: () => void;
  /** Resolves once the first call is out. */
  readonly called = new Promise<void>((resolve) => (this.calledNow = resolve));
  answer: (inputs: readonly ErpOrderIdInput[]) => ErpOrderIdsSet = (inputs) => {
    const userErrors = inputs.flatMap((input, elementIndex) =>
      this.refused.has(input.orderId) ? [{ elementIndex, code: 'INVALID', message: 'Owner does not exist.' }] : [],
    );
    return { set: userErrors.length > 0 ? [] : inputs.map((input) => ({ ...input })), userErrors };
  };

  async setErpOrderIds(inputs: readonly ErpOrderIdInput[]): Promise<ErpOrderIdsSet> {
    this.calls.push([...inputs]);
    this.calledNow();
    await this.gate;
    return this.answer(inputs);
  }
}

describe('acknowledgeBatch', () => {
  it('sets every order in one call and confirms each by the answer', async () => {
    const shopify = new FakeShopify();
    const outcomes = await acknowledgeBatch(shopify, [request(1), request(2), request(3)]);
    expect(outcomes).toEqual([{ kind: 'confirmed' }, { kind: 'confirmed' }, { kind: 'confirmed' }]);
    expect(shopify.calls).toEqual([[request(1), request(2), request(3)]]);
  });

  it('fails only the order Shopify refuses by its index, and sends the others again (nothing of the refused call was set)', async () => {
    const shopify = new FakeShopify();
    shopify.refused.add(order(2));
    const outcomes = await acknowledgeBatch(shopify, [request(1), request(2), request(3)]);
    expect(outcomes).toEqual([
      { kind: 'confirmed' },
      { kind: 'refused', message: 'metafieldsSet: INVALID: Owner does not exist.' },
      { kind: 'confirmed' },
    ]);
    expect(shopify.calls).toEqual([
      [request(1), request(2), request(3)],
      [request(1), request(3)],
    ]);
  });

  it('refuses every order when Shopify refuses the call itself', async () => {
    const shopify = new FakeShopify();
    shopify.answer = () => ({ set: [], userErrors: [{ elementIndex: null, code: 'LESS_THAN_OR_EQUAL_TO', message: 'too many' }] });
    expect(await acknowledgeBatch(shopify, [request(1), request(2)])).toEqual([
      { kind: 'refused', message: 'metafieldsSet: LESS_THAN_OR_EQUAL_TO: too many' },
      { kind: 'refused', message: 'metafieldsSet: LESS_THAN_OR_EQUAL_TO: too many' },
    ]);
  });

  it('gives every order the error of a failed call, and does not confirm an order the answer does not show with its value', async () => {
    const failing: ErpOrderIdsWriter = { setErpOrderIds: () => Promise.reject(new Error('connection reset')) };
    const failed = await acknowledgeBatch(failing, [request(1), request(2)]);
    expect(failed.map((outcome) => outcome.kind)).toEqual(['failed', 'failed']);
    expect((failed[0] as { error: Error }).error.message).toBe('connection reset');

    const shopify = new FakeShopify();
    shopify.answer = (inputs) => ({ set: inputs.slice(1), userErrors: [] });
    expect(await acknowledgeBatch(shopify, [request(1), request(2)])).toEqual([
      { kind: 'not_confirmed', message: `Shopify does not show the ERP order SO-1 on ${order(1)} after metafieldsSet` },
      { kind: 'confirmed' },
    ]);
  });

  it('sends one input for two acknowledgements of one order; one with another value is not confirmed', async () => {
    const shopify = new FakeShopify();
    const outcomes = await acknowledgeBatch(shopify, [request(1), request(1), request(1, 'SO-other')]);
    expect(shopify.calls).toEqual([[request(1)]]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['confirmed', 'confirmed', 'not_confirmed']);
  });
});

describe('acknowledgements under a group commit of 25', () => {
  it('sends one alone when idle, and the ones that arrive while it is out together in the next calls of at most 25', async () => {
    const shopify = new FakeShopify();
    let release!: () => void;
    shopify.gate = new Promise((resolve) => (release = resolve));
    const batches = new GroupCommit<ErpOrderIdInput, AcknowledgementOutcome>(25, (requests) => acknowledgeBatch(shopify, requests));

    const first = batches.submit(request(0));
    // The first call is out (and held) before the others arrive.
    await shopify.called;
    const rest = Array.from({ length: 30 }, (_, index) => batches.submit(request(index + 1)));
    release();
    const outcomes = await Promise.all([first, ...rest]);

    expect(outcomes.every((outcome) => outcome.kind === 'confirmed')).toBe(true);
    expect(shopify.calls.map((call) => call.length)).toEqual([1, 25, 5]);
  });
});
