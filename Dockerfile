# syntax=docker/dockerfile:1
# The accreditation worker (and the starter CLI) for docker-compose.yml.
#
# The domain store is SQLite through github.com/mattn/go-sqlite3, so the binaries are built
# with cgo. The builder is Debian bookworm like the runtime image, so the binaries link
# against the same glibc they run on.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=1
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -o /out/worker ./worker && \
    go build -trimpath -o /out/starter ./starter

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# An unprivileged user owns the data directory; a fresh named volume mounted on /data takes
# this ownership from the image.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin accredit \
    && mkdir -p /data && chown accredit:accredit /data
COPY --from=build /out/worker /out/starter /usr/local/bin/
USER accredit
WORKDIR /data
ENV ACCREDIT_DATA_DIR=/data \
    ACCREDIT_HTTP_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
# "worker" by default; run the starter in the same container with
#   docker compose exec worker starter ...
CMD ["worker"]
