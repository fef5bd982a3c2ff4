#!/usr/bin/env bash
# Starts the whole system on this machine (no Docker needed): PostgreSQL, three Redis nodes, the
# quorum gateway, the worker and the api, every path between them through a fault proxy (./chaos).
# Builds first only when a source changed since the last build. Ctrl-C stops everything.
#   ./run-local.sh [-Dapi.port=8080 -Dworker.port=8081 -Dgateway.port=8082 -Dpostgres.port=15432
#                   -Dredis.port=16379 -Dproxy.port=8091 -Dchaos.port=8090 -Dstack.bind=127.0.0.1 ...]
set -euo pipefail
cd "$(dirname "$0")"
marker=target/.local-stack-built
built() {
  [[ -f $marker && -f devstack/target/classpath && -f api/target/quarkus-app/quarkus-run.jar \
     && -f worker/target/quarkus-app/quarkus-run.jar && -f quorum-gateway/target/quarkus-app/quarkus-run.jar ]] || return 1
  [[ -z "$(find . -path ./target -prune -o -path '*/target' -prune -o -path ./.git -prune -o -type f \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.properties' -o -name '*.lua' -o -name '*.sql' \) \
        -newer "$marker" -print -quit)" ]]
}
if built; then
  echo "local stack: the build is up to date"
else
  echo "local stack: building (./mvnw -B -q install -DskipTests; the first build downloads dependencies and takes a few minutes)"
  start=$SECONDS
  ./mvnw -B -q install -DskipTests
  mkdir -p target && touch "$marker"
  echo "local stack: built in $((SECONDS - start)) s"
fi
java_bin=java
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && java_bin="$JAVA_HOME/bin/java"
# A shell that runs this in the background hands it SIGINT ignored, and the JVM then never sees Ctrl-C
# or kill -INT: restore the default disposition before starting it.
reset=()
if env --default-signal=INT true 2>/dev/null; then
  reset=(env --default-signal=INT,TERM)
elif command -v perl >/dev/null; then
  reset=(perl -e '$SIG{INT} = $SIG{TERM} = "DEFAULT"; exec @ARGV or die "$ARGV[0]: $!\n"')
fi
exec ${reset[@]+"${reset[@]}"} "$java_bin" -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" \
  -Dproject.root="$PWD" \
  -cp "devstack/target/classes:$(cat devstack/target/classpath)" dev.ordersaga.stack.LocalStack
