import protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import {
  ALL_EVENTS,
  catalogEventsV1,
  channelEventsV1,
  erpEventsV1,
  Events,
  eventDefinitionOf,
  inventoryEventsV1,
  operationsEventsV1,
  ordersEventsV1,
  PROTO_FILES,
  protoLoaderOptions,
  returnsEventsV1,
  routingKeyOf,
  settlementEventsV1,
} from './index.js';

const eventModules = [
  catalogEventsV1,
  channelEventsV1,
  erpEventsV1,
  inventoryEventsV1,
  operationsEventsV1,
  ordersEventsV1,
  returnsEventsV1,
  settlementEventsV1,
];

/** Full names of the messages declared in the *_events.proto files (their ts-proto codecs). */
function declaredEventTypes(): string[] {
  return eventModules.flatMap((module) =>
    Object.entries(module)
      .filter(([, value]) => typeof value === 'object' && value !== null && 'encode' in value)
      .map(([name]) => `${module.protobufPackage}.${name}`),
  );
}

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

describe('event definitions', () => {
  it('cover exactly the messages of the *_events.proto files', () => {
    expect(ALL_EVENTS.map((definition) => definition.type).sort()).toEqual(declaredEventTypes().sort());
  });

  it('name every routing key <domain>.<snake_case message name>', () => {
    for (const definition of ALL_EVENTS) {
      const [, domain, , messageName] = definition.type.split('.');
      expect(definition.routingKey).toBe(`${domain}.${snakeCase(messageName)}`);
    }
  });

  it('name messages that exist in the runtime (proto-loader) view', () => {
    const packageDefinition = protoLoader.loadSync([...PROTO_FILES], protoLoaderOptions);
    for (const definition of ALL_EVENTS) expect(packageDefinition[definition.type], definition.type).toHaveProperty('type');
  });

  it('are found by their envelope type', () => {
    expect(eventDefinitionOf('retail.erp.v1.StockChanged')).toBe(Events.erp.stockChanged);
    expect(eventDefinitionOf('retail.erp.v1.NoSuchEvent')).toBeUndefined();
  });
});

describe('routingKeyOf', () => {
  it('appends the channel slug to channel-scoped events', () => {
    expect(routingKeyOf(Events.inventory.availabilityChanged, 'adobe-commerce')).toBe('inventory.availability_changed.adobe-commerce');
    expect(Events.inventory.availabilityChanged.binding).toBe('inventory.availability_changed.*');
  });

  it('keeps unscoped keys as they are', () => {
    expect(routingKeyOf(Events.erp.stockChanged)).toBe('erp.stock_changed');
    expect(Events.erp.stockChanged.binding).toBe('erp.stock_changed');
  });

  it('rejects a missing or malformed channel, and a channel on an unscoped event', () => {
    expect(() => routingKeyOf(Events.orders.orderAccepted)).toThrow(/channel slug/);
    expect(() => routingKeyOf(Events.orders.orderAccepted, 'Shop.ify')).toThrow(/channel slug/);
    expect(() => routingKeyOf(Events.erp.stockChanged, 'shopify')).toThrow(/not channel-scoped/);
  });
});
