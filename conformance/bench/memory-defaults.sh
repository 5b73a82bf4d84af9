#!/usr/bin/env bash
# Memory of the launcher the build writes (dns-server/target/clusterdns: one JVM with the server's options and
# class-data archive) against a plain `java -jar` (one JVM with the JDK's defaults), on a generated N-service
# snapshot. Prints RSS of the whole process tree after start-up and after a short dnsperf
# load. Loopback only; every process started here is stopped by PID.
# usage: conformance/bench/memory-defaults.sh [N] [SECONDS_OF_LOAD]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
LOAD=${2:-10}
JAR=dns-server/target/clusterdns.jar
[ -f "$JAR" ] || mvn -B -q -o -DskipTests package
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
python3 conformance/bench/gen.py --services "$N" --out "$work" >/dev/null
port() { python3 conformance/bench/freeport.py; }
tree_rss_mb() { # RSS of a process and its children, MB
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '$1 == "VmRSS:" {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo $((total / 1024))
}
echo "| mode | processes | RSS after start MB | RSS after ${LOAD} s of dnsperf MB |"
echo "|---|---|---|---|"
for mode in launcher java-jar; do
  p=$(port)
  log="$work/$mode.log"
  if [ "$mode" = launcher ]; then run=(dns-server/target/clusterdns); else run=(java -jar "$JAR"); fi
  "${run[@]}" --snapshot "$work/cluster.yaml" --listen "127.0.0.1:$p" --upstream 127.0.0.1:1 \
    --health 127.0.0.1:0 --ready 127.0.0.1:0 --metrics 127.0.0.1:0 --ttl 5 >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do grep -q "listening on" "$log" && break; sleep 0.1; done
  sleep 2
  n=$(( $( (pgrep -P "$pid" || true) | wc -l) + 1 ))
  before=$(tree_rss_mb "$pid")
  dnsperf -s 127.0.0.1 -p "$p" -d "$work/queries.txt" -c 20 -T 2 -l "$LOAD" >/dev/null 2>&1 || true
  after=$(tree_rss_mb "$pid")
  echo "| $mode | $n | $before | $after |"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
