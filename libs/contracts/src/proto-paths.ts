import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository's proto/ directory (the buf module root). Computed from this
 * file's location, which is libs/contracts/src or libs/contracts/dist: both three levels below
 * the repository root. Deployments must ship proto/ next to libs/ (NestJS loads the .proto files
 * at run time).
 */
export const PROTO_ROOT = fileURLToPath(new URL('../../../proto', import.meta.url));
