#!/usr/bin/env bash
# Installs the tools the client and deployment tests use into $TESSERA_HOME, outside the checkout. Idempotent:
# a second run only checks markers. Prints `name=path` for each component asked for (stdout); logs go to stderr.
#   python   virtualenv with confluent-kafka (+ schema registry, Avro) and the offline validators (pip, PyPI)
#   chdb     the chdb npm package: a current ClickHouse engine in process (npm registry)
#   helm     helm, built from the Go module proxy with `go install`
#   promtool Prometheus' promtool, built from the Go module proxy with `go install`
# Usage: bash infra/local/install-tools.sh [python] [chdb] [helm] [promtool]   (no argument: all)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
: "${CHDB_VERSION:=3.4.0}"
: "${HELM_VERSION:=v3.22.0}"
: "${PROMETHEUS_VERSION:=v0.316.0}"   # the Go module version of Prometheus 3.x (v0.316.0 = Prometheus 3.16)
tools="$TESSERA_HOME/tools"
mkdir -p "$tools"

# Every marker holds what was installed; a different wish reinstalls, the same one does nothing.
installed() { [ "$(cat "$1/.installed" 2>/dev/null)" = "$2" ]; }

install_python() {
  local dir="$tools/venv" want
  want=$(sha256sum "$here/tools-requirements.txt" | cut -c1-16)
  if ! installed "$dir" "$want"; then
    command -v python3 >/dev/null || die "python3 is required for the Python client tests"
    log "installing the Python clients and validators into $dir (PyPI)"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$here/tools-requirements.txt" >&2
    echo "$want" >"$dir/.installed"
  fi
  echo "python=$dir/bin/python"
  echo "check-jsonschema=$dir/bin/check-jsonschema"
  echo "kubernetes-validate=$dir/bin/kubernetes-validate"
  echo "hadolint=$dir/bin/hadolint"
}

install_chdb() {
  local dir="$tools/chdb-$CHDB_VERSION"
  if ! installed "$dir" "$CHDB_VERSION"; then
    log "installing chdb@$CHDB_VERSION into $dir (npm registry, ~540 MB)"
    rm -rf "$dir"; mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "chdb@$CHDB_VERSION" >&2
    echo "$CHDB_VERSION" >"$dir/.installed"
  fi
  echo "chdb=$dir"
}

# go install into a versioned folder; the module cache stays Go's own (GOMODCACHE).
go_tool() {
  local name=$1 module=$2 version=$3 dir="$tools/$1-$3"
  if ! installed "$dir" "$module@$version"; then
    command -v go >/dev/null || die "go is required to build $name"
    log "building $name $version from the Go module proxy into $dir (once; a few minutes)"
    rm -rf "$dir"; mkdir -p "$dir"
    GOBIN="$dir" GOFLAGS=-buildvcs=false go install "$module@$version" >&2
    echo "$module@$version" >"$dir/.installed"
  fi
  echo "$name=$dir/$name"
}

for c in ${*:-python chdb helm promtool}; do
  case "$c" in
    python) install_python ;;
    chdb) install_chdb ;;
    helm) go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" ;;
    promtool) go_tool promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION" ;;
    *) die "unknown tool $c (python|chdb|helm|promtool)" ;;
  esac
done
