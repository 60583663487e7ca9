#!/usr/bin/env bash
# Installs the system packages the companion, its tests and its benchmarks need on Debian/Ubuntu.
# Idempotent: only missing packages are installed. Elsewhere it says what to install by hand.
set -euo pipefail

packages=(
  git                # the git CLI engine, and git http-backend for the simulator
  libsecret-1-dev    # keytar (OS keychain) builds against it
  gnome-keyring      # a real keychain for the secret-store tests
  dbus               # dbus-run-session hosts the keyring in tests and CI
  chromium           # end-to-end tests (Playwright drives it; browsers are never downloaded)
  python3-dulwich    # the dulwich baseline of the push benchmark
  python3            # node-gyp
  make
  g++
  sqlite3            # inspecting the relay queue and history by hand
  systemd            # systemd-analyze verifies the printed service unit (not started; no PID 1 needed)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: these system packages are missing and this system has no apt-get: ${missing[*]}" >&2
  echo "hint: install their equivalents with your package manager, then run this again." >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
    echo "error: installing ${missing[*]} needs root; run as root or install sudo." >&2
    exit 1
  fi
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed"
