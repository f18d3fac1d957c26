import { ConfigError, readConfig } from '@retail-mesh/service-kit';
import { describe, expect, it } from 'vitest';
import { erpConnectorSettings } from './erp-connector.config.js';

describe('erp-connector settings', () => {
  it('defaults to the sandbox with NetSuite idempotency', () => {
    expect(readConfig(erpConnectorSettings, {})).toMatchObject({
      idempotencyMode: 'netsuite',
      orderRequestRetries: 2,
      defaultCustomerId: '1',
      customerIds: {},
    });
  });

  it('reads the lookup mode and a customer per channel account', () => {
    const settings = readConfig(erpConnectorSettings, {
      ERP_IDEMPOTENCY_MODE: 'lookup',
      ERP_CUSTOMER_IDS: '{"shop-eu":"1201","amazon-de":"1202"}',
    });
    expect(settings).toMatchObject({ idempotencyMode: 'lookup', customerIds: { 'shop-eu': '1201', 'amazon-de': '1202' } });
  });

  it.each([
    [{ ERP_IDEMPOTENCY_MODE: 'maybe' }, 'ERP_IDEMPOTENCY_MODE must be one of netsuite, lookup'],
    [{ ERP_CUSTOMER_IDS: '["1201"]' }, 'ERP_CUSTOMER_IDS must be a JSON object'],
    [{ ERP_CUSTOMER_IDS: '{"shop-eu": 1201}' }, 'ERP_CUSTOMER_IDS must be a JSON object'],
    [{ ERP_DEFAULT_CUSTOMER_ID: 'a b' }, 'ERP_DEFAULT_CUSTOMER_ID must be'],
    [{ ERP_ORDER_REQUEST_RETRIES: '11' }, 'ERP_ORDER_REQUEST_RETRIES must be an integer from 0 to 10'],
  ])('refuses %j, naming the variable', (environment, message) => {
    expect(() => readConfig(erpConnectorSettings, environment)).toThrow(ConfigError);
    expect(() => readConfig(erpConnectorSettings, environment)).toThrow(message);
  });
});
