#!/usr/bin/env bash
# Installs the local stack (Kafka, Apicurio Registry, ClickHouse) into $TESSERA_HOME. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
mkdir -p "$TESSERA_HOME"

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }
need java "install a JDK 17+: apt-get install openjdk-17-jre-headless"
need mvn "install Maven: apt-get install maven"

install_kafka() {
  # The marker holds the pom's hash, so a changed dependency list reinstalls.
  local want; want=$(sha256sum "$here/kafka-pom.xml" | cut -c1-16)
  if [ "$(cat "$KAFKA_HOME/.installed" 2>/dev/null)" = "$want" ]; then log "kafka $KAFKA_VERSION already installed"; return; fi
  log "installing kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_HOME"
  rm -rf "$KAFKA_HOME"; mkdir -p "$KAFKA_HOME/libs"
  mvn -q -B -f "$here/kafka-pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$KAFKA_HOME/libs" -DincludeScope=runtime
  compgen -G "$KAFKA_HOME/libs/kafka_2.13-*.jar" >/dev/null || die "kafka jars missing after mvn"
  echo "$want" >"$KAFKA_HOME/.installed"
}

install_apicurio() {
  if [ -f "$APICURIO_HOME/.installed" ]; then log "apicurio registry $APICURIO_VERSION already installed"; return; fi
  log "installing apicurio registry $APICURIO_VERSION from Maven Central into $APICURIO_HOME"
  rm -rf "$APICURIO_HOME"; mkdir -p "$APICURIO_HOME"
  local tmp; tmp=$(mktemp -d)
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:zip:all" \
    -DoutputDirectory="$tmp"
  (cd "$APICURIO_HOME" && unzip -q "$tmp"/apicurio-registry-app-*.zip)
  rm -rf "$tmp"
  # -quit, not `| head -1`: under pipefail a find cut off by head fails the assignment.
  local jar; jar=$(find "$APICURIO_HOME" -name 'apicurio-registry-app-*-runner.jar' -print -quit)
  [ -n "$jar" ] || die "apicurio runner jar not found after unzip"
  echo "$jar" > "$APICURIO_HOME/.runner"
  touch "$APICURIO_HOME/.installed"
}

install_clickhouse() {
  if command -v clickhouse-server >/dev/null 2>&1; then log "clickhouse-server already installed"; return; fi
  command -v apt-get >/dev/null 2>&1 || die "clickhouse-server missing and no apt-get: install it or set TESSERA_CLICKHOUSE_URL"
  log "installing clickhouse-server from Debian's packages"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
}

command -v unzip >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get install -y -qq unzip >/dev/null; } || true
components=${*:-kafka registry clickhouse}
for c in $components; do
  case "$c" in
    kafka) [ -n "${TESSERA_KAFKA_BROKERS:-}" ] && log "kafka external ($TESSERA_KAFKA_BROKERS): skipped" || install_kafka ;;
    registry) [ -n "${TESSERA_REGISTRY_URL:-}" ] && log "registry external: skipped" || install_apicurio ;;
    clickhouse) [ -n "${TESSERA_CLICKHOUSE_URL:-}" ] && log "clickhouse external: skipped" || install_clickhouse ;;
    *) die "unknown component $c (kafka|registry|clickhouse)" ;;
  esac
done
log "install done"
