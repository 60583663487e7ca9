#!/usr/bin/env bash
# The whole test suite, as CI runs it: static checks, the build, then every Vitest test (unit,
# integration against the simulator, component and Chromium end-to-end) with a real keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
npm run typecheck
npm run lint
npm run format:check
npm run build
report=$(mktemp)
./scripts/with-keyring.sh npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
# Tests that skip themselves where a part is missing (keychain, systemd-analyze, the build) must
# all run here: CI installs every part, so a skip means a test silently stopped testing.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.testResults.flatMap((f) => f.assertionResults
    .filter((t) => t.status !== "passed" && t.status !== "failed")
    .map((t) => `${f.name.replace(process.cwd() + "/", "")} > ${t.fullName}`));
  if (skipped.length > 0) {
    console.error(`error: ${skipped.length} tests did not run:\n  ${skipped.join("\n  ")}`);
    process.exit(1);
  }
' "$report"
rm -f "$report"
echo "whole suite: $(( $(date +%s) - start )) s"
