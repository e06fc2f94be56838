#!/bin/sh
# The release build of the worker and the starter: the Dockerfile's build stage runs it, and
# CI runs it outside Docker, so a change that breaks the image's build fails CI without an
# engine. cgo stays on: the SQLite store (github.com/mattn/go-sqlite3) needs it. No -trimpath:
# it changes every package's build key, so CI would compile the Temporal server a second time
# (about ten minutes on two cores) instead of linking from the cache the tests just filled.
set -eu
out="${1:?usage: deploy/build.sh OUTPUT-DIRECTORY}"
export CGO_ENABLED=1
go build -o "$out/worker" ./worker
go build -o "$out/starter" ./starter
