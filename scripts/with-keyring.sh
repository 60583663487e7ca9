#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so keychain tests
# talk to a real Secret Service (docs/testing.md). A throw-away HOME gives a fresh login keyring;
# --daemonize and a non-empty password are both required for an unlocked collection.
set -euo pipefail
if [ -z "${BDC_KEYRING_READY:-}" ]; then
  export BDC_KEYRING_READY=1
  keyring_home=$(mktemp -d /tmp/bdc-keyring-home.XXXXXX)
  export BDC_REAL_HOME="${HOME:-/root}"
  exec env HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/.local/share" \
    dbus-run-session -- "$0" "$@"
fi
echo -n "bdc-companion-ci" | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null
sleep 1
# Tools such as npm keep their caches under the real HOME.
export npm_config_cache="${npm_config_cache:-$BDC_REAL_HOME/.npm}"
exec "$@"
