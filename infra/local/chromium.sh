#!/usr/bin/env bash
# Installs headless Chromium from Debian's packages for the browser tests (test/browser). Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

# TESSERA_CHROMIUM points the tests at another Chromium binary; the default is Debian's.
bin=${TESSERA_CHROMIUM:-/usr/bin/chromium}
if [ -x "$bin" ]; then log "chromium already installed ($bin)"; exit 0; fi
[ -z "${TESSERA_CHROMIUM:-}" ] || die "TESSERA_CHROMIUM=$bin is not an executable"
command -v apt-get >/dev/null 2>&1 || die "chromium missing and no apt-get: install Chromium and set TESSERA_CHROMIUM to its path"
log "installing chromium from Debian's packages"
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || die "apt-get installed chromium but /usr/bin/chromium is missing"
log "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
