// Prints `N passed, N failed` over the vitest JSON reports that `npm test` wrote. A file that
// failed before running its tests (an import error, a failing hook) counts as one failure, and
// so does a tier that ended without its report. The failures are named just above that line, so
// the tail of a CI log is enough to know what failed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TIER_REPORTS = ['unit-int.json', 'e2e.json'];
const MESSAGE_CHARACTERS = 300;
// Colour codes vitest leaves in failure messages.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const [reportDir] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];

function oneLine(messages) {
  // One line per failure: the tail of a log is read line by line.
  const text = (messages ?? [])
    .join(' | ')
    .replace(ANSI_COLOUR, '')
    .replace(/\s*\n\s*/g, ' | ');
  return text.length > MESSAGE_CHARACTERS ? `${text.slice(0, MESSAGE_CHARACTERS)}…` : text;
}

for (const name of TIER_REPORTS) {
  const reportPath = path.join(reportDir, name);
  if (!existsSync(reportPath)) {
    failed += 1;
    failures.push(`${name}: no report (the tier did not finish)`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  for (const file of report.testResults ?? []) {
    const fileName = path.relative(process.cwd(), file.name);
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      failures.push(`${fileName} > ${test.fullName}: ${oneLine(test.failureMessages)}`);
    }
    if (file.status === 'failed' && failedTests.length === 0) {
      failed += 1;
      failures.push(`${fileName}: ${oneLine([file.message])}`);
    }
  }
}
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`${passed} passed, ${failed} failed`);
