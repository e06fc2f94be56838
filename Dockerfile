# syntax=docker/dockerfile:1
# The accreditation worker (and the starter CLI) for docker-compose.yml.
#
# The domain store may be SQLite through github.com/mattn/go-sqlite3, so the binaries are
# built with cgo. The builder is Debian bookworm like the runtime image, so the binaries link
# against the same glibc they run on. deploy/build.sh is the build CI runs too.

# Equal to go.mod's go line (deploy/check tests it), so the image builds what CI tested.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    sh deploy/build.sh /out

FROM debian:bookworm-slim
# wget probes the worker's /readyz for the compose healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates wget \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user owns the data directory; a fresh volume mounted on /data takes this
# ownership from the image.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin accredit \
    && mkdir -p /data && chown accredit:accredit /data
COPY --from=build /out/worker /out/starter /usr/local/bin/
USER accredit
WORKDIR /data
# The build ID of Worker Versioning: `docker build --build-arg BUILD_ID=$(git rev-parse HEAD)`.
# Empty, the worker derives one from its binary (config.Deployment.ResolvedBuildID).
ARG BUILD_ID=""
ENV ACCREDIT_DATA_DIR=/data \
    ACCREDIT_HTTP_ADDR=0.0.0.0:8080 \
    ACCREDIT_BUILD_ID=${BUILD_ID}
VOLUME ["/data"]
EXPOSE 8080
# "worker" by default; run the starter in the same container with
#   docker compose exec worker-1 starter ...
CMD ["worker"]
