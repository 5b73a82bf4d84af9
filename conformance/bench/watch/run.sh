#!/usr/bin/env bash
# Live-cluster benchmark (issue 4): the clusterdns jar against fabric8's mock API server, over real DNS on
# loopback. Builds the jar and the dns-server test classpath (fabric8 mock, dnsjava), compiles the sources of
# this directory (no Maven module) and runs io.clusterdns.bench.watch.WatchBench with the given arguments.
#
#   conformance/bench/watch/run.sh                      # all three phases (~5 min on 2 cores)
#   conformance/bench/watch/run.sh propagation burst    # a subset
#   conformance/bench/watch/run.sh memory --services 10000 --pods 10000 --jvm "-Xmx256m"
#
# SKIP_BUILD=1 reuses the jar and classpath of the last run. Whole run bounded by `timeout` (default 900 s,
# BENCH_TIMEOUT); the bench stops the clusterdns processes it started by their PID, also when interrupted.
set -euo pipefail
# `java -jar` serves from the JVM started here (there is no relaunch since issue 17); the options of the
# launcher the build writes (dns-server/src/main/launcher/clusterdns) are measured as their own row by passing
# them explicitly.
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
out="$root/conformance/bench/watch/target"
mkdir -p "$out"
if [[ "${SKIP_BUILD:-}" != 1 || ! -f "$out/cp.txt" ]]; then
  mvn -B -q ${MVN_FLAGS:--o} -pl dns-server -am -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt"
fi
cp=$(cat "$out/cp.txt")
rm -rf "$out/classes"
javac -d "$out/classes" -cp "$cp" conformance/bench/watch/*.java
exec timeout --kill-after=20 "${BENCH_TIMEOUT:-900}" \
  java -Xmx2g -cp "$out/classes:$cp" io.clusterdns.bench.watch.WatchBench \
  --jar dns-server/target/clusterdns.jar "$@"
