import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

// Tests import workspace packages from their TypeScript sources, not from dist/: every
// export's `types` entry (`.` and subpaths like `./testing`) is its source entry point.
// Exact-match patterns, so `@retail-mesh/x` never swallows `@retail-mesh/x/testing`.
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const group of ['libs', 'services', 'sandboxes', 'apps']) {
    const groupDir = path.join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const manifestPath = path.join(groupDir, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      for (const [subpath, target] of Object.entries<{ types?: string }>(manifest.exports ?? {})) {
        if (!target.types) continue;
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        aliases.push({ find: new RegExp(`^${specifier}$`), replacement: path.join(groupDir, name, target.types) });
      }
    }
  }
  return aliases;
}

const shared = {
  plugins: [swc.vite({ jsc: { target: 'es2022', transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  resolve: { alias: workspaceAliases() },
};

export default defineConfig({
  test: {
    // vitest's default on 2 cores is one worker; the integration tests mostly wait on PostgreSQL,
    // RabbitMQ and sandboxes over loopback, so a third worker keeps the cores busy meanwhile.
    maxWorkers: 3,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/last-run.json' },
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{libs,services,sandboxes,apps}/*/src/**/*.spec.ts', 'tools/**/*.spec.ts'],
        },
      },
      {
        ...shared,
        test: {
          name: 'int',
          include: ['{libs,services,sandboxes,apps}/*/src/**/*.int-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['tools/test-support/global-setup.ts'],
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e-spec.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['tools/test-support/global-setup.ts'],
        },
      },
    ],
  },
});
