// Public API of @retail-mesh/contracts: the generated protobuf TypeScript (ts-proto), one
// namespace per .proto file, plus the hand-written glue every service shares.
//
// Namespaces: `<domain>V1` is retail/<domain>/v1/<domain>_service.proto (the service's
// controller/client interfaces, its requests/responses and the domain's resource messages);
// `<domain>EventsV1` is retail/<domain>/v1/<domain>_events.proto. A v2 package would add
// `<domain>V2` beside them.
export * as commonV1 from './generated/retail/common/v1/common.js';
export * as catalogV1 from './generated/retail/catalog/v1/catalog_service.js';
export * as catalogEventsV1 from './generated/retail/catalog/v1/catalog_events.js';
export * as inventoryV1 from './generated/retail/inventory/v1/inventory_service.js';
export * as inventoryEventsV1 from './generated/retail/inventory/v1/inventory_events.js';
export * as ordersV1 from './generated/retail/orders/v1/orders_service.js';
export * as ordersEventsV1 from './generated/retail/orders/v1/orders_events.js';
export * as returnsV1 from './generated/retail/returns/v1/returns_service.js';
export * as returnsEventsV1 from './generated/retail/returns/v1/returns_events.js';
export * as settlementV1 from './generated/retail/settlement/v1/settlement_service.js';
export * as settlementEventsV1 from './generated/retail/settlement/v1/settlement_events.js';
export * as erpV1 from './generated/retail/erp/v1/erp_service.js';
export * as erpEventsV1 from './generated/retail/erp/v1/erp_events.js';
export * as channelV1 from './generated/retail/channel/v1/channel_service.js';
export * as channelEventsV1 from './generated/retail/channel/v1/channel_events.js';
export * as operationsV1 from './generated/retail/operations/v1/operations_service.js';
export * as operationsEventsV1 from './generated/retail/operations/v1/operations_events.js';
export { Timestamp } from './generated/google/protobuf/timestamp.js';
// The codec shape ts-proto generates for every message (encode, decode, fromPartial, JSON).
export type { MessageFns } from './generated/retail/common/v1/common.js';

export { MAX_CREATE_SALES_ORDERS_REQUESTS, MAX_SUBMIT_ORDERS_REQUESTS } from './batch-limits.js';
export { PROTO_ROOT } from './proto-paths.js';
export { PROTO_FILES, grpcServices, type GrpcServiceContract } from './grpc-services.js';
export { protoLoaderOptions } from './proto-loader-options.js';
export { toTimestamp, fromTimestamp } from './timestamp.js';
export { Events, ALL_EVENTS, CHANNEL_SLUG_PATTERN, eventDefinitionOf, routingKeyOf, type EventDefinition } from './events.js';
