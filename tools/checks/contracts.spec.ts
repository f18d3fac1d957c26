// Contract checks (ARCHITECTURE §3), run as tests so CI counts them: buf lint and format are
// clean, no breaking change against the previous commit, and the generated TypeScript in
// libs/contracts/src/generated is what proto/ generates now. All offline: buf and the ts-proto
// plugin come from node_modules.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const protoDir = path.join(root, 'proto');
const generatedDir = path.join(root, 'libs/contracts/src/generated');
const buf = path.join(root, 'node_modules/.bin/buf');

function run(command: string, args: string[], cwd = root): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The commit to check compatibility against. CI checks out a commit, so the working tree
 * normally equals HEAD and comparing with HEAD would prove nothing: HEAD~1 is the state before
 * the change under test. When HEAD~1 does not exist (first commit, shallow clone) or has no
 * proto/ yet (the commit that introduces the contracts), HEAD is the baseline, which still
 * catches uncommitted breaking edits. Undefined when no commit has proto/ at all.
 */
function breakingBaseline(): string | undefined {
  return ['HEAD~1', 'HEAD'].find((ref) => run('git', ['cat-file', '-e', `${ref}:proto/buf.yaml`]).status === 0);
}

/** Relative paths of the files under dir, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('protobuf contracts', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'contracts-check-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('pass buf lint (STANDARD)', { timeout: 60_000 }, () => {
    const result = run(buf, ['lint'], protoDir);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('are formatted as buf format writes them', { timeout: 60_000 }, () => {
    const result = run(buf, ['format', '-d', '--exit-code'], protoDir);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('have no breaking change against the previous commit (buf breaking, FILE)', { timeout: 60_000 }, () => {
    const baseline = breakingBaseline();
    if (baseline === undefined) {
      // Nothing committed to be compatible with: proto/ is new in the working tree.
      expect(run('git', ['ls-tree', '--name-only', 'HEAD', 'proto']).output.trim()).toBe('');
      return;
    }
    const result = run(buf, ['breaking', 'proto', '--against', `.git#ref=${baseline},subdir=proto`]);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('have fresh generated TypeScript (regenerated and compared byte for byte)', { timeout: 120_000 }, () => {
    const fresh = path.join(scratch, 'generated');
    const result = run('bash', [path.join(root, 'scripts/proto-generate.sh'), fresh]);
    expect(result.status, result.output).toBe(0);

    const files = filesUnder(fresh);
    expect(filesUnder(generatedDir)).toEqual(files);
    for (const file of files) {
      expect(
        readFileSync(path.join(generatedDir, file)).equals(readFileSync(path.join(fresh, file))),
        `${file} is stale: run npm run proto:generate`,
      ).toBe(true);
    }
  });
});
