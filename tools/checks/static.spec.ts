// Static checks run as tests, so CI counts them: type checking of the whole workspace and lint.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

async function exitOf(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('static checks', () => {
  it('type-checks the whole workspace', { timeout: 240_000 }, async () => {
    const result = await exitOf('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
    expect(result.output.trim()).toBe('');
    expect(result.code).toBe(0);
  });

  it('passes eslint and prettier', { timeout: 240_000 }, async () => {
    const result = await exitOf('npm', ['run', '--silent', 'lint']);
    expect(result.code, result.output).toBe(0);
  });
});
