#!/usr/bin/env bash
# Installs the ALS peer of the recommendation bench (the `implicit` library, PyPI) into its own virtualenv under
# $TESSERA_HOME/tools/recs-venv, outside the checkout. Idempotent: a marker holds the requirements' checksum, so a
# second run does nothing and a changed bench/recs/requirements.txt reinstalls. Prints `python=<path>` on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
req="$here/../../bench/recs/requirements.txt"
dir="$TESSERA_HOME/tools/recs-venv"
want=$(sha256sum "$req" | cut -c1-16)
if [ "$(cat "$dir/.installed" 2>/dev/null)" != "$want" ]; then
  command -v python3 >/dev/null || die "python3 is required for the ALS peer of bench/recs"
  log "installing implicit (ALS) into $dir (PyPI)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$req" >&2
  echo "$want" >"$dir/.installed"
fi
echo "python=$dir/bin/python"
