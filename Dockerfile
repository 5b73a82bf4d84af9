# The clusterdns container image (README "Replacing CoreDNS"):
#   docker build -t REGISTRY/clusterdns:0.1.0 .
#
# Stage 1: Maven builds the jar and the image's contents (dns-server/src/main/image/image.sh: a jlinked runtime,
# the jar, the launcher and a class-data archive made by that runtime) straight into /opt/clusterdns, the path
# they run from: JDK 17 accepts the archive only at the path it was made for. conformance's ContainerEntrypointIT
# tests the same contents (dns-server/target/image) the way this image runs them.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -q -pl dns-server -am package -DskipTests -Dclusterdns.image.dir=/opt/clusterdns

# Stage 2: glibc for the runtime and Netty's native epoll library, /bin/sh for the launcher, nothing else.
FROM debian:bookworm-slim
RUN groupadd --gid 65532 clusterdns \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin clusterdns
COPY --from=build /opt/clusterdns /opt/clusterdns
# Root owns /opt/clusterdns; the server writes only to /tmp (Netty's native library, the JVM's perf data), which
# the chart mounts as an emptyDir under a read-only root filesystem.
USER 65532:65532
ENTRYPOINT ["/opt/clusterdns/clusterdns"]
