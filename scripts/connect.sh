#!/usr/bin/env bash
# Kafka Connect 4.1.1 standalone, without Docker: its jars (connect-runtime, connect-json,
# connect-file, and Apicurio's Avro converter) fetched from Maven Central into the cache once, a
# worker configuration written here, the connector configurations given (deploy/connect/*.properties
# are the tested ones: docs/schemas.md). Runs in the foreground until stopped.
#
#   scripts/connect.sh run CONNECTOR.properties [...]
#
# Environment (all optional):
#   KAFKA_BROKER          bootstrap servers                     default 127.0.0.1:9092
#   RIA_CONNECT_DIR       offsets file, worker config and log   default $RIA_CACHE/connect
#   RIA_CONNECT_PORT      REST listener on 127.0.0.1            default 8083
#   RIA_CONNECT_HEAP      JVM heap                               default 512m
#   RIA_CACHE             download cache                         default ~/.cache/ria
# Connector configurations may use ${env:NAME} (the worker enables the environment config provider).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION=4.1.1
CACHE="${RIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ria}"
LIBS="$CACHE/connect-$KAFKA_VERSION"
DIR="${RIA_CONNECT_DIR:-$CACHE/connect}"
PORT="${RIA_CONNECT_PORT:-8083}"
HEAP="${RIA_CONNECT_HEAP:-512m}"
BROKER="${KAFKA_BROKER:-127.0.0.1:9092}"

die() { printf 'connect: error: %s\n' "$*" >&2; exit 1; }

provision() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch Kafka Connect from Maven Central"
  printf 'connect: downloading Kafka Connect %s and the Apicurio converter from Maven Central into %s\n' "$KAFKA_VERSION" "$LIBS" >&2
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -q -B -f "$HERE/connect/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIBS" >"$CACHE/connect-download.log" 2>&1 \
    || { tail -n 20 "$CACHE/connect-download.log" >&2; die "download failed (see $CACHE/connect-download.log)"; }
  touch "$LIBS/.complete"
}

cmd_run() {
  [ $# -ge 1 ] || die "usage: $0 run CONNECTOR.properties [...]"
  for f in "$@"; do [ -r "$f" ] || die "cannot read connector configuration $f"; done
  local jh; jh="$(bash "$HERE/stack.sh" java-home 17)" || die "Kafka Connect needs Java 17 or newer"
  provision
  mkdir -p "$DIR"
  cat >"$DIR/worker.properties" <<PROPS
bootstrap.servers=$BROKER
offset.storage.file.filename=$DIR/offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:$PORT
# Keys are the document ids as text; values are set per connector (JSON or Avro).
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
config.providers=env
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
PROPS
  cat >"$DIR/log4j2.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="out"/></Root>
    <Logger name="org.apache.kafka.connect.runtime.WorkerSinkTask" level="INFO"/>
    <Logger name="org.apache.kafka.connect.cli" level="INFO"/></Loggers>
</Configuration>
XML
  exec "$jh/bin/java" -Xmx"$HEAP" -Djava.awt.headless=true -Dlog4j2.configurationFile="$DIR/log4j2.xml" \
    -cp "$LIBS/*" org.apache.kafka.connect.cli.ConnectStandalone "$DIR/worker.properties" "$@"
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  *) echo "usage: $0 run CONNECTOR.properties [...]" >&2; exit 2 ;;
esac
