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
  go:"Go 1.22+ builds helm, prometheus and promtool once into ~/.cache/ria/tools: https://go.dev/doc/install"; do
  command -v "${t%%:*}" >/dev/null 2>&1 || miss "${t%%:*}" "${t#*:}"
done
# The full-disk test alone mounts a tmpfs in an unprivileged user namespace: without them (only
# root can allow them), a normal user leaves that one test out on purpose.
case ",${RIA_SKIP_TESTS:-}," in
  *,full-disk,*) echo "prerequisites: the full-disk test is left out (RIA_SKIP_TESTS=full-disk): unshare and user namespaces not checked" ;;
  *)
    if ! command -v unshare >/dev/null 2>&1; then
      miss "unshare" "util-linux (the full-disk test mounts a tmpfs in a user namespace): apt install util-linux; or leave that test out: RIA_SKIP_TESTS=full-disk"
    elif ! unshare -rm true 2>/dev/null; then
      miss "unprivileged user namespaces (unshare -rm)" "the full-disk test needs them; as root: sysctl kernel.unprivileged_userns_clone=1 (Debian), kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+) or user.max_user_namespaces > 0; without root, leave that test out: RIA_SKIP_TESTS=full-disk"
    fi
    ;;
esac
[ "$missing" = 0 ] && echo "prerequisites: all present"
exit "$missing"
