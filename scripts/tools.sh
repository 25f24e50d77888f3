#!/usr/bin/env bash
# The operations tools the deployment tests use, built from their Go modules with `go install` and
# cached outside the repository (as scripts/stack.sh does for Kafka and Elasticsearch); no root:
#   helm                  helm.sh/helm/v3/cmd/helm@v3.22.0
#   prometheus, promtool  github.com/prometheus/prometheus/cmd/{prometheus,promtool}@v0.316.0
#                         (Prometheus 3.16; the server runs without its web UI assets: the API works)
# Each is a few minutes cold on two cores (the Go modules are cached too), then a no-op.
# Environment: RIA_CACHE (default ~/.cache/ria); GOPATH / GOMODCACHE / GOCACHE default under it.
set -euo pipefail
HELM_VERSION=v3.22.0
PROMETHEUS_VERSION=v0.316.0
CACHE="${RIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ria}"
HELM_DIR="$CACHE/tools/helm-$HELM_VERSION"
PROM_DIR="$CACHE/tools/prometheus-$PROMETHEUS_VERSION"
export GOPATH="${GOPATH:-$CACHE/go}" GOMODCACHE="${GOMODCACHE:-$CACHE/go/pkg/mod}"
export GOCACHE="${GOCACHE:-$CACHE/go/build}" GOFLAGS=-mod=mod

need_go() {
  command -v go >/dev/null || {
    echo "tools: error: Go (1.22 or newer) is needed to build $1 with go install: see README.md, prerequisites" >&2
    exit 1
  }
}

# build DIR PACKAGE@VERSION...: go install into DIR, from /tmp so no go.mod around us is used.
build() {
  local dir=$1
  shift
  mkdir -p "$dir.partial"
  (cd /tmp && GOBIN="$dir.partial" go install -trimpath -ldflags=-s "$@")
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

if [ -x "$HELM_DIR/helm" ]; then
  echo "tools: helm $HELM_VERSION cached in $HELM_DIR"
else
  need_go helm
  echo "tools: building helm $HELM_VERSION with go install (cached in $HELM_DIR; minutes, once)"
  build "$HELM_DIR" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
"$HELM_DIR/helm" version --short

if [ -x "$PROM_DIR/prometheus" ] && [ -x "$PROM_DIR/promtool" ]; then
  echo "tools: prometheus and promtool $PROMETHEUS_VERSION cached in $PROM_DIR"
else
  need_go prometheus
  echo "tools: building prometheus and promtool $PROMETHEUS_VERSION with go install (cached in $PROM_DIR; minutes, once)"
  build "$PROM_DIR" "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
fi
"$PROM_DIR/promtool" --version 2>&1 | head -1
