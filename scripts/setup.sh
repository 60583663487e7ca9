#!/usr/bin/env bash
# Installs everything: system packages (apt-get, when missing) and the npm dependencies, then
# builds (npm's `prepare`). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-system-deps.sh
# `npm install` rather than `npm ci`: the lock file follows package-lock.json all the same, but
# `npm ci` refuses a lock that omits an optional dependency the registry here does not serve
# (vite's Windows-only napi-windows-process-start-time).
npm install --no-audit --no-fund
