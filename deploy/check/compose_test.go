package check

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// root is the repository, two folders up.
var root = filepath.Join("..", "..")

// load reads docker-compose.yml as `docker compose config` does, in an environment holding
// only env (no .env file, nothing of the machine's).
func load(t *testing.T, file string, env ...string) *types.Project {
	t.Helper()
	p, err := loadErr(file, env...)
	if err != nil {
		t.Fatalf("%s does not load as a compose file: %v", file, err)
	}
	return p
}

func loadErr(file string, env ...string) (*types.Project, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(abs), cli.WithEnv(env), cli.WithDiscardEnvFile)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}

func compose(t *testing.T, env ...string) *types.Project {
	t.Helper()
	return load(t, filepath.Join(root, "docker-compose.yml"), env...)
}

func envOf(t *testing.T, s types.ServiceConfig, key string) string {
	t.Helper()
	v, ok := s.Environment[key]
	if !ok || v == nil {
		t.Fatalf("service %s does not set %s", s.Name, key)
	}
	return *v
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("no service %s in docker-compose.yml (services: %v)", name, p.ServiceNames())
	}
	return s
}

var workers = []string{"worker-1", "worker-2"}

func TestComposeServices(t *testing.T) {
	p := compose(t)
	if p.Name != "accredit" {
		t.Errorf("project name = %q, want accredit (volume names depend on it)", p.Name)
	}
	want := []string{"postgresql", "temporal", "temporal-namespace", "temporal-schema", "temporal-ui", "worker-1", "worker-2"}
	got := p.ServiceNames()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services = %v, want %v", got, want)
	}
	for name, deps := range map[string]map[string]string{
		"temporal-schema":    {"postgresql": types.ServiceConditionHealthy},
		"temporal":           {"temporal-schema": types.ServiceConditionCompletedSuccessfully},
		"temporal-namespace": {"temporal": types.ServiceConditionHealthy},
		"temporal-ui":        {"temporal": types.ServiceConditionHealthy},
		"worker-1":           {"postgresql": types.ServiceConditionHealthy, "temporal-namespace": types.ServiceConditionCompletedSuccessfully},
		"worker-2":           {"postgresql": types.ServiceConditionHealthy, "temporal-namespace": types.ServiceConditionCompletedSuccessfully},
	} {
		s := service(t, p, name)
		for dep, cond := range deps {
			if got := s.DependsOn[dep].Condition; got != cond {
				t.Errorf("%s waits for %s until %q, want %q", name, dep, got, cond)
			}
		}
	}
	if ui := service(t, p, "temporal-ui"); !publishes(ui, "8233", 8080) {
		t.Errorf("temporal-ui publishes %+v, want 8233 to its 8080", ui.Ports)
	}
}

func publishes(s types.ServiceConfig, host string, target uint32) bool {
	for _, port := range s.Ports {
		if port.Published == host && port.Target == target {
			return true
		}
	}
	return false
}

// TestWorkerReplicas: two workers of one image, each publishing the web app on a port of its
// own, against the cluster and the shared domain store in PostgreSQL.
func TestWorkerReplicas(t *testing.T) {
	p := compose(t)
	published := map[string]string{}
	for _, name := range workers {
		w := service(t, p, name)
		if w.Image != "accredit-worker:local" || w.Build == nil || w.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s: image %q built from %+v, want accredit-worker:local from the Dockerfile", name, w.Image, w.Build)
		}
		_, port, err := net.SplitHostPort(envOf(t, w, "ACCREDIT_HTTP_ADDR"))
		if err != nil {
			t.Fatalf("%s: ACCREDIT_HTTP_ADDR: %v", name, err)
		}
		if len(w.Ports) != 1 || w.Ports[0].Target != parsePort(t, port) || w.Ports[0].Published == "" {
			t.Fatalf("%s publishes %+v, want one host port to the web app's %s", name, w.Ports, port)
		}
		if other, dup := published[w.Ports[0].Published]; dup {
			t.Errorf("%s and %s both publish host port %s: the second cannot start", other, name, w.Ports[0].Published)
		}
		published[w.Ports[0].Published] = name
		if got := envOf(t, w, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
			t.Errorf("%s: TEMPORAL_ADDRESS = %q, want temporal:7233", name, got)
		}
		if got := envOf(t, w, "ACCREDIT_DEPLOYMENT_NAME"); got != "accredit" {
			t.Errorf("%s: ACCREDIT_DEPLOYMENT_NAME = %q, want accredit (Worker Versioning, docs/deploy.md)", name, got)
		}
		// The healthcheck asks the worker's own web address whether it is ready.
		if w.HealthCheck == nil {
			t.Errorf("%s has no healthcheck", name)
		} else if probe := strings.Join(w.HealthCheck.Test, " "); !strings.Contains(probe, "http://127.0.0.1:"+port+"/readyz") {
			t.Errorf("%s: healthcheck %q does not probe /readyz on port %s", name, probe, port)
		}
	}
	if len(published) != len(workers) {
		t.Errorf("published web ports %v, want one per worker", published)
	}
}

func parsePort(t *testing.T, s string) uint32 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return uint32(n)
}

