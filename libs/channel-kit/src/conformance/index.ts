// Test support for adapters' int-specs (`@retail-mesh/channel-kit/testing`): the ChannelAdapterService
// conformance suite. A subpath of its own so production code never loads vitest.
export { describeChannelAdapterConformance } from './channel-adapter-conformance.js';
export type {
  ChannelAdapterConformanceFixture,
  ChannelAdapterMethod,
  ConformanceHarness,
  ListingOnChannel,
  OrderOnChannel,
  SeededOrder,
  SeededOrderLine,
} from './conformance-fixture.js';
