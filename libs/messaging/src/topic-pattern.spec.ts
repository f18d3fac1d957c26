import { describe, expect, it } from 'vitest';
import { topicMatches } from './topic-pattern.js';

describe('topicMatches', () => {
  it.each([
    ['inventory.availability_changed.shopify', 'inventory.availability_changed.shopify', true],
    ['inventory.availability_changed.shopify', 'inventory.availability_changed.amazon', false],
    ['inventory.*.shopify', 'inventory.availability_changed.shopify', true],
    ['inventory.*.shopify', 'inventory.availability_changed.amazon', false],
    ['inventory.*', 'inventory.availability_changed.shopify', false],
    ['inventory.*', 'inventory', false],
    ['*', 'inventory', true],
    ['inventory.#', 'inventory', true],
    ['inventory.#', 'inventory.availability_changed', true],
    ['inventory.#', 'inventory.availability_changed.shopify', true],
    ['inventory.#', 'orders.created', false],
    ['#', 'anything.at.all', true],
    ['#.shopify', 'orders.created.shopify', true],
    ['#.shopify', 'shopify', true],
    ['#.shopify', 'orders.created.amazon', false],
    ['orders.#.shopify', 'orders.shopify', true],
    ['orders.#.shopify', 'orders.created.paid.shopify', true],
    ['orders.#.#.shopify', 'orders.created.shopify', true],
    ['*.created.#', 'orders.created', true],
    ['*.created.#', 'created', false],
  ])('pattern %s against %s is %s', (pattern, routingKey, expected) => {
    expect(topicMatches(pattern, routingKey)).toBe(expected);
  });
});
