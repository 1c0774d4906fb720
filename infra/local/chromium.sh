#!/usr/bin/env bash
# Installs headless Chromium from Debian's packages for the browser tests (test/browser) and checks that it renders a
# page headless. Idempotent and cached: once a binary passed the check, a marker holding its version makes later runs
# a `--version` call. `make chromium-install` runs it; `make test` depends on it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"

# TESSERA_CHROMIUM points the tests at another Chromium binary; the default is Debian's.
bin=${TESSERA_CHROMIUM:-/usr/bin/chromium}
marker="$TESSERA_HOME/tools/chromium/.installed"

if [ ! -x "$bin" ]; then
  [ -z "${TESSERA_CHROMIUM:-}" ] || die "TESSERA_CHROMIUM=$bin is not an executable"
  command -v apt-get >/dev/null 2>&1 || die "chromium missing and no apt-get: install Chromium and set TESSERA_CHROMIUM to its path"
  log "installing chromium from Debian's packages (~25 s)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  [ -x "$bin" ] || die "apt-get installed chromium but $bin is missing"
fi

version=$("$bin" --version 2>/dev/null) || die "$bin --version failed"
if [ "$(cat "$marker" 2>/dev/null)" = "$bin $version" ]; then log "chromium ready ($version)"; exit 0; fi

# The browser tests launch it exactly so (playwright-core adds its own flags): a binary that cannot render a page
# headless here fails now with its own message rather than as a timeout in the tests.
page=$(timeout 60 "$bin" --headless=new --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p id="tessera">rendered</p>' 2>/dev/null) \
  || die "$bin did not render a page headless (run it with --headless=new --no-sandbox --dump-dom to see why)"
[[ "$page" == *'<p id="tessera">rendered</p>'* ]] || die "$bin rendered an unexpected page: ${page:0:200}"
mkdir -p "$(dirname "$marker")"
echo "$bin $version" >"$marker"
log "chromium ready ($version, renders headless)"
