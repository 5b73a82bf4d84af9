#!/usr/bin/env bash
# Peer benchmark: clusterdns against Knot DNS on the same synthetic cluster, in one run, on loopback
# (the rig of ../shared/spec/performance.md 2.1). A script, not a test: it measures and prints, it asserts
# no timing. See conformance/bench/README.md.
#
# usage: conformance/bench/run.sh [options]
#   --sizes "1000 10000"   cluster sizes (services); 100000 works too (about 1 GB of RAM, ~1 min more)
#   --rounds 1             rounds per size; the server order is reversed on every other round
#   --servers "knot clusterdns clusterdns-serialgc"
#   --duration 10          seconds of each dnsperf run (throughput and fixed-rate latency)
#   --warmup 2             seconds of unmeasured dnsperf load before the throughput run
#   --rate 20000           queries/s of the latency run (dnsperf -Q)
#   --queries 200000       lines of the generated query file
#   --jar PATH             default dns-server/target/clusterdns.jar (build it first: mvn -B -q -DskipTests package)
#   --append FILE          also append the run's markdown section (command, machine, tables) to FILE
#   --keep DIR             keep the work directory (data, configs, logs, dnsperf outputs) as DIR (new)
#
# Every process it starts is stopped by its PID on exit (also on failure or Ctrl-C); every wait is bounded.
set -euo pipefail
# Measure the serving JVM itself: without this, a plain `java -jar` starts a child JVM with the jar's default
# options (dns-server Relauncher) and /proc of the PID started here would show only the waiting parent. The
# jar's defaults are measured as their own row by passing Relauncher's options explicitly.
export CLUSTERDNS_RELAUNCH=false

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COMMAND="conformance/bench/run.sh${*:+ $*}"
SIZES="1000 10000"
ROUNDS=1
SERVERS="knot clusterdns clusterdns-serialgc"
DURATION=10
WARMUP=2
RATE=20000
QUERIES=200000
JAR="$ROOT/dns-server/target/clusterdns.jar"
APPEND=""
KEEP=""
READY_TIMEOUT=180   # seconds a server may take to answer its first query correctly
SERIAL_FLAGS="-XX:+UseSerialGC -Xmx256m -Xmn16m"   # performance.md 2.5/2.6: best RSS at no speed cost

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --queries) QUERIES="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --append) APPEND="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in /usr/sbin/knotd dnsperf dig java python3 timeout; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (.ci/install-test-deps installs it)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "run.sh: $JAR missing: mvn -B -q -DskipTests package" >&2; exit 2; }
case " $SERVERS " in *" knot "*) ;; *) echo "run.sh: --servers must include knot (the reference)" >&2; exit 2 ;; esac

[ -z "$KEEP" ] || [ ! -e "$KEEP" ] || { echo "run.sh: --keep $KEEP already exists" >&2; exit 2; }

WORK=$(mktemp -d /tmp/clusterdns-bench.XXXXXX)
PIDS=()
CLK_TCK=$(getconf CLK_TCK)

# Stops one process we started: TERM, up to 10 s, then KILL.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

cleanup() {
  local p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$p"; done
  if [ -n "$KEEP" ]; then
    mv "$WORK" "$KEEP" && echo "run.sh: work directory kept in $KEEP" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# N distinct loopback ports, free for both UDP and TCP right now.
free_ports() { python3 "$HERE/freeport.py" "${1:-1}"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Busy jiffies of the whole machine (user nice system irq softirq steal): what else ran during a measurement.
busy_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
pss_kb() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo ""; }
mb() { [ -n "$1" ] && awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}' || echo ""; }

# start_server NAME DATA DIR -> sets PORT, PID, READY (seconds from exec to first correct answer), READY_CPU
start_server() {
  local name=$1 data=$2 dir=$3 health ready metrics upstream
  mkdir -p "$dir"
  local cmd=()
  read -r PORT upstream health ready metrics <<< "$(free_ports 5)"
  case "$name" in
    knot)
      cat > "$dir/knot.conf" <<EOF
server:
    rundir: $dir
    listen: 127.0.0.1@$PORT
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
control:
    listen: $dir/knot.sock
database:
    storage: $dir
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $dir
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: cluster.local
    file: $data/cluster.local.zone
EOF
      cmd=(/usr/sbin/knotd -c "$dir/knot.conf") ;;
    clusterdns|clusterdns-serialgc)
      cmd=(java)
      # shellcheck disable=SC2206
      [ "$name" = clusterdns-serialgc ] && cmd+=($SERIAL_FLAGS)
      # The upstream is a loopback port nobody serves: every benchmark name is in the cluster zone.
      cmd+=(-jar "$JAR" --snapshot "$data/cluster.yaml" --listen "127.0.0.1:$PORT" --upstream "127.0.0.1:$upstream"
            --threads 2 --ttl 5 --health "127.0.0.1:$health" --ready "127.0.0.1:$ready" --metrics "127.0.0.1:$metrics") ;;
    *) echo "run.sh: unknown server $name" >&2; exit 2 ;;
  esac
  echo "${cmd[*]}" > "$dir/command"
  local rc=0
  READY=$(python3 "$HERE/launch.py" --pidfile "$dir/pid" --log "$dir/server.log" --port "$PORT" \
    --probe "$(cat "$data/probe.txt")" --timeout "$READY_TIMEOUT" -- "${cmd[@]}") || rc=$?
  PID=$(cat "$dir/pid" 2>/dev/null || echo "")
  [ -n "$PID" ] && PIDS+=("$PID")
  # CPU the server spent to get there: unlike READY, hardly moved by other load on the machine.
  READY_CPU=$(awk -v t="$(cpu_ticks "$PID" 2>/dev/null || echo 0)" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz}')
  if [ "$rc" != 0 ]; then
    echo "run.sh: $name did not answer correctly; its log:" >&2
    tail -20 "$dir/server.log" >&2
    [ "$name" = knot ] && exit 1   # no reference, no run
    READY=""
  fi
}

