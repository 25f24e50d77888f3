#!/usr/bin/env bash
# What `npm test` needs on this machine besides `npm ci` (README.md, prerequisites): one line per
# missing piece with how to get it, exit 1 if any. No root is needed by anything it asks for.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=0
miss() { echo "prerequisites: missing: $1 — $2" >&2; missing=1; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || miss "Node.js 20 or newer (found $(node --version))" "install Node.js 20+"
bash "$here/stack.sh" java-home 17 >/dev/null 2>&1 \
  || miss "Java 17 or newer (Kafka)" "install a JDK 17+ (e.g. apt install openjdk-17-jdk-headless), or set RIA_JAVA_HOME"
bash "$here/stack.sh" java-home 21 >/dev/null 2>&1 \
  || miss "Java 21 or newer (Elasticsearch, the schema registry)" "install a JDK 21+ beside it (e.g. Temurin 21 or 25 under /usr/lib/jvm), or set RIA_JAVA_HOME"
for t in mvn:"Maven (fetches Kafka and Elasticsearch from Maven Central): apt install maven" \
  curl:"apt install curl" unzip:"apt install unzip" openssl:"the secured stack's certificates: apt install openssl" \
  go:"Go 1.22+ builds helm, prometheus and promtool once into ~/.cache/ria/tools: https://go.dev/doc/install" \
  unshare:"util-linux (the full-disk test mounts a tmpfs in a user namespace): apt install util-linux"; do
  command -v "${t%%:*}" >/dev/null 2>&1 || miss "${t%%:*}" "${t#*:}"
done
if command -v unshare >/dev/null 2>&1 && ! unshare -rm true 2>/dev/null; then
  miss "unprivileged user namespaces (unshare -rm)" "the full-disk test needs them: sysctl kernel.unprivileged_userns_clone=1 (Debian) or user.max_user_namespaces > 0"
fi
[ "$missing" = 0 ] && echo "prerequisites: all present"
exit "$missing"
