#!/usr/bin/env bash
# The operations tools the deployment tests use, installed from the registries and cached outside
# the repository (as scripts/stack.sh does for Kafka and Elasticsearch):
#   helm        built with `go install helm.sh/helm/v3/cmd/helm@v3.22.0` into ~/.cache/ria/tools
#               (a few minutes cold; then a no-op)
#   prometheus  Debian's package (2.42, with promtool), when apt-get can install it
# Environment: RIA_CACHE (default ~/.cache/ria), GOBIN is not used.
set -euo pipefail
HELM_VERSION=v3.22.0
CACHE="${RIA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ria}"
HELM_DIR="$CACHE/tools/helm-$HELM_VERSION"

if [ -x "$HELM_DIR/helm" ]; then
  echo "tools: helm $HELM_VERSION cached in $HELM_DIR"
else
  command -v go >/dev/null || { echo "tools: error: go is needed to build helm (go install)" >&2; exit 1; }
  echo "tools: building helm $HELM_VERSION with go install (cached in $HELM_DIR)"
  mkdir -p "$HELM_DIR"
  (cd /tmp && GOBIN="$HELM_DIR" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
fi
"$HELM_DIR/helm" version --short

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  echo "tools: $(prometheus --version 2>&1 | head -1)"
elif [ "$(id -u)" = 0 ]; then
  echo "tools: installing Debian's prometheus (with promtool)"
  apt-get update -qq
  # The package's service is not started here (no init system in CI); only its binaries are used.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  prometheus --version 2>&1 | head -1
else
  echo "tools: error: install prometheus (with promtool), e.g. apt-get install prometheus" >&2
  exit 1
fi
