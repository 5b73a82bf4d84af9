#!/usr/bin/env bash
# Peer benchmark: clusterdns against Knot DNS on the same synthetic cluster, in one run, on loopback
# (the rig of ../shared/spec/performance.md 2.1). A script, not a test: it measures and prints, it asserts
# no timing. See conformance/bench/README.md.
#
# usage: conformance/bench/run.sh [options]
#   --sizes "1000 10000"   cluster sizes (services); 100000 works too (about 1 GB of RAM, ~1 min more)
#   --rounds 1             rounds per size; the server order is reversed on every other round
#   --servers "knot clusterdns clusterdns-serialgc"
#   --modes "udp tcp fwd"  rows per server: udp = queries.txt over UDP; tcp = the same over TCP (dnsperf -m tcp:
#                          20 connections kept open, queries pipelined); fwd = queries-fwd.txt over UDP, a third
#                          of it names outside the cluster that clusterdns forwards through its cache to a Knot
#                          upstream (Knot's own row serves both zones itself). Each mode costs per server a
#                          warm-up, a throughput and a latency run; fwd also its own server start.
#   --duration 10          seconds of each dnsperf run (throughput and fixed-rate latency)
#   --warmup 2             seconds of unmeasured dnsperf load before the throughput run
#   --rate 20000           queries/s of the latency run (dnsperf -Q)
#   --queries 200000       lines of the generated query file
#   --jar PATH             default dns-server/target/clusterdns.jar (build it first: mvn -B -q -DskipTests package)
#   --append FILE          also append the run's markdown section (command, machine, tables) to FILE
#   --keep DIR             keep the work directory (data, configs, logs, dnsperf outputs) as DIR (new)
#   --own-sessions         start each server in a session of its own: with scheduler autogroups on, a
#                          scheduling group apart from dnsperf's (see launch.py; default: the runner's session)
#
# Every process it starts is stopped by its PID on exit (also on failure or Ctrl-C); every wait is bounded.
set -euo pipefail
# `java -jar` serves from the JVM started here (there is no relaunch since issue 17); the options of the
# launcher the build writes (dns-server/src/main/launcher/clusterdns) are measured as their own row by passing
# them explicitly.

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COMMAND="conformance/bench/run.sh${*:+ $*}"
SIZES="1000 10000"
ROUNDS=1
SERVERS="knot clusterdns clusterdns-serialgc"
MODES="udp tcp fwd"
DURATION=10
WARMUP=2
RATE=20000
QUERIES=200000
JAR="$ROOT/dns-server/target/clusterdns.jar"
APPEND=""
KEEP=""
SESSIONS=""
READY_TIMEOUT=180   # seconds a server may take to answer its first query correctly
SERIAL_FLAGS="-XX:+UseSerialGC -Xmx256m -Xmn16m"   # performance.md 2.5/2.6: best RSS at no speed cost
# and the launcher's JIT counts (dns-server/src/main/launcher/clusterdns)
SERIAL_FLAGS="$SERIAL_FLAGS -XX:Tier4InvocationThreshold=15000 -XX:Tier4MinInvocationThreshold=1800"
SERIAL_FLAGS="$SERIAL_FLAGS -XX:Tier4CompileThreshold=45000 -XX:Tier4BackEdgeThreshold=120000"

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
    --modes) MODES="$2"; shift 2 ;;
    --own-sessions) SESSIONS=--own-session; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in /usr/sbin/knotd dnsperf dig java python3 timeout; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (.ci/install-test-deps installs it)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "run.sh: $JAR missing: mvn -B -q -DskipTests package" >&2; exit 2; }
case " $SERVERS " in *" knot "*) ;; *) echo "run.sh: --servers must include knot (the reference)" >&2; exit 2 ;; esac

PLAIN_MODES=""
for mode in $MODES; do
  case "$mode" in
    udp|tcp) PLAIN_MODES="$PLAIN_MODES $mode" ;;
    fwd) ;;
    *) echo "run.sh: unknown mode $mode (udp, tcp, fwd)" >&2; exit 2 ;;
  esac