# failed_row NAME DIR SIZE ROUND: a server that never answered correctly still gets its row
failed_row() {
  local why
  why=$(grep -v '^\s*at ' "$1.log" 2>/dev/null | tail -1 | tr '\t|' '  ' | cut -c1-120)
  printf '%s\t%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t%s\tno answer: %s\t\t\n' \
    "$3" "$4" "$2" "$READY_CPU" "${why:-see log}" >> "$WORK/results.tsv"
}

# measure NAME PID PORT DATA DIR PARITY SIZE ROUND: appends one row to results.tsv
measure() {
  local name=$1 pid=$2 port=$3 data=$4 dir=$5 parity=$6 size=$7 round=$8
  local q="$data/queries.txt" c0 c1 b0 b1 w0 w1 qps completed lost cpu other lat rss hwm pss rcodes
  timeout $((WARMUP + 30)) dnsperf -s 127.0.0.1 -p "$port" -d "$q" -c 20 -T 2 -l "$WARMUP" > "$dir/warmup.out" 2>&1
  c0=$(cpu_ticks "$pid"); b0=$(busy_ticks); w0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$dir/dnsperf.cpu" \
    timeout $((DURATION + 30)) dnsperf -s 127.0.0.1 -p "$port" -d "$q" -c 20 -T 2 -l "$DURATION" > "$dir/throughput.out" 2>&1
  c1=$(cpu_ticks "$pid"); b1=$(busy_ticks); w1=$(date +%s%N)
  # CPU of everything but the server and dnsperf, in % of the machine: the noise under this row.
  other=$(awk -v b=$((b1 - b0)) -v s=$((c1 - c0)) -v hz="$CLK_TCK" -v w=$((w1 - w0)) -v n="$(nproc)" \
    -v d="$(tail -1 "$dir/dnsperf.cpu")" 'BEGIN {split(d, u, " "); x = ((b - s) / hz - u[1] - u[2]) / (w / 1e9 * n) * 100;
    printf "%.1f", x < 0 ? 0 : x}')
  qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$dir/throughput.out")
  completed=$(awk '/Queries completed:/ {print $3}' "$dir/throughput.out")
  lost=$(awk '/Queries lost:/ {gsub(/[()%]/, "", $4); print $4}' "$dir/throughput.out")
  rcodes=$(awk -F': *' '/Response codes:/ {print $2}' "$dir/throughput.out")
  cpu=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$completed" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  timeout $((DURATION + 30)) dnsperf -s 127.0.0.1 -p "$port" -d "$q" -Q "$RATE" -l "$DURATION" -v > "$dir/latency.out" 2>&1
  lat=$(python3 "$HERE/latency.py" "$dir/latency.out")
  rss=$(mb "$(status_kb "$pid" VmRSS)"); hwm=$(mb "$(status_kb "$pid" VmHWM)"); pss=$(mb "$(pss_kb "$pid")")
  # shellcheck disable=SC2086
  set -- $lat
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$size" "$round" "$name" "$qps" "$completed" "$lost" "$cpu" "$1" "$2" "$3" "$4" "$5" "$7" \
    "$rss" "$pss" "$hwm" "$READY_OF" "$READY_CPU_OF" "$parity" "$other" "$rcodes" >> "$WORK/results.tsv"
  printf '  %-20s %8s qps  %5s us/q  lat avg %s p99 %s ms  rss %s MB  pss %s MB  ready %s s (cpu %s s)  parity %s  other cpu %s%%\n' \
    "$name" "$qps" "$cpu" "$1" "$3" "$rss" "$pss" "$READY_OF" "$READY_CPU_OF" "$parity" "$other" >&2
}

