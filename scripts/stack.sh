#!/usr/bin/env bash
# The local stack without Docker: an Apache Kafka 4.x broker (KRaft, single node),
# Elasticsearch 9.x and an Apicurio Registry 3.x (schemas, Confluent-compatible API), all fetched
# from Maven Central into a cache outside the repo and bound to 127.0.0.1. `ria stack up|down|status|logs` calls this script; topics and index templates
# are created afterwards by the CLI (engine/setup/), which speaks the services' own protocols.
#
#   scripts/stack.sh up [kafka|es|registry...]  provision if needed, start, wait until all answer
#   scripts/stack.sh down [kafka|es|registry]   stop exactly what `up` started (pid files)
#   scripts/stack.sh pid kafka|es|registry      the pid of a service `up` started (fault-injection tests)
#   scripts/stack.sh status                     one line per service
#   scripts/stack.sh logs [kafka|es|registry]   tail of the service logs
#
# Environment (all optional):
#   RIA_CACHE            download cache              default ~/.cache/ria
#   RIA_STACK_DIR        data, logs and pid files    default /var/tmp/ria-stack as root, else ~/.cache/ria/stack
#   KAFKA_BROKER         set to an existing broker and nothing is provisioned for Kafka
#   ELASTICSEARCH_HOST   set to an existing cluster and nothing is provisioned for Elasticsearch
#   SCHEMA_REGISTRY_URL  set to an existing registry and nothing is provisioned for it
#   RIA_KAFKA_VERSION    4.1.1      RIA_ES_VERSION  9.5.4      RIA_REGISTRY_VERSION 3.3.3
#   RIA_KAFKA_HEAP       1g         RIA_ES_HEAP     1g
#   RIA_START_TIMEOUT    seconds to wait for each service (default 180)
#   RIA_ES_USER          unprivileged user that runs Elasticsearch when invoked as root (default ria)
#   RIA_KAFKA_PORT 9092, RIA_KAFKA_CONTROLLER_PORT 9093, RIA_ES_PORT 9200, RIA_ES_TRANSPORT_PORT 9300,
#   RIA_REGISTRY_PORT 8081, RIA_REGISTRY_MANAGEMENT_PORT 9000 (health and metrics), RIA_REGISTRY_HEAP 256m
#   RIA_JAVA_HOME        a JDK to use; otherwise JAVA_HOME, then $RIA_JAVA_SEARCH/* (/usr/lib/jvm), then `java`
#   RIA_SECURE=1         a secured stack (the security tests use it): Elasticsearch over HTTPS with
#                        users, Kafka over SASL_SSL (PLAIN, SCRAM-SHA-256/512) only; a test CA and
#                        server certificate are made with openssl in $RIA_STACK_DIR/tls (ca.pem).
#                        RIA_SECURE_PASSWORD (required) is the password of the Elasticsearch
#                        superuser `elastic` and of the Kafka user `ria`. Roles `ria_engine` (the
#                        docs/security.md's least-privilege role) and `ria_reader` are defined in the file
#                        realm; `stack.sh es-user NAME ROLE` adds a user (password on stdin).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="${RIA_KAFKA_VERSION:-4.1.1}"
ES_VERSION="${RIA_ES_VERSION:-9.5.4}"
REGISTRY_VERSION="${RIA_REGISTRY_VERSION:-3.3.3}"
REGISTRY_HEAP="${RIA_REGISTRY_HEAP:-256m}"
REGISTRY_PORT="${RIA_REGISTRY_PORT:-8081}"
REGISTRY_MANAGEMENT_PORT="${RIA_REGISTRY_MANAGEMENT_PORT:-9000}"
KAFKA_HEAP="${RIA_KAFKA_HEAP:-1g}"
ES_HEAP="${RIA_ES_HEAP:-1g}"
START_TIMEOUT="${RIA_START_TIMEOUT:-180}"
ES_USER="${RIA_ES_USER:-ria}"
CACHE="${RIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ria}"
if [ "$(id -u)" = 0 ]; then DEFAULT_STACK_DIR=/var/tmp/ria-stack; else DEFAULT_STACK_DIR="$CACHE/stack"; fi
STACK_DIR="${RIA_STACK_DIR:-$DEFAULT_STACK_DIR}"
KAFKA_PORT="${RIA_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${RIA_KAFKA_CONTROLLER_PORT:-9093}"
ES_PORT="${RIA_ES_PORT:-9200}"
ES_TRANSPORT_PORT="${RIA_ES_TRANSPORT_PORT:-9300}"
MIN_FREE_MB="${RIA_MIN_FREE_MB:-2048}"
JAVA_SEARCH="${RIA_JAVA_SEARCH:-/usr/lib/jvm}"
SECURE="${RIA_SECURE:-0}"
SECURE_PASSWORD="${RIA_SECURE_PASSWORD:-}"

KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
ES_ZIP="$CACHE/elasticsearch-$ES_VERSION.zip"
KAFKA_DIR="$STACK_DIR/kafka"
ES_DIR="$STACK_DIR/elasticsearch"
ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
TLS_DIR="$STACK_DIR/tls"
REGISTRY_HOME="$CACHE/apicurio-registry-$REGISTRY_VERSION"
REGISTRY_DIR="$STACK_DIR/registry"

say() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

# An explicitly configured address that is not the local default means "use that service".
kafka_external() { [ -n "${KAFKA_BROKER:-}" ] && [ "$KAFKA_BROKER" != "127.0.0.1:$KAFKA_PORT" ] && [ "$KAFKA_BROKER" != "localhost:$KAFKA_PORT" ]; }
es_external() {
  [ -n "${ELASTICSEARCH_HOST:-}" ] || return 1
  case "${ELASTICSEARCH_HOST%/}" in
    http://127.0.0.1:$ES_PORT | http://localhost:$ES_PORT | https://127.0.0.1:$ES_PORT | https://localhost:$ES_PORT) return 1 ;;
    *) return 0 ;;
  esac
}

registry_external() {
  [ -n "${SCHEMA_REGISTRY_URL:-}" ] || return 1
  case "$SCHEMA_REGISTRY_URL" in
    http://127.0.0.1:$REGISTRY_PORT/* | http://localhost:$REGISTRY_PORT/*) return 1 ;;
    *) return 0 ;;
  esac
}
registry_answers() { curl -fsS -m 2 "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
es_answers() {
  if [ "$SECURE" = 1 ]; then
    # The password goes through stdin (curl -K-), never onto a command line.
    printf 'user = "elastic:%s"\n' "$SECURE_PASSWORD" |
      curl -fsS -m 2 -K- --cacert "$TLS_DIR/ca.pem" "https://127.0.0.1:$ES_PORT/_cluster/health" >/dev/null 2>&1
  else
    curl -fsS -m 2 "http://127.0.0.1:$ES_PORT/_cluster/health" >/dev/null 2>&1
  fi
}

# ---------- the secured profile (RIA_SECURE=1) ----------------------------------------------

# A test CA and a server certificate for 127.0.0.1/localhost, made once per stack directory.
make_tls() {
  [ -n "$SECURE_PASSWORD" ] || die "RIA_SECURE=1 needs RIA_SECURE_PASSWORD (password of the Elasticsearch user 'elastic' and the Kafka user 'ria')"
  command -v openssl >/dev/null || die "RIA_SECURE=1 needs openssl to make the test certificates"
  [ -f "$TLS_DIR/ca.pem" ] && return 0
  mkdir -p "$TLS_DIR"
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 365 -subj "/CN=ria test CA"
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 365 -extfile san.ext
    # Kafka's PEM key store: the unencrypted PKCS#8 key followed by the certificate.
    openssl pkcs8 -topk8 -nocrypt -in server.key -out server.p8
    cat server.p8 server.pem >kafka-keystore.pem
  ) >"$STACK_DIR/tls.log" 2>&1 || { cat "$STACK_DIR/tls.log" >&2; die "making the test certificates failed"; }
  chmod 644 "$TLS_DIR"/*.pem "$TLS_DIR/server.key"
}

# server.properties lines of the secured broker: one SASL_SSL listener for clients and for the
# broker itself; PLAIN users are listed here, SCRAM users are stored at format time.
kafka_secure_props() {
  cat <<EOF
listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="ria" password="$SECURE_PASSWORD" user_ria="$SECURE_PASSWORD";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/kafka-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
EOF
}

# ---------- prerequisites -------------------------------------------------------------------

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

# First Java >= $1 among JAVA_HOME, the known Temurin path, /usr/lib/jvm/* and the default java.
find_java_home() {
  local need="$1" candidates=() c
  [ -n "${RIA_JAVA_HOME:-}" ] && candidates+=("$RIA_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=("$JAVA_SEARCH"/temurin-25-jdk-amd64 "$JAVA_SEARCH"/*)
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    local m; m="$(java_major "$c/bin/java")"
    if [ -n "$m" ] && [ "$m" -ge "$need" ]; then echo "$c"; return 0; fi
  done
  return 1
}

require_java() {
  local need="$1" what="$2" found
  if ! found="$(find_java_home "$need")"; then
    if ! command -v java >/dev/null 2>&1 && ! ls "$JAVA_SEARCH"/*/bin/java >/dev/null 2>&1; then
      die "no Java found: $what needs Java $need or newer (install a JDK, or set RIA_JAVA_HOME)"
    fi
    die "$what needs Java $need or newer; found only: $(for j in "$JAVA_SEARCH"/*/bin/java $(command -v java); do [ -x "$j" ] && printf '%s=%s ' "$j" "$(java_major "$j")"; done)(set RIA_JAVA_HOME to a JDK $need+)"
  fi
  echo "$found"
}