done
PLAIN_MODES=${PLAIN_MODES# }
FWD=""
case " $MODES " in *" fwd "*) FWD=1 ;; esac
[ -n "$PLAIN_MODES$FWD" ] || { echo "run.sh: --modes is empty" >&2; exit 2; }

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

# knot_conf DIR DATA PORT UDP_WORKERS TCP_WORKERS ZONE...: a Knot config serving DATA/<zone>.zone for each ZONE
knot_conf() {
  local dir=$1 data=$2 port=$3 udp=$4 tcp=$5 zone
  shift 5
  cat <<CONF
server:
    rundir: $dir
    listen: 127.0.0.1@$port
    udp-workers: $udp
    tcp-workers: $tcp
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
CONF
  for zone in "$@"; do
    printf '  - domain: %s\n    file: %s\n' "$zone" "$data/$zone.zone"
  done
}

# start_server NAME DATA DIR ROLE -> sets PORT, PID, READY (seconds from exec to first correct answer), READY_CPU
#   ROLE plain: the cluster zone only (upstream dead); fwd: clusterdns forwards to UPSTREAM_PORT, Knot serves
#   both zones itself; upstream (knot only): example.test alone, for clusterdns's forwarded names
start_server() {
  local name=$1 data=$2 dir=$3 role=$4 health ready metrics upstream probe="$data/probe.txt"
  mkdir -p "$dir"
  local cmd=()
  read -r PORT upstream health ready metrics <<< "$(free_ports 5)"
  case "$name" in
    knot)
      case "$role" in
        # Two workers of each kind: every row loads one transport only, so two Knot threads serve it, as the
        # two event loops of clusterdns --threads 2 serve UDP and TCP alike.
        plain) knot_conf "$dir" "$data" "$PORT" 2 2 cluster.local ;;
        fwd) knot_conf "$dir" "$data" "$PORT" 2 2 cluster.local example.test ;;
        # It only answers clusterdns's cache misses: one worker, to take as little as it can of the cores.
        upstream) knot_conf "$dir" "$data" "$PORT" 1 1 example.test; probe="$data/probe-upstream.txt" ;;
      esac > "$dir/knot.conf"
      cmd=(/usr/sbin/knotd -c "$dir/knot.conf") ;;
    clusterdns|clusterdns-serialgc)
      cmd=(java)
      # shellcheck disable=SC2206
      [ "$name" = clusterdns-serialgc ] && cmd+=($SERIAL_FLAGS)
      # Plain rows: the upstream is a loopback port nobody serves, as every name they ask is in the cluster zone.
      [ "$role" = fwd ] && upstream=$UPSTREAM_PORT
      cmd+=(-jar "$JAR" --snapshot "$data/cluster.yaml" --listen "127.0.0.1:$PORT" --upstream "127.0.0.1:$upstream"
            --threads 2 --ttl 5 --health "127.0.0.1:$health" --ready "127.0.0.1:$ready" --metrics "127.0.0.1:$metrics") ;;
    *) echo "run.sh: unknown server $name" >&2; exit 2 ;;
  esac
  echo "${cmd[*]}" > "$dir/command"
  local rc=0
  READY=$(python3 "$HERE/launch.py" --pidfile "$dir/pid" --log "$dir/server.log" --port "$PORT" \
    --probe "$(cat "$probe")" --timeout "$READY_TIMEOUT" ${SESSIONS:+"$SESSIONS"} -- "${cmd[@]}") || rc=$?
  PID=$(cat "$dir/pid" 2>/dev/null || echo "")
  [ -n "$PID" ] && PIDS+=("$PID")
  # CPU the server spent to get there: unlike READY, hardly moved by other load on the machine.
  READY_CPU=$(awk -v t="$(cpu_ticks "$PID" 2>/dev/null || echo 0)" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz}')
  if [ "$rc" != 0 ]; then
    echo "run.sh: $name ($role) did not answer correctly; its log:" >&2
    tail -20 "$dir/server.log" >&2
    [ "$name" = knot ] && exit 1   # no reference or no upstream, no run
    READY=""
  fi
}

