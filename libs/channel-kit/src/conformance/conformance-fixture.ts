// What an adapter's int-spec hands the conformance suite: how to start the adapter against its
// sandbox, and how to seed and read back the sandbox in the channel's own terms. The suite
// asserts the contract only through the adapter's gRPC server and these read-backs.
import type { channelV1 } from '@retail-mesh/contracts';
import type { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import type { ServiceTestMode } from '@retail-mesh/service-kit/testing';

/** A ChannelAdapterService method, as the generated client names it. */
export type ChannelAdapterMethod = keyof channelV1.ChannelAdapterServiceClient;

/** A SKU's listing as the channel holds it. */
export interface ListingOnChannel {
  /** The quantity the channel shows now. */
  quantity: number;
  /** Every quantity the channel applied after seeding, oldest first (one entry per change it made). */
  applied: number[];
}

export interface SeededOrderLine {
  channelLineId: string;
  sku: string;
  quantity: number;
}

/** An open order created on the channel (not through the adapter). */
export interface SeededOrder {
  channelOrderId: string;
  lines: SeededOrderLine[];
}

/** An order as the channel holds it. */
export interface OrderOnChannel {
  /** One entry per acknowledgement the channel recorded, each naming the seller's order reference it carries. */
  acknowledgements: string[];
  /** One entry per shipment (fulfilment) the channel recorded. */
  shipments: Array<{ trackingNumbers: string[]; units: number }>;
  cancelled: boolean;
  /** Cancellation records the channel holds (per order or per item, as the channel keeps them). */
  cancellations: number;
}

/** One adapter started against its own sandbox, for one test mode. */
export interface ConformanceHarness {
  /** `host:port` of the adapter's gRPC server. */
  grpcUrl: string;
  /** Base URL of the adapter's HTTP server (`/metrics`). */
  httpUrl: string;
  /** Every channel account the adapter is configured with (at least two); the suite works on the first. */
  accounts: readonly string[];
  /** The sandbox's shared admin routes (faults, request log). */
  sandbox: SandboxAdminClient;
  /** Lists the SKU on the channel for the first account with this quantity, and maps it wherever the adapter looks listings up. */
  seedListing(sku: string, quantity: number): Promise<void>;
  /** The SKU's listing on the channel for the first account; undefined when the channel has none. */
  listing(sku: string): Promise<ListingOnChannel | undefined>;
  /** Creates an open order of the first account on the channel, one line per SKU. */
  seedOrder(lines: Array<{ sku: string; quantity: number }>): Promise<SeededOrder>;
  order(channelOrderId: string): Promise<OrderOnChannel>;
  /** Stops the adapter, its peers and the sandbox, and removes the test schema and vhost. */
  stop(): Promise<void>;
}

export interface ChannelAdapterConformanceFixture {
  /** What GetAdapterStatus.channel answers: `shopify`. */
  channel: string;
  /** Prefix of the adapter's metrics: `retail_mesh_channel_shopify_`. */
  metricsPrefix: string;
  /** The sandbox operation a push of one SKU calls (the scope of the injected faults). */
  pushOperation: string;
  /** Methods the adapter does not implement yet: they must answer UNIMPLEMENTED. */
  unimplemented: readonly ChannelAdapterMethod[];
  /** A well-formed channel order id the channel does not know. */
  unknownOrderId: string;
  /** Whether GetOrderState can name tracking numbers (Amazon's Orders API returns none). */
  orderStateTracking: boolean;
  /** Default: PostgreSQL + RabbitMQ, then SQLite + the in-process bus. */
  modes?: readonly ServiceTestMode[];
  start(mode: ServiceTestMode): Promise<ConformanceHarness>;
}
