import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import type { LineQuantities } from './order-lines.js';
import { ORDER_STATES, ORDER_TRANSITIONS, canTransition, isTerminalState, isWorkState, type OrderState } from './order-state.js';
import { applyOrderAction, type OrderAction } from './order-state-machine.js';

const line = (lineId: string, quantity: number, shippedQuantity = 0, cancelledQuantity = 0): LineQuantities => ({
  lineId,
  quantity,
  shippedQuantity,
  cancelledQuantity,
});

const twoLines = [line('L1', 3), line('L2', 1)];

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
  throw new Error('expected a DomainValidationError');
}

describe('the order state table', () => {
  it('follows the happy path received -> validated -> reserved -> accepted -> acknowledged -> partially shipped -> shipped', () => {
    const path: OrderState[] = ['RECEIVED', 'VALIDATED', 'RESERVED', 'ACCEPTED', 'ACKNOWLEDGED', 'PARTIALLY_SHIPPED', 'SHIPPED'];
    for (let index = 1; index < path.length; index++) expect(canTransition(path[index - 1]!, path[index]!)).toBe(true);
  });

  it('holds only orders the worker is still advancing, and a hold goes back to validation or is cancelled', () => {
    const holdable = ORDER_STATES.filter((state) => canTransition(state, 'ON_HOLD'));
    expect(holdable).toEqual(['RECEIVED', 'VALIDATED', 'RESERVED']);
    expect(ORDER_TRANSITIONS.ON_HOLD).toEqual(['RECEIVED', 'CANCELLED']);
  });

  it('cannot cancel a partially shipped order as a whole, and nothing leaves shipped or cancelled', () => {
    expect(canTransition('PARTIALLY_SHIPPED', 'CANCELLED')).toBe(false);
    expect(ORDER_TRANSITIONS.SHIPPED).toEqual([]);
    expect(ORDER_TRANSITIONS.CANCELLED).toEqual([]);
    expect(ORDER_STATES.filter(isTerminalState)).toEqual(['SHIPPED', 'CANCELLED']);
    expect(ORDER_STATES.filter(isWorkState)).toEqual(['RECEIVED', 'VALIDATED', 'RESERVED']);
  });

  it('never skips the ERP: nothing reaches ACCEPTED but a RESERVED order', () => {
    expect(ORDER_STATES.filter((state) => canTransition(state, 'ACCEPTED'))).toEqual(['RESERVED']);
  });
});