require_disk() {
  mkdir -p "$1"
  local free_mb; free_mb=$(df -Pm "$1" | awk 'NR==2 {print $4}')
  [ "$free_mb" -ge "$MIN_FREE_MB" ] || die "not enough disk in $1: ${free_mb} MB free, need ${MIN_FREE_MB} MB"
}

require_port_free() {
  local port="$1" service="$2" hint="$3"
  if port_open "$port"; then
    die "port 127.0.0.1:$port is already taken by another process, so $service cannot start there ($hint)"
  fi
}

# ---------- provisioning (downloads, once) -------------------------------------------------

provision_kafka() {
  if [ -f "$KAFKA_LIBS/.complete" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch the Kafka broker jars from Maven Central"
  require_disk "$CACHE"
  say "downloading Apache Kafka $KAFKA_VERSION broker jars from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  if ! mvn -q -B -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >"$CACHE/kafka-download.log" 2>&1; then
    tail -n 20 "$CACHE/kafka-download.log" >&2
    die "download failed: org.apache.kafka:kafka_2.13:$KAFKA_VERSION (see $CACHE/kafka-download.log)"
  fi
  touch "$KAFKA_LIBS/.complete"
}

provision_es() {
  if [ ! -f "$ES_ZIP" ]; then
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Elasticsearch from Maven Central"
    require_disk "$CACHE"
    say "downloading Elasticsearch $ES_VERSION (integ-test-zip) from Maven Central"
    if ! mvn -q -B dependency:copy \
        -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
        -DoutputDirectory="$CACHE" >"$CACHE/es-download.log" 2>&1; then
      tail -n 20 "$CACHE/es-download.log" >&2
      die "download failed: org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip (see $CACHE/es-download.log)"
    fi
  fi
  if [ ! -x "$ES_HOME/bin/elasticsearch" ]; then
    require_disk "$STACK_DIR"
    mkdir -p "$ES_DIR"
    command -v unzip >/dev/null 2>&1 || die "unzip is needed to unpack Elasticsearch"
    unzip -q -o "$ES_ZIP" -d "$ES_DIR" || die "could not unpack $ES_ZIP (delete it to download again)"
  fi
}

# ---------- Kafka ---------------------------------------------------------------------------

kafka_start() {
  local pidf="$KAFKA_DIR/kafka.pid"
  if pid_alive "$pidf"; then say "kafka already running (pid $(cat "$pidf"))"; return 0; fi
  require_port_free "$KAFKA_PORT" "Kafka" "stop it, or set KAFKA_BROKER to use it as an existing broker"
  require_port_free "$KAFKA_CONTROLLER_PORT" "the Kafka controller" "stop the process that holds it"
  local jh; jh="$(require_java 17 "Kafka $KAFKA_VERSION")"
  provision_kafka
  require_disk "$KAFKA_DIR"
  local props="$KAFKA_DIR/server.properties" data="$KAFKA_DIR/data" listeners
  if [ "$SECURE" = 1 ]; then
    make_tls
    listeners="$(kafka_secure_props)"
  else
    listeners="listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  fi
  (umask 077 && cat >"$props" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
$listeners
log.dirs=$data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=2097152
EOF
  )
  cat >"$KAFKA_DIR/log4j2.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="out" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="out"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
  </Loggers>
</Configuration>
EOF
  local cp="$KAFKA_LIBS/*"
  if [ ! -f "$data/meta.properties" ]; then
    say "formatting Kafka storage (KRaft) in $data"
    local cid; cid="$("$jh/bin/java" -cp "$cp" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.xml" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [ -n "$cid" ] || die "could not generate a Kafka cluster id (kafka.tools.StorageTool random-uuid failed)"
    local scram=()
    if [ "$SECURE" = 1 ]; then
      scram=(--add-scram "SCRAM-SHA-256=[name=ria,password=$SECURE_PASSWORD]" --add-scram "SCRAM-SHA-512=[name=ria,password=$SECURE_PASSWORD]")
    fi
    "$jh/bin/java" -cp "$cp" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.xml" kafka.tools.StorageTool format \
      -t "$cid" -c "$props" "${scram[@]}" >"$KAFKA_DIR/format.log" 2>&1 || { cat "$KAFKA_DIR/format.log" >&2; die "formatting Kafka storage failed"; }
  fi
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (heap $KAFKA_HEAP)"
  # setsid: the broker gets its own session, so it survives the shell that started it and
  # `down` can signal exactly it.
  setsid "$jh/bin/java" -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.xml" \
    -cp "$cp" kafka.Kafka "$props" >"$KAFKA_DIR/kafka.log" 2>&1 </dev/null &
  echo $! >"$pidf"
}

kafka_wait() {
  local pidf="$KAFKA_DIR/kafka.pid" deadline=$((SECONDS + START_TIMEOUT))
  while ! grep -q "Kafka Server started" "$KAFKA_DIR/kafka.log" 2>/dev/null || ! port_open "$KAFKA_PORT"; do
    if ! pid_alive "$pidf"; then
      tail -n 30 "$KAFKA_DIR/kafka.log" >&2 || true
      rm -f "$pidf"
      die "Kafka died during start (log above, full log: $KAFKA_DIR/kafka.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$KAFKA_DIR/kafka.log" >&2 || true
      die "Kafka did not answer on 127.0.0.1:$KAFKA_PORT within ${START_TIMEOUT}s (raise RIA_START_TIMEOUT; log: $KAFKA_DIR/kafka.log)"
    fi
    sleep 0.5
  done
  say "kafka ready on 127.0.0.1:$KAFKA_PORT"
}

# ---------- Elasticsearch -------------------------------------------------------------------

# Elasticsearch refuses to run as root: as root we run it as an unprivileged system user.
es_user_setup() {
  [ "$(id -u)" = 0 ] || return 0
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    say "creating unprivileged user '$ES_USER' to run Elasticsearch"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null \
      || adduser --system --no-create-home "$ES_USER" >/dev/null \
      || die "could not create user '$ES_USER' (Elasticsearch cannot run as root); set RIA_ES_USER to an existing unprivileged user"
  fi
  chown -R "$ES_USER" "$ES_DIR"
  chmod 755 "$STACK_DIR"
}

as_es_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

es_start() {
  local pidf="$ES_DIR/es.pid"
  if pid_alive "$pidf"; then say "elasticsearch already running (pid $(cat "$pidf"))"; return 0; fi
  require_port_free "$ES_PORT" "Elasticsearch" "stop it, or set ELASTICSEARCH_HOST to use it as an existing cluster"
  require_port_free "$ES_TRANSPORT_PORT" "the Elasticsearch transport" "stop the process that holds it"
  local jh; jh="$(require_java 21 "Elasticsearch $ES_VERSION")"
  provision_es
  require_disk "$ES_DIR"
  mkdir -p "$ES_DIR/data" "$ES_DIR/logs"
  cat >"$ES_HOME/config/elasticsearch.yml" <<EOF
cluster.name: ria
node.name: ria-1
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
discovery.type: single-node
path.data: $ES_DIR/data
path.logs: $ES_DIR/logs
# A developer box's disk is often over 90 % full: do not turn indices read-only for that.
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
  if [ "$SECURE" = 1 ]; then
    make_tls
    mkdir -p "$ES_HOME/config/ria-tls"
    cp "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem" "$TLS_DIR/server.key" "$ES_HOME/config/ria-tls/"
    # File-realm roles (this distribution has no analysis-common module, so the native realm's
    # .security index cannot be created: no API keys or native users here).
    cat >"$ES_HOME/config/roles.yml" <<'EOF'
ria_engine:
  indices:
    - names: [interaction-agg_item, interaction-agg_user, interaction-agg_avg, interaction-agg_category]
      privileges: [index, read, view_index_metadata, create_index]
ria_reader:
  indices:
    - names: [interaction-agg_item, interaction-agg_user, interaction-agg_avg, interaction-agg_category]
      privileges: [read, view_index_metadata]
EOF
    cat >>"$ES_HOME/config/elasticsearch.yml" <<EOF
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: ria-tls/server.key
xpack.security.http.ssl.certificate: ria-tls/server.pem
xpack.security.http.ssl.certificate_authorities: [ria-tls/ca.pem]
EOF
  else
    cat >>"$ES_HOME/config/elasticsearch.yml" <<EOF
# Plain HTTP on loopback for the local stack; RIA_SECURE=1 and real deployments use TLS and auth.
# Set explicitly, it also stops the security auto-configuration of the first start.
xpack.security.enabled: false
EOF
  fi
  # Leftovers of a security auto-configuration (certs/ and its keystore entries) break a start
  # with security off: drop them.
  if [ -d "$ES_HOME/config/certs" ]; then rm -rf "$ES_HOME/config/certs" "$ES_HOME/config/elasticsearch.keystore"; fi
  printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" >"$ES_HOME/config/jvm.options.d/heap.options"
  es_user_setup
  chmod 755 "$jh" 2>/dev/null || true
  if [ "$SECURE" = 1 ]; then
    # The superuser's password, from stdin into the node's keystore (bootstrap.password).
    rm -f "$ES_HOME/config/elasticsearch.keystore"
    printf '%s' "$SECURE_PASSWORD" | as_es_user env ES_JAVA_HOME="$jh" ES_PATH_CONF="$ES_HOME/config" \
      "$ES_HOME/bin/elasticsearch-keystore" add -x -f bootstrap.password >"$ES_DIR/keystore.log" 2>&1 \
      || { cat "$ES_DIR/keystore.log" >&2; die "could not store the Elasticsearch bootstrap password"; }
  fi
  say "starting Elasticsearch $ES_VERSION on 127.0.0.1:$ES_PORT (heap $ES_HEAP, Java $(java_major "$jh/bin/java"))"
  rm -f "$pidf"
  # -d daemonizes after the node has started its bootstrap; -p writes the pid file `down` uses.
  # setsid: its own session, so a terminal's Ctrl-C aimed at `npm start` does not reach it.
  if ! as_es_user setsid -w env ES_JAVA_HOME="$jh" ES_PATH_CONF="$ES_HOME/config" \
      "$ES_HOME/bin/elasticsearch" -d -p "$pidf" >"$ES_DIR/start.log" 2>&1 </dev/null; then
    cat "$ES_DIR/start.log" >&2
    tail -n 30 "$ES_DIR/logs/ria.log" >&2 2>/dev/null || true
    die "Elasticsearch died during start (log above, full log: $ES_DIR/logs/ria.log)"
  fi
}

es_wait() {
  local pidf="$ES_DIR/es.pid" deadline=$((SECONDS + START_TIMEOUT))
  while ! es_answers; do
    if [ "$SECONDS" -gt 10 ] && [ -f "$pidf" ] && ! pid_alive "$pidf"; then
      tail -n 30 "$ES_DIR/logs/ria.log" >&2 2>/dev/null || cat "$ES_DIR/start.log" >&2
      rm -f "$pidf"
      die "Elasticsearch died during start (log above, full log: $ES_DIR/logs/ria.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$ES_DIR/logs/ria.log" >&2 2>/dev/null || true
      die "Elasticsearch did not answer on 127.0.0.1:$ES_PORT within ${START_TIMEOUT}s (raise RIA_START_TIMEOUT; log: $ES_DIR/logs/ria.log)"
    fi
    sleep 1
  done
  say "elasticsearch ready on http$([ "$SECURE" = 1 ] && echo s)://127.0.0.1:$ES_PORT"
}

# ---------- Schema registry (Apicurio Registry, Confluent-compatible API) -------------------

provision_registry() {
  [ -f "$REGISTRY_HOME/.complete" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Apicurio Registry from Maven Central"
  require_disk "$CACHE"
  say "downloading Apicurio Registry $REGISTRY_VERSION (apicurio-registry-app, ~160 MB) from Maven Central"
  rm -rf "$REGISTRY_HOME"; mkdir -p "$REGISTRY_HOME"
  if ! mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" \
      -DoutputDirectory="$REGISTRY_HOME" >"$CACHE/registry-download.log" 2>&1; then
    tail -n 20 "$CACHE/registry-download.log" >&2
    die "download failed: io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all (see $CACHE/registry-download.log)"
  fi
  tar xzf "$REGISTRY_HOME"/apicurio-registry-app-*.tar.gz -C "$REGISTRY_HOME" || die "could not unpack Apicurio Registry"
  rm -f "$REGISTRY_HOME"/apicurio-registry-app-*.tar.gz
  touch "$REGISTRY_HOME/.complete"
}

registry_start() {
  local pidf="$REGISTRY_DIR/registry.pid"
  if pid_alive "$pidf"; then say "registry already running (pid $(cat "$pidf"))"; return 0; fi
  require_port_free "$REGISTRY_PORT" "the schema registry" "stop it, or set SCHEMA_REGISTRY_URL to use it as an existing registry"
  require_port_free "$REGISTRY_MANAGEMENT_PORT" "the registry's management interface" "set RIA_REGISTRY_MANAGEMENT_PORT"
  local jh; jh="$(require_java 21 "Apicurio Registry $REGISTRY_VERSION")"
  provision_registry
  require_disk "$REGISTRY_DIR"
  mkdir -p "$REGISTRY_DIR/data"
  say "starting Apicurio Registry $REGISTRY_VERSION on 127.0.0.1:$REGISTRY_PORT (heap $REGISTRY_HEAP, Java $(java_major "$jh/bin/java"))"
  # Every port on loopback (the management port binds all interfaces unless told); schemas in an
  # H2 file under the stack directory, so ids survive `down` and `up` (a lost id makes old
  # messages unreadable).
  setsid "$jh/bin/java" -Xmx"$REGISTRY_HEAP" -XX:+UseSerialGC \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.datasource.url="jdbc:h2:file:$REGISTRY_DIR/data/registry" \
    -Dapicurio.storage.snapshot.location="$REGISTRY_DIR/data" \
    -jar "$REGISTRY_HOME/quarkus-run.jar" >"$REGISTRY_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$pidf"
}

registry_wait() {
  local pidf="$REGISTRY_DIR/registry.pid" deadline=$((SECONDS + START_TIMEOUT))
  while ! registry_answers; do
    if ! pid_alive "$pidf"; then
      tail -n 30 "$REGISTRY_DIR/registry.log" >&2 || true
      rm -f "$pidf"
      die "the schema registry died during start (log above, full log: $REGISTRY_DIR/registry.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$REGISTRY_DIR/registry.log" >&2 || true
      die "the schema registry did not answer on 127.0.0.1:$REGISTRY_PORT within ${START_TIMEOUT}s (log: $REGISTRY_DIR/registry.log)"
    fi
    sleep 0.5
  done
  say "registry ready on http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
}

# ---------- commands ------------------------------------------------------------------------

stop_pid() {
  local name="$1" pidf="$2" pid i
  if ! pid_alive "$pidf"; then rm -f "$pidf"; say "$name not running"; return 0; fi
  pid="$(cat "$pidf")"
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then say "$name did not stop in 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidf"
}

rss_of() { [ -f "$1" ] && ps -o rss= -p "$(cat "$1")" 2>/dev/null | awk '{printf "%d MiB", $1/1024}'; }

# up [SERVICE...]: all three, or the ones named (e.g. `up kafka es`: a second stack without a registry).
wants() { [ "$1" = " all " ] || [[ "$1" == *" $2 "* ]]; }

cmd_up() {
  local which=" ${*:-all} " t0=$SECONDS
  mkdir -p "$STACK_DIR" "$CACHE"
  local start_k=0 start_e=0 start_r=0
  if wants "$which" kafka; then
    if kafka_external; then say "kafka: using existing broker $KAFKA_BROKER (nothing provisioned)"; else start_k=1; mkdir -p "$KAFKA_DIR"; fi
  fi
  if wants "$which" es; then
    if es_external; then say "elasticsearch: using existing cluster $ELASTICSEARCH_HOST (nothing provisioned)"; else start_e=1; mkdir -p "$ES_DIR"; fi
  fi
  if wants "$which" registry; then
    if registry_external; then say "registry: using existing registry $SCHEMA_REGISTRY_URL (nothing provisioned)"; else start_r=1; mkdir -p "$REGISTRY_DIR"; fi
  fi
  # Start all before waiting for any: their JVM start-ups overlap.
  [ $start_e = 1 ] && es_start
  [ $start_k = 1 ] && kafka_start
  [ $start_r = 1 ] && registry_start
  [ $start_k = 1 ] && kafka_wait
  [ $start_e = 1 ] && es_wait
  [ $start_r = 1 ] && registry_wait
  say "up in $((SECONDS - t0)) s"
}

cmd_down() {
  local which="${1:-all}"
  if [ "$which" = all ] || [ "$which" = kafka ]; then stop_pid kafka "$KAFKA_DIR/kafka.pid"; fi
  if [ "$which" = all ] || [ "$which" = es ]; then stop_pid elasticsearch "$ES_DIR/es.pid"; fi
  if [ "$which" = all ] || [ "$which" = registry ]; then stop_pid registry "$REGISTRY_DIR/registry.pid"; fi
}

# A file-realm user of the secured Elasticsearch (RIA_SECURE=1): password from stdin.
cmd_es_user() {
  local name="${1:-}" role="${2:-}" pw jh
  [ -n "$name" ] && [ -n "$role" ] || { echo "usage: $0 es-user NAME ROLE (password on stdin)" >&2; return 2; }
  IFS= read -r pw || true
  [ -n "$pw" ] || die "es-user: no password on stdin"
  jh="$(require_java 21 "Elasticsearch $ES_VERSION")"
  as_es_user env ES_JAVA_HOME="$jh" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch-users" useradd "$name" -p "$pw" -r "$role" >"$ES_DIR/users.log" 2>&1 \
    || { cat "$ES_DIR/users.log" >&2; die "could not add the Elasticsearch user $name"; }
}

# The pid of a service started by `up` (for fault-injection tests: SIGSTOP / SIGCONT).
cmd_pid() {
  case "${1:-}" in
    kafka) pid_alive "$KAFKA_DIR/kafka.pid" && cat "$KAFKA_DIR/kafka.pid" ;;
    es) pid_alive "$ES_DIR/es.pid" && cat "$ES_DIR/es.pid" ;;
    registry) pid_alive "$REGISTRY_DIR/registry.pid" && cat "$REGISTRY_DIR/registry.pid" ;;
    *) echo "usage: $0 pid kafka|es|registry" >&2; return 2 ;;
  esac
}

