#!/usr/bin/env bash
# Starts the local stack as plain processes and waits until every server answers. Idempotent: a server that is
# already running is left as it is and only waited for; only what is down is started.
# Components: kafka registry clickhouse (default: all). External servers (TESSERA_*_URL/BROKERS set) are skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
. "$here/probes.sh"
mkdir -p "$RUN" "$TESSERA_LOG_DIR"

# A server on our port that we did not start (no pid file, e.g. removed by hand): use it if it answers as that
# server would, otherwise the port belongs to someone else.
foreign() { # name port-variable probe
  local port=${!2}
  port_open "$port" || return 1
  "$3" >/dev/null 2>&1 || die "port $port is taken by another process (set $2)"
  log "$1 already answers on port $port (not started by these scripts): left as it is"
}
wait_for() { # name seconds command...
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || die "$name exited during start-up; see $TESSERA_LOG_DIR/$name.log"
    [ $SECONDS -lt $deadline ] || die "$name did not answer within ${secs}s; see $TESSERA_LOG_DIR/$name.log"
    sleep 0.5
  done
}
spawn() { # name command... : detached, in its own session, logging to $TESSERA_LOG_DIR/name.log
  local name=$1; shift
  setsid nohup "$@" >>"$TESSERA_LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

start_kafka() {
  if alive kafka; then log "kafka already running (pid $(cat "$RUN/kafka.pid"))"; return; fi
  [ -f "$KAFKA_HOME/.installed" ] || die "kafka not installed: run infra/local/install.sh"
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by a process not started from $TESSERA_STACK_DIR (set KAFKA_PORT)"
  local data="$TESSERA_STACK_DIR/kafka" conf="$TESSERA_STACK_DIR/kafka/server.properties"
  mkdir -p "$data/logs"
  cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
PROPS
  cat >"$data/log4j2.properties" <<PROPS
rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
PROPS
  local cp="$KAFKA_HOME/libs/*"
  if [ ! -f "$data/logs/meta.properties" ]; then
    local id; id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -Dlog4j2.configurationFile="$data/log4j2.properties" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$conf" \
      >>"$TESSERA_LOG_DIR/kafka.log" 2>&1 || die "kafka storage format failed; see $TESSERA_LOG_DIR/kafka.log"
  fi
  log "starting kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  # Readiness reads only what this start writes to the log (it is appended to across restarts).
  echo $(($(stat -c %s "$TESSERA_LOG_DIR/kafka.log" 2>/dev/null || echo 0) + 1)) >"$RUN/kafka.logfrom"
  spawn kafka java -Xms256m -Xmx${KAFKA_HEAP:-1g} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$data/log4j2.properties" -cp "$cp" kafka.Kafka "$conf"
}

start_registry() {
  if alive registry; then log "registry already running (pid $(cat "$RUN/registry.pid"))"; return; fi
  foreign registry REGISTRY_PORT registry_ready && return
  [ -f "$APICURIO_HOME/.installed" ] || die "apicurio registry not installed: run infra/local/install.sh"
  log "starting apicurio registry $APICURIO_VERSION on 127.0.0.1:$REGISTRY_PORT (storage: kafkasql)"
  # kafkasql journals schemas to a Kafka topic, so ids survive a registry restart.
  APICURIO_STORAGE_KIND=kafkasql \
  APICURIO_KAFKASQL_BOOTSTRAP_SERVERS="${TESSERA_KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}" \
  spawn registry java -Xms128m -Xmx${REGISTRY_HEAP:-512m} -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.http.host=127.0.0.1 -jar "$(cat "$APICURIO_HOME/.runner")"
}

start_clickhouse() {
  if alive clickhouse; then log "clickhouse already running (pid $(cat "$RUN/clickhouse.pid"))"; return; fi
  foreign clickhouse CLICKHOUSE_HTTP_PORT clickhouse_ready && return
  command -v clickhouse-server >/dev/null || die "clickhouse-server not installed: run infra/local/install.sh"
  local data="$TESSERA_STACK_DIR/clickhouse"
  mkdir -p "$data"/{data,tmp,user_files,format_schemas}
  sed -e "s#<log>.*</log>#<log>$TESSERA_LOG_DIR/clickhouse-server.log</log>#" \
      -e "s#<errorlog>.*</errorlog>#<errorlog>$TESSERA_LOG_DIR/clickhouse-server.err.log</errorlog>#" \
      -e "s#<http_port>.*</http_port>#<http_port>$CLICKHOUSE_HTTP_PORT</http_port>#" \
      -e "s#<tcp_port>.*</tcp_port>#<tcp_port>$CLICKHOUSE_TCP_PORT</tcp_port>#" \
      -e "s#<interserver_http_port>.*</interserver_http_port>#<interserver_http_port>$CLICKHOUSE_INTERSERVER_PORT</interserver_http_port>#" \
      -e "s#<path>/var/lib/clickhouse/</path>#<path>$data/data/</path>#" \
      -e "s#<tmp_path>.*</tmp_path>#<tmp_path>$data/tmp/</tmp_path>#" \
      -e "s#<user_files_path>.*</user_files_path>#<user_files_path>$data/user_files/</user_files_path>#" \
      -e "s#<format_schema_path>.*</format_schema_path>#<format_schema_path>$data/format_schemas/</format_schema_path>#" \
      -e "s#<listen_host>::1</listen_host>##" \
      -e "s#<level>trace</level>#<level>information</level>#" \
      /etc/clickhouse-server/config.xml >"$data/config.xml"
  cp /etc/clickhouse-server/users.xml "$data/users.xml"
  log "starting clickhouse-server on 127.0.0.1:$CLICKHOUSE_HTTP_PORT (http)"
  spawn clickhouse clickhouse-server --config-file="$data/config.xml"
}

# Privacy (docs/privacy.md): the keyed-hash secret and the analysts' ClickHouse user, generated once into $TESSERA_HOME
# (never into the checkout). Services read the key from there unless TESSERA_PRIVACY_HASH_KEY(_FILE) says otherwise.
privacy_setup() (
  local key="$TESSERA_HOME/privacy-hash.key" pw="$TESSERA_HOME/analyst.password"
  umask 077
  [ -s "$key" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$key"; log "generated the PII key $key"; }
  [ -s "$pw" ] || { head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$pw"; log "generated the analyst password $pw"; }
  # Only for the server these scripts run (a foreign one has its own users).
  if [ -f "$TESSERA_STACK_DIR/clickhouse/users.xml" ]; then
    bash "$(dirname "$0")/analyst-user.sh" "$TESSERA_STACK_DIR/clickhouse" tessera_analyst "$(cat "$pw")" tessera_analyst >/dev/null
  fi
)

components=${*:-kafka registry clickhouse}
for c in $components; do
  case "$c" in
    kafka) if [ -z "${TESSERA_KAFKA_BROKERS:-}" ]; then start_kafka; wait_for kafka 90 kafka_ready; log "kafka ready"; fi ;;
    registry) if [ -z "${TESSERA_REGISTRY_URL:-}" ]; then start_registry; fi ;;
    clickhouse) if [ -z "${TESSERA_CLICKHOUSE_URL:-}" ]; then start_clickhouse; privacy_setup; fi ;;
    *) die "unknown component $c" ;;
  esac
done
# The registry and ClickHouse start in parallel; wait for both here.
for c in $components; do
  case "$c" in
    registry) [ -n "${TESSERA_REGISTRY_URL:-}" ] || { wait_for registry 120 registry_ready; log "registry ready"; } ;;
    clickhouse) [ -n "${TESSERA_CLICKHOUSE_URL:-}" ] || { wait_for clickhouse 60 clickhouse_ready; log "clickhouse ready"; } ;;
  esac
done
log "stack up; logs in $TESSERA_LOG_DIR"
