export * from './raw-amqp.js';