cmd_status() {
  local rc=0
  if kafka_external; then echo "kafka: external $KAFKA_BROKER"
  elif pid_alive "$KAFKA_DIR/kafka.pid"; then
    if port_open "$KAFKA_PORT"; then echo "kafka: up pid=$(cat "$KAFKA_DIR/kafka.pid") 127.0.0.1:$KAFKA_PORT rss=$(rss_of "$KAFKA_DIR/kafka.pid")"
    else echo "kafka: starting pid=$(cat "$KAFKA_DIR/kafka.pid")"; rc=1; fi
  else echo "kafka: down"; rc=1; fi
  if es_external; then echo "elasticsearch: external $ELASTICSEARCH_HOST"
  elif pid_alive "$ES_DIR/es.pid"; then
    if es_answers; then echo "elasticsearch: up pid=$(cat "$ES_DIR/es.pid") http$([ "$SECURE" = 1 ] && echo s)://127.0.0.1:$ES_PORT rss=$(rss_of "$ES_DIR/es.pid")"
    else echo "elasticsearch: starting pid=$(cat "$ES_DIR/es.pid")"; rc=1; fi
  else echo "elasticsearch: down"; rc=1; fi
  if registry_external; then echo "registry: external $SCHEMA_REGISTRY_URL"
  elif pid_alive "$REGISTRY_DIR/registry.pid"; then
    if registry_answers; then echo "registry: up pid=$(cat "$REGISTRY_DIR/registry.pid") http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7 rss=$(rss_of "$REGISTRY_DIR/registry.pid")"
    else echo "registry: starting pid=$(cat "$REGISTRY_DIR/registry.pid")"; rc=1; fi
  else echo "registry: down"; rc=1; fi
  return $rc
}

