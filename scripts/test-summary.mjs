#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line ("N passed, N failed, N skipped") for CI, and fails on none run.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
if (passed + failed === 0) {
  console.error("test-summary: no test ran");
  process.exit(1);
}