stop_started() {
  [ -n "$1" ] || return 0
  stop_pid "$1"
  forget_pid "$1"
}

# One line of results.tsv from its fields, in the header's order.
tsv_row() {
  local IFS=$'\t'
  echo "$*" >> "$WORK/results.tsv"
}

# failed_row NAME DIR SIZE ROUND MODE: a server that never answered correctly still gets its row
failed_row() {
  local why
  why=$(grep -v '^\s*at ' "$2/server.log" 2>/dev/null | tail -1 | tr '\t|' '  ' | cut -c1-120)
  tsv_row "$3" "$4" "$5" "$1" "" "" "" "" "" "" "" "" "" "" "" "" "" "" "$READY_CPU" \
    "no answer: ${why:-see log}" "" "" ""
}

# fill MODE PORT DATA DIR TAG: before each fwd run, one unmeasured pass over every forwarded name, so that
# clusterdns's cache (entries live 30 s at most) holds them all when the measured run starts.
fill() {
  [ "$1" = fwd ] || return 0
  timeout 60 dnsperf -s 127.0.0.1 -p "$2" -d "$3/forwarded.txt" -n 1 -l 30 -c 20 -T 2 \
    > "$4/fwd-fill-$5.out" 2>&1 || true
}

# parity_check MODE REF_PORT PORT DATA DIR: ok(N) / DIFF(d/N), differences in DIR/parity-MODE-diffs.txt
parity_check() {
  local mode=$1 files=("$4/queries.txt" "$4/parity.txt") flags=()
  [ "$mode" = tcp ] && flags=(--tcp)
  [ "$mode" = fwd ] && files=("$4/queries-fwd.txt" "$4/parity.txt" "$4/parity-fwd.txt")
  python3 "$HERE/parity.py" --ref-port "$2" --port "$3" --first 50 ${flags[@]+"${flags[@]}"} "${files[@]}" \
    2> "$5/parity-$mode-diffs.txt" || true
}

