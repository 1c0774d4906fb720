# Probes for the local stack's servers, sourced by start.sh and status.sh (after env.sh).
# Every probe is safe under `set -euo pipefail`: no pipeline whose reader may stop early (grep -q, head) feeds it,
# since the writer then dies of SIGPIPE (exit 141) and pipefail turns a found match into a failure.

RUN="$TESSERA_STACK_DIR/run"

# What each server's command line contains: a recycled pid that now belongs to another program is not ours.
pid_marker() {
  case "$1" in
    kafka) printf '%s' "$TESSERA_STACK_DIR/kafka/server.properties" ;;
    registry) printf '%s' "$APICURIO_HOME" ;;
    clickhouse) printf '%s' "$TESSERA_STACK_DIR/clickhouse/config.xml" ;;
  esac
}

# True when the pid file names a live process started from this stack's folders.
alive() {
  local f="$RUN/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(<"$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ -r "/proc/$pid/cmdline" ] || return 0
  grep -qaF -- "$(pid_marker "$1")" "/proc/$pid/cmdline"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# log_has FILE FROM TEXT: TEXT occurs in FILE at or after byte FROM (1-based). grep reads a process substitution,
# so tail being cut off once grep has its match does not count.
log_has() {
  [ -f "$1" ] || return 1
  grep -qF -- "$3" < <(tail -c "+$2" "$1" 2>/dev/null)
}

# The byte of kafka.log where the running broker's start begins (saved by start.sh when it spawned it): the log is
# appended to across restarts, and an earlier start's "started" line says nothing about this one.
# A log truncated by hand since then is read from its start.
kafka_log_from() {
  local from size
  from=$(cat "$RUN/kafka.logfrom" 2>/dev/null || echo 1)
  size=$(stat -c %s "$TESSERA_LOG_DIR/kafka.log" 2>/dev/null || echo 0)
  if [ "$from" -gt "$size" ]; then echo 1; else echo "$from"; fi
}
kafka_ready() { port_open "$KAFKA_PORT" && log_has "$TESSERA_LOG_DIR/kafka.log" "$(kafka_log_from)" "Kafka Server started"; }
registry_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"; }
clickhouse_ready() { [ "$(curl -fsS "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" = "Ok." ]; }
