// The broker's quorum-queue write-ahead log (Ra's WAL), reached through `rabbitmqctl eval` as the
// bench reaches vhosts. Every `raft.wal_max_size_bytes` (512 MiB by default) the WAL rolls over to a
// new file and its segment writer flushes every queue's entries to segment files: on the 2-core
// machine about 0.4 core-seconds within half a second, during which every service of the mesh
// waits for the CPU (ADR 0016). The benchmark rolls it before each latency phase, and counts the
// roll-overs that happened during a phase anyway.
import { rabbitmqctl, waitFor } from '@retail-mesh/testing';

const WAL_FILES = 'filelib:wildcard(filename:join([rabbit_mnesia:dir(), "quorum", atom_to_list(node()), "*.wal"]))';

/** The sequence number of the WAL file being written (its name: `00000019.wal`). */
export async function brokerWalSequence(): Promise<number> {
  const names = [...(await rabbitmqctl('eval', `${WAL_FILES}.`)).matchAll(/(\d+)\.wal/g)].map((match) => Number(match[1]));
  if (names.length === 0) throw new Error('the broker shows no quorum-queue WAL file');
  return Math.max(...names);
}

/**
 * Rolls the WAL over now and waits until the broker has flushed the closed file's entries (its
 * segment writer is idle) and writes a new file. Returns the new file's sequence number.
 */
export async function rollBrokerWal(): Promise<number> {
  const before = await brokerWalSequence();
  await rabbitmqctl(
    'eval',
    'ok = ra_log_wal:force_roll_over(ra_log_wal), _ = sys:get_state(ra_log_wal), ok = ra_log_segment_writer:await(ra_log_segment_writer).',
  );
  // The WAL opens its next file as it processes the roll, which the calls above do not wait for.
  return waitFor(
    async () => {
      const sequence = await brokerWalSequence();
      return sequence > before ? sequence : undefined;
    },
    {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'the broker to write a new WAL file',
    },
  );
}
