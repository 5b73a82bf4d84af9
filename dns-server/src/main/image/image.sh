#!/bin/sh
# Build step (dns-server package phase, after package.sh): the contents of the container image, in IMAGE_DIR:
#
#   IMAGE_DIR/runtime/         a Java runtime made by jlink with only the modules the jar needs
#   IMAGE_DIR/clusterdns.jar   the server
#   IMAGE_DIR/clusterdns       the launcher (the image's entrypoint); it runs runtime/bin/java
#   IMAGE_DIR/clusterdns.jsa   class-data-sharing archive made by THAT runtime for the jar at THAT path
#   IMAGE_DIR/clusterdns-jit.json  JIT directives the server installs at start (io.clusterdns.server.JitDirectives)
#
# JDK 17 accepts a dynamic archive only for the jar path it was made with (a copy elsewhere logs "shared class
# paths mismatch" and runs without it), so the Dockerfile runs this with IMAGE_DIR=/opt/clusterdns, the path
# the image uses; the default target/image is what the tests run.
#
#   image.sh TARGET_DIR JAVA_HOME IMAGE_DIR
set -eu
target=$1
jdk=$2
image=$3

# The modules: what jdeps finds in the shaded jar, plus what it cannot see: jdk.crypto.ec is a security
# provider found through a service lookup, needed for TLS to an API server with an ECDSA certificate (k3s's
# default; kubeadm's with encryptionAlgorithm ECDSA-P256).
modules=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 "$target/clusterdns.jar")
modules="$modules,jdk.crypto.ec"

case "$image" in
  /|"") echo "image.sh: refusing to replace '$image'" >&2; exit 2 ;;
esac
rm -rf "$image"
mkdir -p "$image"
# --generate-cds-archive: the runtime's own base archive (lib/server/classes.jsa), on which clusterdns.jsa builds.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --generate-cds-archive --output "$image/runtime" > "$target/image-jlink.log"
# The base archive for heaps above 32 GB (no compressed oops): never the case with the chart's limits; 11 MB.
rm -f "$image/runtime/lib/server/classes_nocoops.jsa"
cp "$target/clusterdns.jar" "$image/clusterdns.jar"
cp "$(dirname "$0")/../launcher/clusterdns" "$image/clusterdns"
chmod 0755 "$image/clusterdns"
cp "$(dirname "$0")/../launcher/clusterdns-jit.json" "$image/clusterdns-jit.json"
echo "$modules" > "$image/runtime/clusterdns-modules"

# The training run of package.sh, with the image's runtime. A port taken between the server's UDP and TCP bind
# of port 0 ends a run early; two more tries, then the image goes without an archive (it runs, only slower).
tries=0
until "$image/runtime/bin/java" -XX:ArchiveClassesAtExit="$image/clusterdns.jsa" -Xlog:cds=off \
    -Xlog:cds+dynamic=off -XX:+UseSerialGC -Dclusterdns.cds.train=true -jar "$image/clusterdns.jar" --demo \
    --listen 127.0.0.1:0 --upstream 127.0.0.1:9 --health 127.0.0.1:0 --ready 127.0.0.1:0 --metrics 127.0.0.1:0 \
    > "$target/image-cds.log" 2>&1; do
  tries=$((tries + 1))
  rm -f "$image/clusterdns.jsa"
  if [ "$tries" -ge 3 ]; then
    echo "image.sh: the class-data-sharing run failed 3 times (the image runs without an archive):" >&2
    cat "$target/image-cds.log" >&2
    break
  fi
done