cmd_logs() {
  local which="${1:-all}" n="${RIA_LOG_LINES:-50}"
  if [ "$which" = all ] || [ "$which" = kafka ]; then echo "== kafka ($KAFKA_DIR/kafka.log)"; tail -n "$n" "$KAFKA_DIR/kafka.log" 2>/dev/null || echo "(no log)"; fi
  if [ "$which" = all ] || [ "$which" = es ]; then echo "== elasticsearch ($ES_DIR/logs/ria.log)"; tail -n "$n" "$ES_DIR/logs/ria.log" 2>/dev/null || echo "(no log)"; fi
  if [ "$which" = all ] || [ "$which" = registry ]; then echo "== registry ($REGISTRY_DIR/registry.log)"; tail -n "$n" "$REGISTRY_DIR/registry.log" 2>/dev/null || echo "(no log)"; fi
}

# java-home N: prints the first JDK of Java N or newer (what `up` would run), exit 1 when none.
cmd_java_home() { find_java_home "${1:?usage: $0 java-home MAJOR}"; }

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  java-home) shift; cmd_java_home "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) shift; cmd_status "$@" ;;
  logs) shift; cmd_logs "$@" ;;
  pid) shift; cmd_pid "$@" ;;
  es-user) shift; cmd_es_user "$@" ;;
  *) echo "usage: $0 up [kafka|es|registry] | down [kafka|es|registry] | status | logs [kafka|es|registry] | pid kafka|es|registry | java-home MAJOR" >&2; exit 2 ;;
esac
