#!/usr/bin/env bash
# Installs the Node dependencies from package-lock.json (npm ci), skipped when node_modules already matches it.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v node >/dev/null || { echo "[deps] error: Node.js 20+ is required" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "[deps] error: Node.js 20+ is required, found $(node --version)" >&2; exit 1; }
want=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat node_modules/.tessera-lock 2>/dev/null)" = "$want" ]; then exit 0; fi
echo "[deps] npm ci (package cache: ${npm_config_cache:-$HOME/.npm})" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > node_modules/.tessera-lock
