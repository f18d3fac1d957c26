export * from './isolation.js';
export * from './wait-for.js';
export * from './migration-databases.js';
