// The HTTP toolkit every sandbox shares: router, fault injection, request log, admin routes.
export * from './http-types.js';
export * from './router.js';
export * from './faults.js';
export * from './request-log.js';
export * from './sandbox-server.js';
export * from './sandbox-admin-client.js';
export * from './sandbox-main.js';
