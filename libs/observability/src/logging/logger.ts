// JSON logs, one object per line: `level` as a name, ISO `time`, the `service` that wrote it and
// the `trace_id`/`span_id` of the work in progress (from the AsyncLocalStorage trace context),
// so a log search by trace id finds every line of a flow across services.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { currentTraceContext } from '../trace/trace-context.js';

export type { Logger, DestinationStream } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** The service name, e.g. `inventory`: the `service` field of every line. */
  service: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const context = currentTraceContext();
        return context ? { trace_id: context.traceId, span_id: context.spanId } : {};
      },
    },
    // Default: pino's synchronous stdout, so nothing is lost when the process exits.
    options.destination,
  );
}
