// Package check validates docker-compose.yml and the Dockerfile without a Docker engine. It
// loads the compose file with compose-go, the loader `docker compose config` itself runs
// (schema, interpolation, merge keys, depends_on conditions), then checks what the service
// relies on: two worker replicas on the shared PostgreSQL domain store, each with its own web
// port, Temporal images at the server release of go.mod, and a Dockerfile that builds with
// the Go of go.mod through deploy/build.sh.
//
// It is a module of its own so that compose-go and its dependencies never enter the
// service's go.mod; CI runs it with `cd deploy/check && go test ./...` (.ci/run).
package check
