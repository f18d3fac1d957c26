import { runServiceMain } from '@retail-mesh/service-kit';
import { catalogService } from './index.js';

await runServiceMain(catalogService);
