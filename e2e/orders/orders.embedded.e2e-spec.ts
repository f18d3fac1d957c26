import { describeOrderFlow, useOrderMesh } from './order-flow.js';

/** Clear of the availability suites (300, 400), the benchmark (500) and Prometheus (600). */
const PORT_OFFSET = 700;

describeOrderFlow('embedded', useOrderMesh('embedded', PORT_OFFSET));
