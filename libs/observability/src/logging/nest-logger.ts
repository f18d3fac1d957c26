import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * NestJS's own messages (module init, route mapping, errors it catches) through the service's
 * pino logger, so the process writes JSON only. Nest passes its context (the class that logs)
 * as the last argument.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    // Nest's error(message, stack, context): the string before the context is a stack trace.
    const stack = level === 'error' && rest.length >= 2 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const details: Record<string, unknown> = { component: context ? `nest:${context}` : 'nest' };
    if (stack) details.stack = stack;
    if (message instanceof Error) {
      this.logger[level]({ ...details, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...details, ...message }, 'nest');
    } else {
      this.logger[level](details, String(message));
    }
  }
}
