#!/usr/bin/env bash
# Samples of `clusterdns explain` for every kind of answer (issue 22), asked of a running server: the demo
# cluster, a Knot upstream serving example.test on loopback, the explain endpoint on loopback. Prints Markdown
# (the command, then one block per sample) for conformance/bench/RESULTS.md. Loopback only; ~30 s.
#
#   conformance/bench/explain/samples.sh [--append FILE]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
jar="$root/dns-server/target/clusterdns.jar"
append=""
if [ "${1:-}" = "--append" ]; then append="$2"; fi

for tool in java python3 /usr/sbin/knotd; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (run .ci/install-test-deps)" >&2; exit 2; }
done
[ -f "$jar" ] || (cd "$root" && mvn -B -q -o install -Dmaven.test.skip=true)

work="$(mktemp -d /tmp/clusterdns-explain.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r knot dns ops < <(python3 "$root/conformance/bench/freeport.py" 3 | tr '\n' ' '; echo)

cat > "$work/example.test.zone" <<ZONE
\$TTL 300
@ SOA ns.example.test. admin.example.test. 1 3600 600 86400 60
@ NS ns
ns A 192.0.2.53
www A 192.0.2.10
ZONE
# The demo's ExternalName service points at www.example.com: the same upstream serves it.
cat > "$work/example.com.zone" <<ZONE
\$TTL 300
@ SOA ns.example.com. admin.example.com. 1 3600 600 86400 60
@ NS ns
ns A 192.0.2.53
www A 192.0.2.20
ZONE
cat > "$work/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$knot
    rundir: "$work"
database:
    storage: "$work"
template:
  - id: default
    storage: "$work"
    file: "%s.zone"
zone:
  - domain: example.test
  - domain: example.com
CONF
/usr/sbin/knotd -c "$work/knot.conf" > "$work/knot.log" 2>&1 &
pids+=($!)
java -jar "$jar" --demo --listen "127.0.0.1:$dns" --upstream "127.0.0.1:$knot" --explain "127.0.0.1:$ops" \
  --ready "127.0.0.1:$ops" --health off --metrics off > "$work/server.log" 2>&1 &
pids+=($!)
for i in $(seq 1 600); do
  if python3 - "$ops" <<'PY' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/ready" % sys.argv[1], timeout=2)
PY
  [ "$i" = 600 ] && { echo "server not ready in 60 s:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done

out="$work/samples.md"
{
  echo "## Issue 22: explain, samples of every kind of answer, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Command: \`conformance/bench/explain/samples.sh\` (clusterdns at commit $(git -C "$root" rev-parse --short HEAD)"
  echo "$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' with uncommitted changes')): a server on the demo cluster with"
  echo "\`--explain\`, forwarding to a Knot upstream that serves \`example.test\` and \`example.com\` on loopback; each sample is"
  echo "\`clusterdns explain --server 127.0.0.1:PORT NAME TYPE\`. SOA serials and cache seconds differ per run."
  echo
  sample() {
    local title="$1"; shift
    echo "**$title** (\`explain $*\`)"
    echo
    echo '```'
    java -jar "$jar" explain --server "127.0.0.1:$ops" "$@" 2>&1
    echo '```'
    echo
  }
  sample "ClusterIP service, A" web.demo.svc.cluster.local A
  sample "Dual-stack ClusterIP service, AAAA" api.demo.svc.cluster.local AAAA
  sample "Headless service: ready endpoints, one left out" db.demo.svc.cluster.local A
  sample "Endpoint name of a headless service" db-0.db.demo.svc.cluster.local A
  sample "SRV of a named port (headless: slice port)" _postgres._tcp.db.demo.svc.cluster.local SRV
  sample "SRV of a named port (ClusterIP: Service port)" _http._tcp.web.demo.svc.cluster.local SRV
  sample "ExternalName: CNAME, then the target from the upstream" search.demo.svc.cluster.local A
  sample "PTR of a cluster IP" 1.0.96.10.in-addr.arpa PTR
  sample "Pod name (pods insecure)" 10-244-1-10.demo.pod.cluster.local A
  sample "dns-version" dns-version.cluster.local TXT
  sample "NXDOMAIN: an endpoint that is not ready" db-2.db.demo.svc.cluster.local A
  sample "NXDOMAIN: no such service (typo)" wbe.demo.svc.cluster.local A
  sample "NXDOMAIN: the service is in another namespace" web.default.svc.cluster.local A
  sample "NXDOMAIN: no such namespace" web.demoo.svc.cluster.local A
  sample "NXDOMAIN: wrong port protocol for SRV" _http._udp.web.demo.svc.cluster.local SRV
  sample "NODATA: a type the name does not have" web.demo.svc.cluster.local MX
  sample "Forwarded, first ask (cache miss)" www.example.test A
  sample "Forwarded, asked again (cache hit)" www.example.test A
  sample "Forwarded, NXDOMAIN from the upstream" nothing.example.test A
  echo "**The same as JSON** (\`explain --json db-2.db.demo.svc.cluster.local\`)"
  echo
  echo '```json'
  java -jar "$jar" explain --server "127.0.0.1:$ops" --json db-2.db.demo.svc.cluster.local 2>&1
  echo '```'
  echo
} > "$out"
cat "$out"
if [ -n "$append" ]; then
  cat "$out" >> "$append"
  echo "appended to $append" >&2
fi
