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
./scripts/with-keyring.sh npx vitest run
echo "whole suite: $(( $(date +%s) - start )) s"
