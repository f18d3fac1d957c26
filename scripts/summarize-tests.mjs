// Prints `N passed, N failed` over the vitest JSON reports that `npm test` wrote. A file that
// failed before running its tests (an import error, a failing hook) counts as one failure, and
// so does a tier that ended without its report.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TIER_REPORTS = ['unit-int.json', 'e2e.json'];
const [reportDir] = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const name of TIER_REPORTS) {
  const reportPath = path.join(reportDir, name);
  if (!existsSync(reportPath)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  failed += (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed'),
  ).length;
}
console.log(`${passed} passed, ${failed} failed`);
