#!/usr/bin/env bash
# Issue 21's "done when": the README's "Local development" steps timed from a fresh clone to a service of the
# cluster resolved from a shell. The developer's cluster is played by StandInCluster (fabric8's mock API server
# with payments/api, whose kubeconfig is given as $KUBECONFIG, as a developer's would be); it is started before
# the clock starts, since a developer already has a cluster.
#
#   conformance/bench/dev/walkthrough.sh          # MVN_FLAGS=-o (default) builds offline from ~/.m2
#   TIMED_MVN_FLAGS="-Dmaven.repo.local=$(mktemp -d)" conformance/bench/dev/walkthrough.sh
#                                                 # the timed build downloads every dependency, as on a new machine
#
# Everything listens on loopback; the dev server is stopped by its PID, the stand-in by closing its input.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out="$root/conformance/bench/dev/target"
rm -rf "$out" && mkdir -p "$out"
cd "$root"
mvn -B -q ${MVN_FLAGS:--o} -pl dns-server -am -DskipTests package dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt"
cp=$(cat "$out/cp.txt")
javac -d "$out/classes" -cp "$cp" conformance/bench/dev/StandInCluster.java
mkfifo "$out/standin.in"
java -cp "$out/classes:$cp" io.clusterdns.bench.dev.StandInCluster "$out/kubeconfig" <"$out/standin.in" \
  >"$out/standin.log" 2>&1 &
standin=$!
exec 3>"$out/standin.in" # the stand-in serves while this stays open
dev=
cleanup() {
  [[ -n "$dev" ]] && kill "$dev" 2>/dev/null || true
  exec 3>&-
  wait "$standin" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do [[ -s "$out/kubeconfig" ]] && break; sleep 0.2; done
[[ -s "$out/kubeconfig" ]] || { echo "stand-in cluster did not start"; cat "$out/standin.log"; exit 1; }

start=$(date +%s.%N)
stamp() { awk -v s="$start" -v e="$(date +%s.%N)" -v m="$1" 'BEGIN { printf "%6.1f s  %s\n", e - s, m }'; }
clone="$out/clone"
git clone -q "$root" "$clone"
stamp "git clone"
cd "$clone"
mvn -B -q ${TIMED_MVN_FLAGS:-${MVN_FLAGS:--o}} -DskipTests package   # the README's build line
stamp "mvn -B -q -DskipTests package"
KUBECONFIG="$out/kubeconfig" java -jar dns-server/target/clusterdns.jar dev >"$out/dev.out" 2>"$out/dev.err" &
dev=$!
stamp "java -jar dns-server/target/clusterdns.jar dev (started)"
answer=
for _ in $(seq 300); do
  # +short also prints "connection refused" while dev starts; only an address is an answer
  answer=$(dig @127.0.0.1 -p 5353 +short +time=1 +tries=1 api.payments.svc.cluster.local A 2>/dev/null \
    | grep -E '^[0-9.]+$' || true)
  [[ -n "$answer" ]] && break
  sleep 0.2
done
stamp "dig @127.0.0.1 -p 5353 api.payments.svc.cluster.local -> ${answer:-no answer}"
echo "--- what dev printed on standard output ---"
cat "$out/dev.out"
[[ "$answer" == 10.96.40.7 ]]