# measure NAME PID PORT DATA DIR PARITY SIZE ROUND MODE: appends one row to results.tsv
measure() {
  local name=$1 pid=$2 port=$3 data=$4 dir=$5 parity=$6 size=$7 round=$8 mode=$9
  local q="$data/queries.txt" transport=udp upid="" u0=0 u1=0 up=""
  local c0 c1 b0 b1 w0 w1 qps completed lost cpu other lat rss hwm pss rcodes
  [ "$mode" = tcp ] && transport=tcp
  [ "$mode" = fwd ] && q="$data/queries-fwd.txt"
  # A forwarded row's misses cost the upstream CPU too; Knot's own fwd row serves both zones and has none.
  [ "$mode" = fwd ] && [ "$name" != knot ] && upid=$UPSTREAM_PID
  local perf=(dnsperf -m "$transport" -s 127.0.0.1 -p "$port" -d "$q")
  fill "$mode" "$port" "$data" "$dir" warmup
  timeout $((WARMUP + 30)) "${perf[@]}" -c 20 -T 2 -l "$WARMUP" > "$dir/$mode-warmup.out" 2>&1
  fill "$mode" "$port" "$data" "$dir" throughput
  c0=$(cpu_ticks "$pid"); b0=$(busy_ticks); w0=$(date +%s%N)
  [ -z "$upid" ] || u0=$(cpu_ticks "$upid")
  /usr/bin/time -f '%U %S' -o "$dir/$mode-dnsperf.cpu" \
    timeout $((DURATION + 30)) "${perf[@]}" -c 20 -T 2 -l "$DURATION" > "$dir/$mode-throughput.out" 2>&1
  c1=$(cpu_ticks "$pid"); b1=$(busy_ticks); w1=$(date +%s%N)
  [ -z "$upid" ] || u1=$(cpu_ticks "$upid")
  # CPU of everything but the server, its upstream and dnsperf, in % of the machine: the noise under this row.
  other=$(awk -v b=$((b1 - b0)) -v s=$((c1 - c0 + u1 - u0)) -v hz="$CLK_TCK" -v w=$((w1 - w0)) -v n="$(nproc)" \
    -v d="$(tail -1 "$dir/$mode-dnsperf.cpu")" 'BEGIN {split(d, u, " ");
    x = ((b - s) / hz - u[1] - u[2]) / (w / 1e9 * n) * 100;
    printf "%.1f", x < 0 ? 0 : x}')
  qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$dir/$mode-throughput.out")
  completed=$(awk '/Queries completed:/ {print $3}' "$dir/$mode-throughput.out")
  lost=$(awk '/Queries lost:/ {gsub(/[()%]/, "", $4); print $4}' "$dir/$mode-throughput.out")
  rcodes=$(awk -F': *' '/Response codes:/ {print $2}' "$dir/$mode-throughput.out")
  cpu=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$completed" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  [ -z "$upid" ] ||
    up=$(awk -v t=$((u1 - u0)) -v hz="$CLK_TCK" -v n="$completed" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')
  fill "$mode" "$port" "$data" "$dir" latency
  timeout $((DURATION + 30)) "${perf[@]}" -Q "$RATE" -l "$DURATION" -v > "$dir/$mode-latency.out" 2>&1
  lat=$(python3 "$HERE/latency.py" "$dir/$mode-latency.out")
  rss=$(mb "$(status_kb "$pid" VmRSS)"); hwm=$(mb "$(status_kb "$pid" VmHWM)"); pss=$(mb "$(pss_kb "$pid")")
  # shellcheck disable=SC2086
  set -- $lat
  tsv_row "$size" "$round" "$mode" "$name" "$qps" "$completed" "$lost" "$cpu" "$1" "$2" "$3" "$4" "$5" "$7" \
    "$rss" "$pss" "$hwm" "$READY_OF" "$READY_CPU_OF" "$parity" "$other" "$rcodes" "$up"
  printf '  %-20s %-3s %8s qps  %5s us/q%s  lat avg %s p99 %s ms  rss %s MB  pss %s MB  ready %s s (cpu %s s)  parity %s  other cpu %s%%\n' \
    "$name" "$mode" "$qps" "$cpu" "${up:+ (upstream $up)}" "$1" "$3" "$rss" "$pss" "$READY_OF" "$READY_CPU_OF" "$parity" \
    "$other" >&2
}

# serve NAME ROLE DIR SIZE ROUND DATA MODE...: the rows of one server instance, each after its parity check
# against the Knot reference of that role. Knot's instances run for the whole round; the others start here.
serve() {
  local name=$1 role=$2 dir=$3 size=$4 round=$5 data=$6 mode parity pid port ref
  shift 6
  if [ "$role" = fwd ]; then ref=$KNOT_FWD_PORT; else ref=$KNOT_PORT; fi
  if [ "$name" = knot ]; then
    if [ "$role" = fwd ]; then
      pid=$KNOT_FWD_PID; port=$KNOT_FWD_PORT; READY_OF=$KNOT_FWD_READY; READY_CPU_OF=$KNOT_FWD_READY_CPU
    else
      pid=$KNOT_PID; port=$KNOT_PORT; READY_OF=$KNOT_READY; READY_CPU_OF=$KNOT_READY_CPU
    fi
    for mode in "$@"; do
      measure knot "$pid" "$port" "$data" "$dir" ref "$size" "$round" "$mode"
    done
    return 0
  fi
  start_server "$name" "$data" "$dir" "$role"
  if [ -z "$READY" ]; then
    for mode in "$@"; do failed_row "$name" "$dir" "$size" "$round" "$mode"; done
    stop_started "$PID"
    return 0
  fi
  READY_OF=$READY; READY_CPU_OF=$READY_CPU
  pid=$PID; port=$PORT
  for mode in "$@"; do
    parity=$(parity_check "$mode" "$ref" "$port" "$data" "$dir")
    if [ -s "$dir/parity-$mode-diffs.txt" ]; then
      { echo "$name, $mode, $size services, round $round:"; cat "$dir/parity-$mode-diffs.txt"; } \
        >> "$WORK/parity-diffs.txt"
    fi
    measure "$name" "$pid" "$port" "$data" "$dir" "$parity" "$size" "$round" "$mode"
  done
  stop_started "$pid"
}

printf 'size\tround\tmode\tserver\tqps\tcompleted\tlost_pct\tcpu_us_q\tlat_avg\tlat_p50\tlat_p99\tlat_p999\tlat_max\tlat_timeouts\trss_mb\tpss_mb\thwm_mb\tready_s\tready_cpu_s\tparity\tother_cpu_pct\trcodes\tupstream_cpu_us_q\n' \
  > "$WORK/results.tsv"
: > "$WORK/parity-diffs.txt"
SCHED="the runner's session (one scheduler autogroup with dnsperf)"
[ -z "$SESSIONS" ] || SCHED="sessions of their own (one scheduler autogroup each)"
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
    echo "run.sh: $size services, round $round: $order(modes: $MODES)" >&2
    # Knot first in every round: it is the reference for the parity check of the others.
    KNOT_PID=""; KNOT_FWD_PID=""; UPSTREAM_PID=""
    if [ -n "$PLAIN_MODES" ]; then
      start_server knot "$data" "$WORK/n$size-r$round-knot" plain
      KNOT_PORT=$PORT; KNOT_PID=$PID; KNOT_READY=$READY; KNOT_READY_CPU=$READY_CPU
    fi
    if [ -n "$FWD" ]; then
      start_server knot "$data" "$WORK/n$size-r$round-upstream" upstream
      UPSTREAM_PORT=$PORT; UPSTREAM_PID=$PID
      start_server knot "$data" "$WORK/n$size-r$round-knot-fwd" fwd
      KNOT_FWD_PORT=$PORT; KNOT_FWD_PID=$PID; KNOT_FWD_READY=$READY; KNOT_FWD_READY_CPU=$READY_CPU
    fi
    for name in $order; do
      if [ -n "$PLAIN_MODES" ]; then
        # shellcheck disable=SC2086
        serve "$name" plain "$WORK/n$size-r$round-$name" "$size" "$round" "$data" $PLAIN_MODES
      fi
      if [ -n "$FWD" ]; then
        serve "$name" fwd "$WORK/n$size-r$round-$name-fwd" "$size" "$round" "$data" fwd
      fi
    done
    stop_started "$KNOT_PID"; stop_started "$KNOT_FWD_PID"; stop_started "$UPSTREAM_PID"
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
       "dnsperf $(awk '/^Version/ {print $2; exit}' "$(ls "$WORK"/n*-knot*/*-throughput.out | head -1)");" \
       "$(java -jar "$JAR" --version 2>&1 | head -1) at commit $GIT${DIRTY:+ (uncommitted changes)}"
  echo "- settings: throughput \`dnsperf -c 20 -T 2 -l $DURATION\` after a ${WARMUP} s warm-up; latency" \
       "\`dnsperf -Q $RATE -l $DURATION -v\`; $QUERIES queries (seed 42); clusterdns \`--threads 2\`, Knot" \
       "2 udp-workers and 2 tcp-workers; modes $MODES (tcp: \`dnsperf -m tcp\`, 20 open connections;" \
       "fwd: queries-fwd.txt, a third forwarded to a 1-worker Knot upstream, cache filled before each run);" \
       "servers started in $SCHED;" \
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
