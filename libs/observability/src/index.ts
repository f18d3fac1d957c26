export {
  type TraceContext,
  parseTraceparent,
  formatTraceparent,
  newTraceContext,
  childTraceContext,
  runWithTraceContext,
  runWithTraceparent,
  currentTraceContext,
  currentTraceparent,
  childTraceparent,
  childTraceparentOf,
} from './trace/trace-context.js';
export {
  TRACEPARENT_KEY,
  traceparentFromMetadata,
  setTraceparentInMetadata,
  traceparentFromHeaders,
  withTraceparentHeader,
} from './trace/trace-propagation.js';
export { createLogger, LOG_LEVELS, type LogLevel, type LoggerOptions, type Logger, type DestinationStream } from './logging/logger.js';
export { NestPinoLogger } from './logging/nest-logger.js';
export { METRIC_PREFIX, serviceMetricName, sharedMetricName, type MetricKind } from './metrics/metric-names.js';
export {
  ServiceMetrics,
  EVENT_AGE_BUCKETS_SECONDS,
  grpcStatusName,
  type ServiceMetricsOptions,
  type GrpcCallObservation,
  type OutboxStats,
} from './metrics/service-metrics.js';
export { BusMetricsObserver } from './metrics/bus-metrics-observer.js';
export { Readiness, type ReadinessCheck, type ReadinessReport, type CheckResult } from './health/readiness.js';
export {
  observabilityRequestHandler,
  sendJson,
  startObservabilityServer,
  type ObservabilityEndpoints,
  type ObservabilityServer,
  type RequestHandler,
} from './health/observability-http.js';
export { GrpcHealth } from './grpc/grpc-health.js';
export { addGrpcReflection } from './grpc/grpc-reflection.js';
export {
  GrpcObservabilityInterceptor,
  grpcCodeOf,
  grpcMethodFromPath,
  type GrpcMethodName,
} from './grpc/grpc-observability.interceptor.js';
export { grpcHealthStatus, listGrpcServices } from './grpc/grpc-probes.js';
