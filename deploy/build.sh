#!/bin/sh
# The release build of the worker and the starter: the Dockerfile's build stage runs it, and
# CI runs it outside Docker, so a change that breaks the image's build fails CI without an
# engine. cgo stays on: the SQLite store (github.com/mattn/go-sqlite3) needs it.
set -eu
out="${1:?usage: deploy/build.sh OUTPUT-DIRECTORY}"
export CGO_ENABLED=1
go build -trimpath -o "$out/worker" ./worker
go build -trimpath -o "$out/starter" ./starter
