// Installs dependencies when node_modules is missing or older than the lockfile,
// so `npm start` and `npm test` work on a fresh clone with nothing run first.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');

const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lockfile).mtimeMs;
if (stale) {
  console.log('[setup] installing dependencies (node_modules missing or older than package-lock.json)');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
