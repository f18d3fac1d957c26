// Test support for services' int-specs; a subpath of its own so production code never loads it.
export {
  createServiceTestBed,
  scrapeMetric,
  SERVICE_TEST_MODES,
  type ServiceTestBed,
  type ServiceTestBedOptions,
  type ServiceTestMode,
} from './service-test-bed.js';
