#!/bin/sh
# Build step (dns-server package phase, after the shaded jar): puts the launcher and the JIT directives the
# server installs at start (clusterdns-jit.json, io.clusterdns.server.JitDirectives) next to the jar and makes the
# class-data-sharing archive clusterdns.jsa by running the built jar once on the demo cluster
# (-XX:ArchiveClassesAtExit; the server answers one query to itself and exits, -Dclusterdns.cds.train).
# Measured: the demo answers in 0.8 s instead of 1.2-2.0 s, 100k services in 3.5 s instead of 4.1 s
# (conformance/bench/RESULTS.md, issue 17).
#
#   package.sh TARGET_DIR JAVA
set -eu
target=$1
java=$2
cp "$(dirname "$0")/clusterdns" "$target/clusterdns"
chmod +x "$target/clusterdns"
cp "$(dirname "$0")/clusterdns-jit.json" "$target/clusterdns-jit.json"
rm -f "$target/clusterdns.jsa"
if ! "$java" -XX:ArchiveClassesAtExit="$target/clusterdns.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -XX:+UseSerialGC -Dclusterdns.cds.train=true -jar "$target/clusterdns.jar" --demo \
    --listen 127.0.0.1:0 --upstream 127.0.0.1:9 --health 127.0.0.1:0 --ready 127.0.0.1:0 --metrics 127.0.0.1:0 \
    > "$target/clusterdns-cds.log" 2>&1; then
  echo "package.sh: the class-data-sharing run failed (the launcher runs without an archive):" >&2
  cat "$target/clusterdns-cds.log" >&2
  rm -f "$target/clusterdns.jsa"
fi
