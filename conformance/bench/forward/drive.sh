# The driver run.sh and hedge.sh share (sourced, not run): parses --append/--keep, checks the tools, builds the
# jar if missing, runs "$script run" in a work directory and stops by PID whatever it started, also on failure.
# The caller sets: script (the Python bench beside this file), tools (commands it needs), tag (work dir name).
set -euo pipefail
# `java -jar` serves from the JVM started here (there is no relaunch since issue 17); the options of the
# launcher the build writes (dns-server/src/main/launcher/clusterdns) are measured as their own row by passing
# them explicitly.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="$root/dns-server/target/clusterdns.jar"
command_line="conformance/bench/forward/$(basename "$0") $*"

append=""
keep=""
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --append) append="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done

for tool in $tools; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -o -DskipTests package)
fi

work="$(mktemp -d "/tmp/clusterdns-bench$tag.XXXXXX")"
pidfile="$work/pids"
: > "$pidfile"

cleanup() {
  # Stop, by PID, whatever the Python bench started and has not stopped itself (it also stops them in `finally`).
  # A PID is only signalled while its /proc entry still names the program we started, so a reused PID is safe.
  while read -r pid name; do
    [ -n "$pid" ] || continue
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$work\|clusterdns.jar\|$here/$script"; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done < "$pidfile"
  for _ in $(seq 1 50); do
    alive=0
    while read -r pid name; do
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done < "$pidfile"
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  while read -r pid name; do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  done < "$pidfile"
  if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp -r "$work"/. "$keep"/ && echo "work files kept in $keep" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# In the background, so that a TERM/INT to this script runs the trap at once (bash defers traps while a
# foreground command runs); the trap then stops the Python bench and everything it started, by PID.
python3 "$here/$script" run --jar "$jar" --work "$work" --pidfile "$pidfile" --command "$command_line" \
  --json "$work/result.json" --report "$work/report.md" "${pass[@]+"${pass[@]}"}" &
bench_pid=$!
echo "$bench_pid $script" >> "$pidfile"
wait "$bench_pid"

if [ -n "$append" ]; then
  cat "$work/report.md" >> "$append"
  echo "appended to $append" >&2
fi
