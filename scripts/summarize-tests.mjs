// Prints `N passed, N failed` from vitest's JSON report. A run that stopped before the test
// runner (set-up or build failure) has no report and counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, exitStatus] = process.argv.slice(2);
if (!existsSync(reportPath)) {
  console.log(`0 passed, ${exitStatus === '0' ? 0 : 1} failed`);
} else {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const failedSuites = (report.testResults ?? []).filter((file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0).length;
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests + failedSuites} failed`);
}
