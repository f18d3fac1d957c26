export {
  env,
  readConfig,
  Setting,
  ConfigError,
  type ConfigSchema,
  type ConfigValues,
  type Environment,
  type IntOptions,
} from './config/config-schema.js';
export { readServiceConfig, type ServiceConfig, type ServiceConfigDefaults, type DatabaseConfig } from './config/service-config.js';
export {
  defineService,
  SERVICE_CONFIG,
  LOGGER,
  EVENT_BUS,
  type ServiceDefinition,
  type ServiceInfrastructure,
} from './definition/service-definition.js';
export { startService, busMetricsObserver, type StartServiceOptions, type RunningService } from './bootstrap/start-service.js';
export { runServiceMain } from './bootstrap/run-service-main.js';
export { serviceConfigFor } from './bootstrap/service-config-for.js';
export { createServiceDataSource, serviceDatabaseOptions } from './bootstrap/service-data-source.js';
export { ServiceKitModule } from './bootstrap/service-kit.module.js';
export { freePort } from './bootstrap/free-port.js';
export {
  OutboxPublisher,
  outgoingEvent,
  type OutgoingEvent,
  type PublishInTransaction,
  type TransactionContext,
} from './events/outbox-publisher.js';
export {
  EventConsumers,
  onEvent,
  onEventOutsideTransaction,
  onEventBatch,
  type BatchHandlerOptions,
  type Dedupe,
  type HandlerMode,
  type EventConsumerOptions,
  type EventHandler,
  type HandlerOptions,
  type ReceivedEvent,
} from './events/event-consumers.js';
export {
  ServiceError,
  NotFoundError,
  InvalidArgumentError,
  FailedPreconditionError,
  AlreadyExistsError,
  AbortedError,
  UnavailableError,
  UnimplementedError,
} from './errors/service-errors.js';
export {
  ERROR_REASON_KEY,
  toGrpcStatus,
  toRpcException,
  errorReasonOf,
  toItemStatus,
  answerEach,
  type ItemResult,
  type ItemStatus,
  GrpcErrorMappingInterceptor,
  type GrpcErrorStatus,
} from './errors/grpc-error-mapping.js';
export { createGrpcClient, type GrpcClient, type GrpcClientOptions, type CallSettings } from './grpc/grpc-client.js';
export { BatchedCalls, type BatchedCallsOptions, type BatchItemResult } from './grpc/batched-calls.js';
export { forEachConcurrently } from './concurrency/for-each-concurrently.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSizeOf, encodePageToken, decodePageToken, pageOf } from './grpc/pagination.js';
