import { describeAvailabilityFlow, useMesh } from './availability-flow.js';

describeAvailabilityFlow('embedded', useMesh('embedded'));
