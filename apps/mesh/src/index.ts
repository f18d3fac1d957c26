export * from './topology.js';
export * from './mesh-environment.js';
export * from './demo-data.js';
export * from './sandboxes.js';
export * from './embedded-mesh.js';
export * from './distributed-mesh.js';
export * from './process-supervisor.js';
