#!/usr/bin/env bash
# Start-up only: exec -> first correct answer, repeated, for Knot and clusterdns on one generated cluster.
# The same measurement as run.sh's "ready s" column (launch.py), without the load runs, so it can be
# repeated often enough for a median. No timing assertions.
#
# usage: conformance/bench/startup.sh [--size 10000] [--repeat 5] [--jar PATH | --launcher PATH] [--append FILE]
# (--launcher: start clusterdns through the build's launcher, e.g. dns-server/target/clusterdns, not java -jar)
set -euo pipefail
# `java -jar` serves from the JVM started here (there is no relaunch since issue 17); the options of the
# launcher the build writes (dns-server/src/main/launcher/clusterdns) are measured as their own row by passing
# them explicitly.

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COMMAND="conformance/bench/startup.sh${*:+ $*}"
SIZE=10000
REPEAT=5
JAR="$ROOT/dns-server/target/clusterdns.jar"
APPEND=""
LAUNCHER=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --launcher) LAUNCHER="$2"; shift 2 ;;
    --append) APPEND="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "startup.sh: $JAR missing: mvn -B -q -DskipTests package" >&2; exit 2; }

WORK=$(mktemp -d /tmp/clusterdns-startup.XXXXXX)
PID=""
stop() {
  local i
  [ -n "$PID" ] || return 0
  kill -TERM "$PID" 2>/dev/null || { PID=""; return 0; }
  for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PID" 2>/dev/null || true
  PID=""
}
trap 'stop; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM


python3 "$HERE/gen.py" --services "$SIZE" --queries 1000 --out "$WORK/data"
PROBE=$(cat "$WORK/data/probe.txt")
declare -A TIMES
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$REPEAT"); do
  for name in knot clusterdns; do
    read -r p up health ready metrics <<< "$(python3 "$HERE/freeport.py" 5)"
    d="$WORK/$name-$i"; mkdir -p "$d"
    if [ "$name" = knot ]; then
      printf 'server:\n    rundir: %s\n    listen: 127.0.0.1@%s\n    udp-workers: 2\n    tcp-workers: 1\n    background-workers: 1\ncontrol:\n    listen: %s/knot.sock\ndatabase:\n    storage: %s\nlog:\n  - target: stderr\n    any: warning\ntemplate:\n  - id: default\n    storage: %s\n    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\nzone:\n  - domain: cluster.local\n    file: %s\n' \
        "$d" "$p" "$d" "$d" "$d" "$WORK/data/cluster.local.zone" > "$d/knot.conf"
      cmd=(/usr/sbin/knotd -c "$d/knot.conf")
    else
      if [ -n "$LAUNCHER" ]; then run=("$LAUNCHER"); else run=(java -jar "$JAR"); fi
      cmd=("${run[@]}" --snapshot "$WORK/data/cluster.yaml" --listen "127.0.0.1:$p" --upstream "127.0.0.1:$up"
           --threads 2 --ttl 5 --health "127.0.0.1:$health" --ready "127.0.0.1:$ready" --metrics "127.0.0.1:$metrics")
    fi
    t=$(python3 "$HERE/launch.py" --pidfile "$d/pid" --log "$d/log" --port "$p" --probe "$PROBE" --timeout 180 \
      -- "${cmd[@]}") || { t="failed"; echo "startup.sh: $name failed: $(tail -3 "$d/log")" >&2; }
    PID=$(cat "$d/pid" 2>/dev/null || echo "")
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$PID/stat" 2>/dev/null || echo "-")
    hwm=$(awk '$1 == "VmHWM:" {printf "%d", $2 / 1024}' "/proc/$PID/status" 2>/dev/null || echo "-")
    stop
    TIMES[$name]="${TIMES[$name]:-}$t "
    echo "  $name round $i: ready $t s (server CPU $cpu s, peak RSS $hwm MB)" >&2
    TIMES[$name-cpu]="${TIMES[$name-cpu]:-}$cpu "
    TIMES[$name-hwm]="${TIMES[$name-hwm]:-}$hwm "
  done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -n | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "-"}'; }
{
  echo "### Start-up $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo '```'
  echo "$COMMAND"
  echo '```'
  echo
  echo "$SIZE services; exec → first correct answer (the last service's A record), $REPEAT launches each," \
       "alternating; load average $LOAD0 at the start, $LOAD1 at the end; clusterdns ${LAUNCHER:+through }\`${LAUNCHER:-java -jar}\`" \
       "(one process; peak RSS is its VmHWM at ready)."
  echo
  echo "| server | ready s, median | each launch s | server CPU s at ready, median | peak RSS MB, median | ready ×knot |"
  echo "|---|---|---|---|---|---|"
  k=$(echo "${TIMES[knot]}" | median)
  for name in knot clusterdns; do
    m=$(echo "${TIMES[$name]}" | median)
    r=$(awk -v a="$m" -v b="$k" 'BEGIN {if (b > 0 && a != "-") printf "%.0f", a / b; else print "-"}')
    echo "| $name | $m | ${TIMES[$name]% } | $(echo "${TIMES[$name-cpu]}" | median) | $(echo "${TIMES[$name-hwm]}" | median) | $r |"
  done
  echo
} > "$WORK/section.md"
cat "$WORK/section.md"
if [ -n "$APPEND" ]; then cat "$WORK/section.md" >> "$APPEND"; fi
