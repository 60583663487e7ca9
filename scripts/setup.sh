#!/usr/bin/env bash
# Installs everything: system packages (apt-get, when missing) and the npm dependencies, then
# builds (npm's `prepare`). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-system-deps.sh
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
