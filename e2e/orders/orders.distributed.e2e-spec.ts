import { describeOrderFlow, describeOrderFlowUnderFailure, useOrderMesh } from './order-flow.js';

/** Clear of the availability suites (300, 400), the benchmark (500), Prometheus (600) and the embedded orders suite (700). */
const PORT_OFFSET = 800;
const getRig = useOrderMesh('distributed', PORT_OFFSET);

describeOrderFlow('distributed', getRig);
describeOrderFlowUnderFailure(getRig);
