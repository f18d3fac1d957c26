// Compiles the TypeScript sources of workspace projects into <project>/dist with SWC.
// SWC (not esbuild) because NestJS dependency injection needs emitDecoratorMetadata.
// Usage: node scripts/build.mjs [projectDir ...]   (no argument: every project)
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projectGroups = ['libs', 'services', 'sandboxes', 'apps'];

export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
};

async function listProjects() {
  const projects = [];
  for (const group of projectGroups) {
    const groupDir = path.join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of await readdir(groupDir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(groupDir, entry.name, 'src'))) {
        projects.push(path.join(groupDir, entry.name));
      }
    }
  }
  return projects;
}

async function* sourceFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(full);
    else if (entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

async function buildProject(projectDir) {
  const srcDir = path.join(projectDir, 'src');
  const outDir = path.join(projectDir, 'dist');
  await rm(outDir, { recursive: true, force: true });
  let count = 0;
  for await (const file of sourceFiles(srcDir)) {
    const out = path.join(outDir, path.relative(srcDir, file)).replace(/\.ts$/, '.js');
    const result = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: path.relative(path.dirname(out), file) });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${result.code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (result.map) await writeFile(`${out}.map`, result.map);
    count += 1;
  }
  return count;
}

const requested = process.argv.slice(2).map((p) => path.resolve(p));
const projects = requested.length > 0 ? requested : await listProjects();
const started = Date.now();
let files = 0;
for (const project of projects) files += await buildProject(project);
console.log(`built ${projects.length} project(s), ${files} file(s) in ${Date.now() - started} ms`);