printf 'size\tround\tserver\tqps\tcompleted\tlost_pct\tcpu_us_q\tlat_avg\tlat_p50\tlat_p99\tlat_p999\tlat_max\tlat_timeouts\trss_mb\tpss_mb\thwm_mb\tready_s\tready_cpu_s\tparity\tother_cpu_pct\trcodes\n' \
  > "$WORK/results.tsv"
: > "$WORK/parity-diffs.txt"
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(date +%s)

for size in $SIZES; do
  data="$WORK/n$size"
  echo "run.sh: generating $size services" >&2
  python3 "$HERE/gen.py" --services "$size" --queries "$QUERIES" --seed 42 --out "$data"
  for round in $(seq "$ROUNDS"); do
    order=$SERVERS
    if [ $((round % 2)) = 0 ]; then order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    echo "run.sh: $size services, round $round: $order" >&2
    # Knot first in every round: it is the reference for the parity check of the others.
    start_server knot "$data" "$WORK/n$size-r$round-knot"
    KNOT_PORT=$PORT; KNOT_PID=$PID; KNOT_READY=$READY; KNOT_READY_CPU=$READY_CPU
    for name in $order; do
      dir="$WORK/n$size-r$round-$name"
      if [ "$name" = knot ]; then
        READY_OF=$KNOT_READY; READY_CPU_OF=$KNOT_READY_CPU
        measure knot "$KNOT_PID" "$KNOT_PORT" "$data" "$dir" ref "$size" "$round"
        continue
      fi
      start_server "$name" "$data" "$dir"
      if [ -z "$READY" ]; then
        failed_row "$dir/server" "$name" "$size" "$round"
        [ -n "$PID" ] && { stop_pid "$PID"; forget_pid "$PID"; }
        continue
      fi
      READY_OF=$READY; READY_CPU_OF=$READY_CPU
      parity=$(python3 "$HERE/parity.py" --ref-port "$KNOT_PORT" --port "$PORT" --first 50 \
        "$data/queries.txt" "$data/parity.txt" 2> "$dir/parity-diffs.txt") || true
      if [ -s "$dir/parity-diffs.txt" ]; then
        { echo "$name, $size services, round $round:"; cat "$dir/parity-diffs.txt"; } >> "$WORK/parity-diffs.txt"
      fi
      measure "$name" "$PID" "$PORT" "$data" "$dir" "$parity" "$size" "$round"
      stop_pid "$PID"; forget_pid "$PID"
    done
    stop_pid "$KNOT_PID"; forget_pid "$KNOT_PID"
  done
done

ELAPSED=$(( $(date +%s) - T0 ))
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
GIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(cd "$ROOT" && git status --porcelain -- . ':!conformance/bench' 2>/dev/null | head -1)
{
  echo "### Run $STARTED"
  echo
  echo '```'
  echo "$COMMAND"
  echo '```'
  echo
  echo "- machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)," \
       "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "- versions: $(java -version 2>&1 | head -1); $(/usr/sbin/knotd -V 2>&1 | head -1);" \
       "dnsperf $(awk '/^Version/ {print $2; exit}' "$(ls "$WORK"/n*-knot/throughput.out | head -1)");" \
       "$(java -jar "$JAR" --version 2>&1 | head -1) at commit $GIT${DIRTY:+ (uncommitted changes)}"
  echo "- settings: throughput \`dnsperf -c 20 -T 2 -l $DURATION\` after a ${WARMUP} s warm-up; latency" \
       "\`dnsperf -Q $RATE -l $DURATION -v\`; $QUERIES queries (seed 42); servers 2 threads/workers each;" \
       "$ROUNDS round(s), order reversed every other round; run took ${ELAPSED} s;" \
       "load average $LOAD0 at the start, $LOAD1 at the end"
  echo
  python3 "$HERE/report.py" "$WORK/results.tsv"
  if [ -s "$WORK/parity-diffs.txt" ]; then
    echo "Parity differences (ref = Knot):"
    echo
    echo '```'
    head -60 "$WORK/parity-diffs.txt"
    echo '```'
    echo
  fi
  echo "<details><summary>raw rows (results.tsv)</summary>"
  echo
  echo '```'
  cat "$WORK/results.tsv"
  echo '```'
  echo
  echo "</details>"
  echo
} > "$WORK/section.md"
cat "$WORK/section.md"
if [ -n "$APPEND" ]; then cat "$WORK/section.md" >> "$APPEND"; fi