// TestDomainStoreDatabase: the workers' ACCREDIT_DATABASE_URL names the database and role the
// PostgreSQL init script creates, with the password the postgresql service hands the script,
// also when the password is changed in the environment.
func TestDomainStoreDatabase(t *testing.T) {
	script, err := os.ReadFile(filepath.Join(root, "deploy", "postgres-init", "10-accredit.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{nil, {"ACCREDIT_DB_PASSWORD=s3cret"}} {
		p := compose(t, env...)
		pg := service(t, p, "postgresql")
		mounted := false
		for _, v := range pg.Volumes {
			abs, _ := filepath.Abs(filepath.Join(root, "deploy", "postgres-init"))
			if v.Target == "/docker-entrypoint-initdb.d" && v.Source == abs {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("postgresql does not mount deploy/postgres-init on /docker-entrypoint-initdb.d: %+v", pg.Volumes)
		}
		password := envOf(t, pg, "ACCREDIT_DB_PASSWORD")
		if len(env) > 0 && password != "s3cret" {
			t.Errorf("ACCREDIT_DB_PASSWORD=s3cret reaches postgresql as %q", password)
		}
		for _, name := range workers {
			raw := envOf(t, service(t, p, name), "ACCREDIT_DATABASE_URL")
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("%s: ACCREDIT_DATABASE_URL %q: %v", name, raw, err)
			}
			db, user := strings.TrimPrefix(u.Path, "/"), u.User.Username()
			pw, _ := u.User.Password()
			if u.Scheme != "postgres" || u.Hostname() != "postgresql" || db == "temporal" || db == "temporal_visibility" {
				t.Errorf("%s: ACCREDIT_DATABASE_URL %q, want the postgresql service and a database of its own", name, raw)
			}
			if pw != password {
				t.Errorf("%s: the store's password is %q, the role's %q", name, pw, password)
			}
			for _, stmt := range []string{"CREATE ROLE " + user + " LOGIN", "ALTER ROLE " + user + " LOGIN PASSWORD :'password'",
				"CREATE DATABASE " + db + " OWNER " + user} {
				if !strings.Contains(string(script), stmt) {
					t.Errorf("deploy/postgres-init/10-accredit.sh does not say %q, which %s's URL needs", stmt, name)
				}
			}
		}
	}
}

// goMod is go.mod's go line and its go.temporal.io/server version.
func goMod(t *testing.T) (goVersion, server string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data); m != nil {
		goVersion = string(m[1])
	}
	if m := regexp.MustCompile(`(?m)^\s*go\.temporal\.io/server v(\S+)`).FindSubmatch(data); m != nil {
		server = string(m[1])
	}
	if goVersion == "" || server == "" {
		t.Fatalf("go.mod: go %q, go.temporal.io/server %q", goVersion, server)
	}
	return goVersion, server
}

// TestTemporalImagesMatchGoMod: the cluster, and the tools that set up its schema, run the
// server release whose code the embedded server and the tests run.
func TestTemporalImagesMatchGoMod(t *testing.T) {
	_, server := goMod(t)
	p := compose(t)
	for name, repo := range map[string]string{"temporal": "temporalio/server", "temporal-schema": "temporalio/admin-tools",
		"temporal-namespace": "temporalio/admin-tools"} {
		if got, want := service(t, p, name).Image, repo+":"+server; got != want {
			t.Errorf("%s runs %s, want %s (go.mod's go.temporal.io/server)", name, got, want)
		}
	}
	if got := service(t, compose(t, "TEMPORAL_VERSION=1.33.0"), "temporal").Image; got != "temporalio/server:1.33.0" {
		t.Errorf("TEMPORAL_VERSION=1.33.0 gives %s", got)
	}
}

// TestBuildIDReachesTheImage: ACCREDIT_BUILD_ID at `docker compose build` is the image's
// build argument, and unset it is empty (the worker then derives one).
func TestBuildIDReachesTheImage(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{{nil, ""}, {[]string{"ACCREDIT_BUILD_ID=3fb0c1a"}, "3fb0c1a"}} {
		for _, name := range workers {
			arg := service(t, compose(t, c.env...), name).Build.Args["BUILD_ID"]
			if arg == nil || *arg != c.want {
				t.Errorf("%s with %v: build argument BUILD_ID = %v, want %q", name, c.env, arg, c.want)
			}
		}
	}
}

// TestLoaderRefusesBadFiles keeps the tests above honest: the loader they rely on refuses
// what `docker compose config` refuses.
func TestLoaderRefusesBadFiles(t *testing.T) {
	for name, text := range map[string]string{
		"an unknown condition": "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_ready\n  b:\n    image: y\n",
		"an unknown key":       "services:\n  a:\n    image: x\n    replica: 2\n",
		"a missing dependency": "services:\n  a:\n    image: x\n    depends_on: [b]\n",
	} {
		file := filepath.Join(t.TempDir(), "compose.yml")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadErr(file); err == nil {
			t.Errorf("%s: loaded without an error", name)
		}
	}
}

// TestDockerfile: the image builds with the Go of go.mod, through the script CI runs.
func TestDockerfile(t *testing.T) {
	goVersion, _ := goMod(t)
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if m := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(text); m == nil || m[1] != goVersion {
		t.Errorf("Dockerfile's ARG GO_VERSION = %v, want %s (go.mod's go line)", m, goVersion)
	}
	if !strings.Contains(text, "sh deploy/build.sh /out") {
		t.Error("the Dockerfile's build stage does not run deploy/build.sh, the build CI runs")
	}
	if !regexp.MustCompile(`apt-get install[^\n]*\bwget\b`).MatchString(text) {
		t.Error("the runtime image has no wget for the compose healthcheck")
	}
}