describe('applyOrderAction', () => {
  it('advances the worker states without events until the ERP order exists', () => {
    expect(applyOrderAction('RECEIVED', twoLines, { kind: 'validate' })).toMatchObject({ from: 'RECEIVED', to: 'VALIDATED', events: [] });
    expect(applyOrderAction('VALIDATED', twoLines, { kind: 'reserve' })).toMatchObject({ to: 'RESERVED', events: [] });
    expect(applyOrderAction('RESERVED', twoLines, { kind: 'accept' })).toMatchObject({ to: 'ACCEPTED', events: ['order_accepted'] });
    expect(applyOrderAction('ACCEPTED', twoLines, { kind: 'acknowledge' })).toMatchObject({
      to: 'ACKNOWLEDGED',
      events: [],
      changed: true,
    });
  });

  it('puts an order on hold with an event, and a release sends it back to validation', () => {
    for (const state of ['RECEIVED', 'VALIDATED', 'RESERVED'] as const) {
      expect(applyOrderAction(state, twoLines, { kind: 'hold', reason: 'FRAUD_REVIEW' })).toMatchObject({
        to: 'ON_HOLD',
        events: ['order_on_hold'],
      });
    }
    expect(applyOrderAction('ON_HOLD', twoLines, { kind: 'release' })).toMatchObject({ to: 'RECEIVED', events: [] });
  });

  it('rejects actions the state does not allow', () => {
    const refused: Array<[OrderState, OrderAction]> = [
      ['ACCEPTED', { kind: 'hold', reason: 'MANUAL' }],
      ['VALIDATED', { kind: 'validate' }],
      ['RECEIVED', { kind: 'reserve' }],
      ['VALIDATED', { kind: 'accept' }],
      ['RESERVED', { kind: 'acknowledge' }],
      ['RECEIVED', { kind: 'release' }],
      ['RESERVED', { kind: 'ship', lines: [{ lineId: 'L1', quantity: 1 }] }],
      ['SHIPPED', { kind: 'cancel', lines: [] }],
      ['CANCELLED', { kind: 'cancel', lines: [] }],
      ['CANCELLED', { kind: 'acknowledge' }],
    ];
    for (const [state, action] of refused)
      expect(
        reasonOf(() => applyOrderAction(state, twoLines, action)),
        `${state} ${action.kind}`,
      ).toBe('invalid_transition');
  });

  it('treats a late acknowledgement as no change', () => {
    for (const state of ['ACKNOWLEDGED', 'PARTIALLY_SHIPPED', 'SHIPPED'] as const) {
      expect(applyOrderAction(state, twoLines, { kind: 'acknowledge' })).toMatchObject({
        from: state,
        to: state,
        events: [],
        changed: false,
      });
    }
  });

  it('ships partially, then fully, with an event each time', () => {
    const partial = applyOrderAction('ACKNOWLEDGED', twoLines, { kind: 'ship', lines: [{ lineId: 'L1', quantity: 2 }] });
    expect(partial).toMatchObject({ to: 'PARTIALLY_SHIPPED', events: ['order_shipped'], changedLines: [{ lineId: 'L1', quantity: 2 }] });
    expect(partial.lines).toEqual([line('L1', 3, 2), line('L2', 1)]);

    const more = applyOrderAction('PARTIALLY_SHIPPED', partial.lines, { kind: 'ship', lines: [{ lineId: 'L2', quantity: 1 }] });
    expect(more).toMatchObject({ from: 'PARTIALLY_SHIPPED', to: 'PARTIALLY_SHIPPED', events: ['order_shipped'] });

    const full = applyOrderAction('PARTIALLY_SHIPPED', more.lines, { kind: 'ship', lines: [{ lineId: 'L1', quantity: 1 }] });
    expect(full).toMatchObject({ to: 'SHIPPED', events: ['order_shipped'] });
    // The input is never modified.
    expect(twoLines).toEqual([line('L1', 3), line('L2', 1)]);
  });

  it('ships an accepted order that was never acknowledged (the shipment overtook the acknowledgement)', () => {
    expect(
      applyOrderAction('ACCEPTED', twoLines, {
        kind: 'ship',
        lines: [
          { lineId: 'L1', quantity: 3 },
          { lineId: 'L2', quantity: 1 },
        ],
      }).to,
    ).toBe('SHIPPED');
  });

  it('refuses to ship more than is left, unknown lines, nothing at all or non-positive quantities', () => {
    const partial = [line('L1', 3, 2), line('L2', 1, 0, 1)];
    expect(reasonOf(() => applyOrderAction('PARTIALLY_SHIPPED', partial, { kind: 'ship', lines: [{ lineId: 'L1', quantity: 2 }] }))).toBe(
      'exceeds_remaining',
    );
    expect(reasonOf(() => applyOrderAction('PARTIALLY_SHIPPED', partial, { kind: 'ship', lines: [{ lineId: 'L2', quantity: 1 }] }))).toBe(
      'exceeds_remaining',
    );
    expect(reasonOf(() => applyOrderAction('ACCEPTED', twoLines, { kind: 'ship', lines: [{ lineId: 'L9', quantity: 1 }] }))).toBe(
      'unknown_line',
    );
    expect(reasonOf(() => applyOrderAction('ACCEPTED', twoLines, { kind: 'ship', lines: [] }))).toBe('invalid_quantity');
    expect(reasonOf(() => applyOrderAction('ACCEPTED', twoLines, { kind: 'ship', lines: [{ lineId: 'L1', quantity: 0 }] }))).toBe(
      'invalid_quantity',
    );
    expect(
      reasonOf(() =>
        applyOrderAction('ACCEPTED', twoLines, {
          kind: 'ship',
          lines: [
            { lineId: 'L1', quantity: 1 },
            { lineId: 'L1', quantity: 1 },
          ],
        }),
      ),
    ).toBe('duplicate_line');
  });

  it('cancels everything left when no lines are given', () => {
    const cancelled = applyOrderAction('RESERVED', twoLines, { kind: 'cancel', lines: [] });
    expect(cancelled).toMatchObject({
      to: 'CANCELLED',
      events: ['order_cancelled'],
      changedLines: [
        { lineId: 'L1', quantity: 3 },
        { lineId: 'L2', quantity: 1 },
      ],
    });
    expect(cancelled.lines).toEqual([line('L1', 3, 0, 3), line('L2', 1, 0, 1)]);
  });

  it('keeps the state on a partial cancellation and cancels the order once nothing is left', () => {
    const partial = applyOrderAction('ON_HOLD', twoLines, { kind: 'cancel', lines: [{ lineId: 'L2', quantity: 1 }] });
    expect(partial).toMatchObject({ from: 'ON_HOLD', to: 'ON_HOLD', events: ['order_cancelled'] });
    const rest = applyOrderAction('ON_HOLD', partial.lines, { kind: 'cancel', lines: [{ lineId: 'L1', quantity: 3 }] });
    expect(rest.to).toBe('CANCELLED');
  });

  it('ships a partially shipped order whose remaining units are cancelled', () => {
    const partial = [line('L1', 3, 2), line('L2', 1)];
    const change = applyOrderAction('PARTIALLY_SHIPPED', partial, { kind: 'cancel', lines: [] });
    expect(change).toMatchObject({
      to: 'SHIPPED',
      events: ['order_cancelled'],
      changedLines: [
        { lineId: 'L1', quantity: 1 },
        { lineId: 'L2', quantity: 1 },
      ],
    });
  });

  it('refuses to cancel more than is left, or anything once nothing is left', () => {
    expect(reasonOf(() => applyOrderAction('ACCEPTED', twoLines, { kind: 'cancel', lines: [{ lineId: 'L2', quantity: 2 }] }))).toBe(
      'exceeds_remaining',
    );
    const nothingLeft = [line('L1', 1, 1)];
    // A fully shipped order is SHIPPED, but even a stale state finds nothing to cancel.
    expect(reasonOf(() => applyOrderAction('PARTIALLY_SHIPPED', nothingLeft, { kind: 'cancel', lines: [] }))).toBe('invalid_transition');
  });

  it('only ever moves along the state table', () => {
    const actions: OrderAction[] = [
      { kind: 'validate' },
      { kind: 'reserve' },
      { kind: 'accept' },
      { kind: 'acknowledge' },
      { kind: 'hold', reason: 'MANUAL' },
      { kind: 'release' },
      { kind: 'ship', lines: [{ lineId: 'L1', quantity: 1 }] },
      {
        kind: 'ship',
        lines: [
          { lineId: 'L1', quantity: 3 },
          { lineId: 'L2', quantity: 1 },
        ],
      },
      { kind: 'cancel', lines: [] },
      { kind: 'cancel', lines: [{ lineId: 'L1', quantity: 1 }] },
    ];
    // Lines as they are in each state: a partially shipped order has shipped something.
    const linesIn = (state: OrderState) => (state === 'PARTIALLY_SHIPPED' ? [line('L1', 3, 1), line('L2', 1)] : twoLines);
    let checked = 0;
    for (const state of ORDER_STATES) {
      for (const action of actions) {
        let change;
        try {
          change = applyOrderAction(state, linesIn(state), action);
        } catch (error) {
          if (error instanceof DomainValidationError) continue;
          throw error;
        }
        checked++;
        if (change.to !== change.from) expect(canTransition(change.from, change.to), `${state} ${action.kind}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
