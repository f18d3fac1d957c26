// Prints `N passed, N failed` over every vitest JSON report in a folder. A file that failed
// before running its tests (an import error, a failing hook) counts as one failure, and so
// does a run that ended without any report.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [reportDir, exitStatus] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const reports = existsSync(reportDir) ? readdirSync(reportDir).filter((name) => name.endsWith('.json')) : [];
for (const name of reports) {
  const report = JSON.parse(readFileSync(path.join(reportDir, name), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  failed += (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).every((t) => t.status !== 'failed'),
  ).length;
}
if (reports.length === 0 && exitStatus !== '0') failed += 1;
console.log(`${passed} passed, ${failed} failed`);
