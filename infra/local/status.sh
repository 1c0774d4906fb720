#!/usr/bin/env bash
# Shows each local-stack server: pid, address, and whether it answers.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
. "$here/probes.sh"
row() { printf '%-11s %-8s %-28s %s\n' "$@"; }
pid_of() { if alive "$1"; then cat "$RUN/$1.pid"; else echo "-"; fi; }
answers() { "$@" >/dev/null 2>&1 && echo "answers" || echo "DOWN"; }
row SERVER PID ADDRESS STATE
broker=${TESSERA_KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}; broker=${broker%%,*}
row kafka "$(pid_of kafka)" "$broker" "$(answers bash -c "exec 3<>/dev/tcp/${broker%:*}/${broker##*:}")"
reg=${TESSERA_REGISTRY_URL:-http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7}
row registry "$(pid_of registry)" "$reg" "$(answers curl -fsS "$reg/subjects")"
ch=${TESSERA_CLICKHOUSE_URL:-http://127.0.0.1:$CLICKHOUSE_HTTP_PORT}
row clickhouse "$(pid_of clickhouse)" "$ch" "$(answers curl -fsS "$ch/ping")"
echo "logs: $TESSERA_LOG_DIR"
