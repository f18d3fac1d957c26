import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES, SERVICE_PORTS, shiftedPorts } from './topology.js';

/** Linux's default ephemeral range, from which outgoing connections take their local ports. */
const EPHEMERAL_PORTS = { from: 32_768, to: 60_999 };

describe('shiftedPorts', () => {
  it('keeps the default ports of ARCHITECTURE §10 at offset 0', () => {
    expect(shiftedPorts(0).services).toEqual(SERVICE_PORTS);
  });

  it('moves every port of a shifted mesh out of the ephemeral range, with no two alike', () => {
    for (const offset of [300, 400, 500, 600, 700, 800, 900]) {
      const { services, sandboxes } = shiftedPorts(offset);
      const ports = [...SERVICE_NAMES.flatMap((name) => [services[name].grpcPort, services[name].httpPort]), ...Object.values(sandboxes)];
      for (const port of ports) expect(port < EPHEMERAL_PORTS.from || port > EPHEMERAL_PORTS.to).toBe(true);
      expect(new Set(ports).size).toBe(ports.length);
    }
  });

  it('gives meshes at different offsets disjoint ports', () => {
    const portsAt = (offset: number) => {
      const { services, sandboxes } = shiftedPorts(offset);
      return [...SERVICE_NAMES.flatMap((name) => [services[name].grpcPort, services[name].httpPort]), ...Object.values(sandboxes)];
    };
    const taken = new Set(portsAt(300));
    expect(portsAt(400).filter((port) => taken.has(port))).toEqual([]);
  });
});
