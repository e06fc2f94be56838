package publicweb_test

// The load test of the public pages (issue 12, point 2): a store of 10,000 institutions and
// 3,000 published records, generated directly; a second process (this test binary,
// re-executed) serves the pages on loopback; the benchmark requests the institution page
// and the search from this process and reports requests per second and the p95 latency at
// that rate. Run it with
//
//	go test ./publicweb -run '^$' -bench PublicPages -benchtime 10s
//
// The figures are in docs/performance.md.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publicweb"
	"github.com/kvalitetsmodel/accredit/store"
)

// Sizes of the generated store.
const (
	loadInstitutions = 10_000
	loadPublished    = 3_000
)

// envServe makes the test binary a server of the public pages on the store it names.
const (
	envServe     = "PUBLICWEB_LOAD_SERVE"
	envPageCache = "PUBLICWEB_LOAD_PAGE_CACHE"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envServe); path != "" {
		serveForLoad(path)
		return
	}
	code := m.Run()
	load.stop()
	os.Exit(code)
}

// serveForLoad serves the public pages on the store at path on a loopback port, prints the
// address, and stops when its standard input closes (the benchmark's process ended).
func serveForLoad(path string) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	opts := publicweb.Options{}
	if os.Getenv(envPageCache) == "off" {
		opts.PageCache = -1
	}
	h := publicweb.New(st, opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// loadFixture is the generated store and the servers on it, made once per test binary.
type loadFixture struct {
	once    sync.Once
	dir     string
	ids     []string // the published institutions
	names   []string // words of their names, to search for
	err     error
	mu      sync.Mutex
	servers map[string]*server
}

type server struct {
	cmd   *exec.Cmd
	stdin io.Closer
	addr  string
}

var load loadFixture

// prepare generates the store once.
func (f *loadFixture) prepare(b *testing.B) {
	f.once.Do(func() {
		f.dir, f.err = os.MkdirTemp("", "publicweb-load-")
		if f.err != nil {
			return
		}
		started := time.Now()
		f.ids, f.names, f.err = generate(filepath.Join(f.dir, "accredit.db"))
		b.Logf("generated %d institutions and %d published records in %s", loadInstitutions, len(f.ids),
			time.Since(started).Round(time.Millisecond))
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
}

// serve starts (once per mode) the second process serving the store.
func (f *loadFixture) serve(b *testing.B, pageCache string) string {
	f.prepare(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.servers[pageCache]; ok {
		return s.addr
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+filepath.Join(f.dir, "accredit.db"), envPageCache+"="+pageCache)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		b.Fatalf("the server process said %q (%v)", line, err)
	}
	if f.servers == nil {
		f.servers = map[string]*server{}
	}
	f.servers[pageCache] = &server{cmd: cmd, stdin: stdin, addr: addr}
	return addr
}

// stop ends the server processes this binary started and removes the store.
func (f *loadFixture) stop() {
	for _, s := range f.servers {
		_ = s.stdin.Close()
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	if f.dir != "" {
		_ = os.RemoveAll(f.dir)
	}
}

var (
	nameHeads = []string{"Bostedet", "Bo- og aktivitetstilbuddet", "Center for Autisme", "Botilbuddet", "Socialpsykiatrisk Bosted",
		"Behandlingshjemmet", "Neurocentret", "Børne- og ungehjemmet", "Opholdsstedet", "Bofællesskabet"}
	nameTails = []string{"Lindevang", "Egely", "Strandhaven", "Egebakken", "Fjordhøj", "Marielund", "Skjoldhøj", "Kompasset",
		"Birkelund", "Havbrisen", "Søndervang", "Limfjordshus", "Mågen", "Rosengården", "Æblehaven", "Bøgely", "Kildebo",
		"Solsikken", "Tranehøj", "Vibeholm", "Ågården", "Lærkevej", "Skovbrynet", "Engblommen", "Hyldebo"}
)

// generate writes the load test's store: 10,000 institutions with names, regions,
// municipalities and target groups, 3,000 of them with a published record of their first
// cycle (every standard assessed) and its self-evaluation, and a correction for one in ten.
func generate(path string) (ids, words []string, err error) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	defer st.Close()
	if err := st.Seed(ctx); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(12, 2030))
	byRegion := map[domain.Region][]domain.Municipality{}
	var munis []store.Municipality
	for _, m := range domain.Municipalities() {
		byRegion[m.Region] = append(byRegion[m.Region], m)
		munis = append(munis, store.Municipality{Code: m.Code(), Name: m.Name, Region: m.Region})
	}
	regions, groups := domain.Regions(), domain.TargetGroups()
	institutions := make([]store.Institution, loadInstitutions)
	for i := range institutions {
		region := regions[rng.IntN(len(regions))]
		in := store.Institution{ID: fmt.Sprintf("L-%05d", i+1), Region: region, LegalBasis: domain.Section108,
			Name:         fmt.Sprintf("%s %s %d", nameHeads[rng.IntN(len(nameHeads))], nameTails[rng.IntN(len(nameTails))], i+1),
			TargetGroups: []domain.TargetGroup{groups[rng.IntN(len(groups))]}, Places: 8 + rng.IntN(40)}
		if rng.IntN(2) == 0 {
			ms := byRegion[region]
			in.Municipality = ms[rng.IntN(len(ms))].Code()
		}
		if g := groups[rng.IntN(len(groups))]; g != in.TargetGroups[0] && rng.IntN(3) == 0 {
			in.TargetGroups = append(in.TargetGroups, g)
		}
		institutions[i] = in
	}
	if _, err := st.UpsertInstitutions(ctx, munis, institutions); err != nil {
		return nil, nil, err
	}
	gen := domain.FirstGeneration()
	for _, i := range rng.Perm(loadInstitutions)[:loadPublished] {
		in := institutions[i]
		verdict := 1 + rng.IntN(3)
		on := domain.NewDate(2028+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		rec := store.PublishedRecord{InstitutionID: in.ID, InstitutionName: in.Name, Region: in.Region,
			Municipality: in.Municipality, TargetGroups: in.TargetGroups, Cycle: 1, PublishedOn: on,
			VisitOn: on.AddDays(-75), FinalOn: on.AddDays(-3), Verdict: verdict, Generation: 1,
			Summary: "Tilbuddet arbejder systematisk med kvalitet. Ledelsen og medarbejderne kender standarderne, " +
				"og selvevalueringerne bruges i det daglige arbejde.",
			Suggestions: "Handleplanerne bør revideres oftere, og de pårørende bør inddrages tidligere.", AreasToImprove: []string{}}
		var ratings []store.Rating
		values := map[string]string{}
		for _, t := range gen.Themes {
			theme := store.PublishedTheme{Code: t.Code, Name: t.Name}
			for _, s := range t.Standards {
				met := verdict == 1 || rng.IntN(2) == 0
				theme.Standards = append(theme.Standards, store.PublishedStandard{Code: s.Code, Title: s.Title, Met: met,
					Assessment: "Vurderet på baggrund af interview med ledelse, medarbejdere, brugere og pårørende samt " +
						"tilbuddets dokumentation. Standarden er beskrevet i tilbuddets retningslinjer."})
				if !met {
					rec.AreasToImprove = append(rec.AreasToImprove, s.Code)
				}
				ratings = append(ratings, store.Rating{Standard: s.Code, Rating: 1 + rng.IntN(4)})
				for _, ind := range s.ActiveIndicators() {
					if ind.Target != "" {
						values[ind.Code] = fmt.Sprintf("%d %%", 50+rng.IntN(50))
					} else {
						values[ind.Code] = []string{"ja", "nej"}[rng.IntN(2)]
					}
				}
			}
			rec.Themes = append(rec.Themes, theme)
		}
		if err := st.InsertSubmission(ctx, store.Submission{ID: "se/" + in.ID, InstitutionID: in.ID, Cycle: 1,
			Step: "self-evaluation", Kind: "self-evaluation", SubmittedBy: "P-000", SubmittedOn: on.AddDays(-200),
			Payload: "{}"}, ratings, values); err != nil {
			return nil, nil, err
		}
		if _, err := st.PublishRecord(ctx, rec); err != nil {
			return nil, nil, err
		}
		if rng.IntN(10) == 0 {
			rec.Verdict, rec.Correction, rec.PublishedOn = 1, "Klagen blev taget til følge.", on.AddDays(40)
			if _, err := st.PublishRecord(ctx, rec); err != nil {
				return nil, nil, err
			}
		}
		ids = append(ids, in.ID)
	}
	return ids, append(slices.Clone(nameTails), "bostedet", "center", "hus"), nil
}

// measure requests paths from parallel clients until b.N requests are done, and reports the
// rate and the latencies.
func measure(b *testing.B, addr string, path func(r *rand.Rand) string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256,
		DisableCompression: true}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	// Warm up: the first request builds the snapshot.
	if resp, err := client.Get("http://" + addr + "/offentlig/"); err != nil {
		b.Fatal(err)
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  atomic.Int64
		seed      atomic.Uint64
	)
	b.SetParallelism(8)
	b.ResetTimer()
	started := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(seed.Add(1), 7))
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Get("http://" + addr + path(rng))
			if err != nil {
				failures.Add(1)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failures.Add(1)
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(started)
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Errorf("%d of %d requests failed", n, b.N)
	}
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkPublicPages: the institution page and the search, from a second process on
// loopback, with the server's page cache (the default) and without it (every page rendered).
func BenchmarkPublicPages(b *testing.B) {
	institution := func(r *rand.Rand) string { return "/offentlig/tilbud/" + load.ids[r.IntN(len(load.ids))] }
	search := func(r *rand.Rand) string {
		q := url.Values{}
		switch r.IntN(4) {
		case 0:
			q.Set("navn", strings.ToLower(load.names[r.IntN(len(load.names))]))
		case 1:
			q.Set("region", string(domain.Regions()[r.IntN(5)]))
		case 2:
			q.Set("maalgruppe", string(domain.TargetGroups()[r.IntN(7)]))
			q.Set("region", string(domain.Regions()[r.IntN(5)]))
		default:
			q.Set("navn", strings.ToLower(load.names[r.IntN(len(load.names))]))
			q.Set("side", fmt.Sprint(1+r.IntN(2)))
		}
		return "/offentlig/?" + q.Encode()
	}
	for _, mode := range []struct{ name, cache string }{{"cached", "on"}, {"rendered", "off"}} {
		b.Run("institution/"+mode.name, func(b *testing.B) { measure(b, load.serve(b, mode.cache), institution) })
		b.Run("search/"+mode.name, func(b *testing.B) { measure(b, load.serve(b, mode.cache), search) })
	}
}
