export * from './isolation.js';
export * from './wait-for.js';
