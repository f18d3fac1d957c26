export * from './raw-amqp.js';
export * from './availability.bench.js';
