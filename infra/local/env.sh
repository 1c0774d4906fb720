# Shared settings for the local stack scripts: versions, cache, ports, data and log folders.
# Every value can be overridden from the environment.
: "${TESSERA_HOME:=$HOME/.cache/tessera}"           # installs, cached outside the checkout
: "${TESSERA_STACK_DIR:=$TESSERA_HOME/stack}"       # data and logs of the running stack
: "${TESSERA_LOG_DIR:=$TESSERA_STACK_DIR/logs}"
: "${KAFKA_VERSION:=4.1.1}"
: "${APICURIO_VERSION:=3.0.9}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
: "${REGISTRY_PORT:=8081}"
: "${CLICKHOUSE_HTTP_PORT:=8123}"
: "${CLICKHOUSE_TCP_PORT:=9000}"
: "${CLICKHOUSE_INTERSERVER_PORT:=9009}"
KAFKA_HOME="$TESSERA_HOME/kafka-$KAFKA_VERSION"
APICURIO_HOME="$TESSERA_HOME/apicurio-registry-$APICURIO_VERSION"
export TESSERA_HOME TESSERA_STACK_DIR TESSERA_LOG_DIR KAFKA_VERSION APICURIO_VERSION KAFKA_PORT \
  KAFKA_CONTROLLER_PORT REGISTRY_PORT CLICKHOUSE_HTTP_PORT CLICKHOUSE_TCP_PORT \
  CLICKHOUSE_INTERSERVER_PORT KAFKA_HOME APICURIO_HOME

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }
