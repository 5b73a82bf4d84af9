#!/usr/bin/env bash
# Soak: clusterdns under a steady load for a long time, mixed cluster and forwarded names, with RSS, GC pauses
# and errors reported minute by minute (issue 20). A script, not a test: nothing in it asserts a figure; the
# table it prints goes into RESULTS.md with its command.
#
#   conformance/bench/soak.sh [--minutes 10] [--rate 5000] [--services 10000] [--jar FILE] [--keep DIR]
#                             [--jvm "FLAGS"]   (default: the jar's own launch flags)
#                             [--malformed RATE] (malformed UDP packets/s beside the load, malformed.py)
#
# What it runs, all on 127.0.0.1:
#   - gen.py's cluster (--services, seed 42) and its queries-fwd.txt: two thirds cluster names (A, SRV, AAAA
#     NODATA, NXDOMAIN search-path expansions), one third names of example.test;
#   - a Knot serving example.test as clusterdns's upstream (its answers live 30 s in clusterdns's cache, so
#     the forwarded third keeps going upstream as entries expire: misses, refills and evictions all the time);
#   - clusterdns with the memory flags of the jar's own launch and a GC log;
#   - dnsperf at a fixed --rate for --minutes (4 clients, 2 threads);
#   - with --malformed, malformed.py sending that many broken packets a second for the same time (14 kinds,
#     from random bytes to OPT misplaced), counting the replies by rcode.
# Every minute: RSS, CPU %, young and full GC pauses (count, longest, total), from the GC log and /proc;
# at the end dnsperf's totals: queries sent, completed, lost, rcodes, and the malformed sender's counts with
# the server's own count of dropped requests. Needs knotd, dnsperf, Java 17, Python 3.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MINUTES=10
RATE=5000
SERVICES=10000
JAR="$ROOT/dns-server/target/clusterdns.jar"
KEEP=""
MALFORMED=0
# The launcher's memory flags (dns-server/src/main/launcher/clusterdns), given explicitly with a GC log.
JVM_FLAGS="-XX:+UseSerialGC -Xms32m -Xmn16m -XX:+ExitOnOutOfMemoryError"

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --services) SERVICES="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --jvm) JVM_FLAGS="$2"; shift 2 ;;
    --malformed) MALFORMED="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
done
for tool in /usr/sbin/knotd dnsperf java python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing (.ci/install-test-deps installs it)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "soak.sh: no $JAR; build it first: mvn -B -q -DskipTests package" >&2; exit 2; }

WORK=${KEEP:-$(mktemp -d /tmp/clusterdns-soak.XXXXXX)}
mkdir -p "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# A copy of the jar: a build during the run (mvn package rewrites target/clusterdns.jar) would pull classes the
# running JVM has not loaded yet from under it.
cp "$JAR" "$WORK/clusterdns.jar"
JAR="$WORK/clusterdns.jar"
python3 "$HERE/gen.py" --services "$SERVICES" --seed 42 --out "$WORK/data" > /dev/null
read -r DNS_PORT UP_PORT HEALTH READY METRICS <<< "$(python3 "$HERE/freeport.py" 5)"

mkdir -p "$WORK/knot"
cat > "$WORK/knot/knot.conf" <<CONF
server:
    rundir: $WORK/knot
    listen: 127.0.0.1@$UP_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: $WORK/knot/knot.sock
database:
    storage: $WORK/knot
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $WORK/knot
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: example.test
    file: $WORK/data/example.test.zone
CONF
python3 "$HERE/launch.py" --pidfile "$WORK/knot/pid" --log "$WORK/knot/log" --port "$UP_PORT" \
  --probe "$(cat "$WORK/data/probe-upstream.txt")" --timeout 60 -- /usr/sbin/knotd -c "$WORK/knot/knot.conf" > /dev/null
PIDS+=("$(cat "$WORK/knot/pid")")

# shellcheck disable=SC2086
python3 "$HERE/launch.py" --pidfile "$WORK/pid" --log "$WORK/server.log" --port "$DNS_PORT" \
  --probe "$(cat "$WORK/data/probe.txt")" --timeout 180 -- \
  java $JVM_FLAGS "-Xlog:gc:file=$WORK/gc.log:uptime" -jar "$JAR" --snapshot "$WORK/data/cluster.yaml" \
  --listen "127.0.0.1:$DNS_PORT" --upstream "127.0.0.1:$UP_PORT" --threads 2 \
  --health "127.0.0.1:$HEALTH" --ready "127.0.0.1:$READY" --metrics "127.0.0.1:$METRICS" > /dev/null
PID=$(cat "$WORK/pid")
PIDS+=("$PID")
START_UPTIME=$(awk '{print $22}' "/proc/$PID/stat")   # clock ticks after boot at which the JVM started
CLK_TCK=$(getconf CLK_TCK)

echo "soak.sh: $SERVICES services, $RATE queries/s for $MINUTES min; clusterdns pid $PID; work dir $WORK" >&2
SECONDS_TOTAL=$((MINUTES * 60))
dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/data/queries-fwd.txt" -c 4 -T 2 -Q "$RATE" -l "$SECONDS_TOTAL" \
  > "$WORK/dnsperf.out" 2>&1 &
PERF=$!
PIDS+=("$PERF")
if [ "$MALFORMED" -gt 0 ]; then
  python3 "$HERE/malformed.py" --port "$DNS_PORT" --rate "$MALFORMED" --seconds "$SECONDS_TOTAL" \
    > "$WORK/malformed.out" 2>&1 &
  PIDS+=("$!")
fi

# One sample a minute: uptime of the JVM in seconds (to cut the GC log), RSS, CPU ticks.
: > "$WORK/samples.tsv"
sample() {
  local now_ticks uptime
  now_ticks=$(awk '{print int($1 * '"$CLK_TCK"')}' /proc/uptime)
  uptime=$(awk -v n="$now_ticks" -v s="$START_UPTIME" -v hz="$CLK_TCK" 'BEGIN {printf "%.1f", (n - s) / hz}')
  printf '%s\t%s\t%s\n' "$uptime" "$(awk '$1 == "VmRSS:" {print $2}' "/proc/$PID/status")" \
    "$(awk '{print $14 + $15}' "/proc/$PID/stat")" >> "$WORK/samples.tsv"
}
sample
for _ in $(seq 1 "$MINUTES"); do
  for _ in $(seq 1 60); do
    kill -0 "$PERF" 2>/dev/null || break
    kill -0 "$PID" 2>/dev/null || { echo "soak.sh: clusterdns exited; its log:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
    sleep 1
  done
  sample
done
wait "$PERF" || true
if [ "$MALFORMED" -gt 0 ]; then
  wait "${PIDS[-1]}" || true
fi
curl -s --max-time 20 "http://127.0.0.1:$METRICS/metrics" > "$WORK/metrics.txt" || true

python3 - "$WORK" "$CLK_TCK" "$RATE" <<'PY'
import os, re, sys
work, hz, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
samples = [l.split("\t") for l in open(f"{work}/samples.tsv").read().split("\n") if l]
pauses = []  # (uptime s, kind, ms)
for line in open(f"{work}/gc.log"):
    m = re.match(r"\[(\d+\.\d+)s\].*Pause (Young|Full).* (\d+\.\d+)ms", line)
    if m:
        pauses.append((float(m.group(1)), m.group(2), float(m.group(3))))
perf = open(f"{work}/dnsperf.out").read()
print("| minute | RSS MB | CPU % | young GC (n / longest / total ms) | full GC (n / longest ms) |")
print("|---|---|---|---|---|")
for i in range(1, len(samples)):
    t0, rss0, c0 = float(samples[i - 1][0]), int(samples[i - 1][1]), int(samples[i - 1][2])
    t1, rss1, c1 = float(samples[i][0]), int(samples[i][1]), int(samples[i][2])
    young = [p[2] for p in pauses if t0 <= p[0] < t1 and p[1] == "Young"]
    full = [p[2] for p in pauses if t0 <= p[0] < t1 and p[1] == "Full"]
    cpu = (c1 - c0) / hz / max(t1 - t0, 1e-9) * 100
    print(f"| {i} | {rss1 / 1024:.1f} | {cpu:.1f} | {len(young)} / {max(young, default=0):.2f} / "
          f"{sum(young):.1f} | {len(full)} / {max(full, default=0):.2f} |")
def grab(label):
    m = re.search(label + r":\s+(.*)", perf)
    return m.group(1).strip() if m else "-"
print()
print(f"- queries sent {grab('Queries sent')}, completed {grab('Queries completed')}, lost {grab('Queries lost')}")
print(f"- response codes: {grab('Response codes')}")
print(f"- queries per second {grab('Queries per second')}")
if os.path.exists(f"{work}/malformed.out"):
    print(f"- malformed packets beside the load: {open(f'{work}/malformed.out').read().strip()}")
    dropped = sum(float(m.group(1)) for m in re.finditer(
        r'^coredns_dns_requests_total\{[^}]*zone="dropped"[^}]*\} (\S+)$', open(f"{work}/metrics.txt").read(), re.M))
    print(f"- the server counted {dropped:.0f} requests in zone \"dropped\" of coredns_dns_requests_total (malformed:"
          " answered by the rules or dropped unanswered, e.g. QR=1 and headers cut short)")
log = open(f"{work}/server.log", errors="replace").read().splitlines()
bad = [l for l in log if "[ERROR]" in l or "[WARNING]" in l or "Exception" in l]
print(f"- server log: {len(log)} lines, {len(bad)} at WARNING or ERROR or naming an exception"
      + (f"; first: {bad[0][:200]}" if bad else ""))
t_load = float(samples[0][0])
allp = [p[2] for p in pauses if p[0] >= t_load]
fulls = [p[2] for p in pauses if p[0] >= t_load and p[1] == "Full"]
print(f"- GC pauses under load: {len(allp)} ({len(fulls)} full), longest {max(allp, default=0):.2f} ms, "
      f"total {sum(allp):.0f} ms ({sum(allp) / 10 / max(float(samples[-1][0]) - t_load, 1e-9):.2f} % of the time); "
      f"start-up before the load: {len(pauses) - len([p for p in pauses if p[0] >= t_load])} pauses; RSS first/last sample {int(samples[0][1]) / 1024:.1f} / "
      f"{int(samples[-1][1]) / 1024:.1f} MB, peak of samples {max(int(s[1]) for s in samples) / 1024:.1f} MB")
PY
