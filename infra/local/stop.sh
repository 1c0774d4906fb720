#!/usr/bin/env bash
# Stops the local stack's processes (TERM, then KILL after a grace period) and checks none is left.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
RUN="$TESSERA_STACK_DIR/run"

stop_one() {
  local name=$1 f="$RUN/$1.pid"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 30s: killing"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$f"
}
# Registry first (it journals to Kafka), Kafka last.
components=${*:-registry clickhouse kafka}
for c in $components; do stop_one "$c"; done
all=1
for c in kafka registry clickhouse; do case " $components " in *" $c "*) ;; *) all=0 ;; esac; done
if [ $all = 1 ]; then
  # The whole stack was asked to stop: nothing started from its folders may be left.
  left=$(pgrep -f "$TESSERA_STACK_DIR|$APICURIO_HOME" || true)
  [ -z "$left" ] || die "processes still running after stop: $left"
  log "stack stopped"
else
  log "stopped: $components"
fi
