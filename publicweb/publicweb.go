// Package publicweb is the public face of the accreditation service (issue 12): pages anyone
// may read without signing in, under /offentlig/, in Danish (the default) and English (by
// Accept-Language, or ?lang=en). It shows only what was published: find institutions by
// name, region, municipality and target group; an institution's page with its published
// history, where a corrected result stays visible as superseded; the comparisons across
// institutions of the same target group, as charts with tables; and feeds of every current
// result (JSON, CSV) and of new publications (Atom).
//
// Every URL is stable: /offentlig/tilbud/{id}, /offentlig/tilbud/{id}/cyklus/{n} and
// /offentlig/tilbud/{id}/cyklus/{n}/version/{v}. Pages are server-rendered HTML that works
// without JavaScript, with landmarks, labelled forms and table headers.
//
// It is cheap to serve: everything it shows is read once into an in-process snapshot,
// rebuilt only when the store's public state (the published records' count and newest
// created_at, and the people registry whose names are redacted) has changed, which is asked
// at most once per Options.Refresh. Rendered pages are kept per snapshot. Responses carry an
// ETag of the snapshot and language, Last-Modified from the latest publication's created_at
// and Cache-Control, and a conditional request is answered 304.
package publicweb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

// Prefix is where the public pages live.
const Prefix = "/offentlig/"

//go:embed templates/*.html static/*
var assets embed.FS

// Options tune the public pages.
type Options struct {
	// BaseURL is the public address of the service (config's PublicBaseURL), for the absolute
	// links of the feeds; empty takes the request's scheme and host.
	BaseURL string
	// Refresh is how often the store is asked whether anything was published; 0 takes one
	// second, and a negative value asks on every request.
	Refresh time.Duration
	// PageCache is how many rendered pages a snapshot keeps; 0 takes 8192, and a negative
	// value keeps none.
	PageCache int
	// MaxAge is the Cache-Control max-age of pages; 0 takes one minute. Feeds get five times it.
	MaxAge time.Duration
	Logger *slog.Logger
	// Now is the wall clock; tests pin it.
	Now func() time.Time
}

// Handler serves the public pages.
type Handler struct {
	st      *store.Store
	opts    Options
	log     *slog.Logger
	pages   map[publication.Lang]*template.Template
	mux     *http.ServeMux
	snap    atomic.Pointer[snapshot]
	checked atomic.Int64 // unix nanoseconds of the last look at the store's state
	build   sync.Mutex
}

// New makes the public pages on st. Mount it on Prefix ("/offentlig/").
func New(st *store.Store, opts Options) *Handler {
	if opts.Refresh == 0 {
		opts.Refresh = time.Second
	}
	if opts.PageCache == 0 {
		opts.PageCache = 8192
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	h := &Handler{st: st, opts: opts, log: opts.Logger.With("component", "publicweb"),
		pages: map[publication.Lang]*template.Template{}}
	for _, l := range []publication.Lang{publication.Danish, publication.English} {
		h.pages[l] = template.Must(template.New("").Funcs(funcs(l)).ParseFS(assets, "templates/*.html"))
	}
	static, _ := fs.Sub(assets, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /offentlig/static/", http.StripPrefix("/offentlig/static/", staticFiles(http.FileServerFS(static))))
	mux.HandleFunc("GET /offentlig/{$}", h.page(h.search))
	mux.HandleFunc("GET /offentlig/tilbud/{id}", h.page(h.institution))
	mux.HandleFunc("GET /offentlig/tilbud/{id}/cyklus/{n}", h.page(h.cycle))
	mux.HandleFunc("GET /offentlig/tilbud/{id}/cyklus/{n}/version/{v}", h.page(h.version))
	mux.HandleFunc("GET /offentlig/sammenligning", h.page(h.comparison))
	mux.HandleFunc("GET /offentlig/resultater.json", h.feed(h.resultsJSON))
	mux.HandleFunc("GET /offentlig/resultater.csv", h.feed(h.resultsCSV))
	mux.HandleFunc("GET /offentlig/nyt.atom", h.feed(h.atom))
	mux.HandleFunc("/offentlig/", h.page(func(*request) (*response, error) { return nil, errNotFound }))
	mux.HandleFunc("/offentlig", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
	})
	h.mux = mux
	return h
}

// ServeHTTP serves the public pages.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// staticFiles lets browsers keep the style sheet for an hour.
func staticFiles(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// current is the snapshot of what is published, rebuilt when the store's public state has
// changed since it was made. The state is asked at most once per Options.Refresh. The request
// that finds a change rebuilds; requests that arrive meanwhile are served the previous
// snapshot (only the very first snapshot is waited for).
func (h *Handler) current(ctx context.Context) (*snapshot, error) {
	now := h.opts.Now()
	snap := h.snap.Load()
	if snap != nil && h.opts.Refresh > 0 && now.UnixNano()-h.checked.Load() < int64(h.opts.Refresh) {
		return snap, nil
	}
	state, err := h.st.PublicState(ctx)
	if err != nil {
		if snap != nil {
			h.log.Warn("public state unreadable; serving the last snapshot", "error", err)
			return snap, nil
		}
		return nil, err
	}
	h.checked.Store(now.UnixNano())
	if snap != nil && snap.state == state {
		return snap, nil
	}
	if snap == nil {
		h.build.Lock()
	} else if !h.build.TryLock() {
		return snap, nil // another request is rebuilding
	}
	defer h.build.Unlock()
	if snap := h.snap.Load(); snap != nil && snap.state == state {
		return snap, nil
	}
	started := time.Now()
	// The build outlives a client that goes away: the next request needs it too.
	fresh, err := buildSnapshot(context.WithoutCancel(ctx), h.st, state, h.opts.PageCache)
	if err != nil {
		if snap != nil {
			h.log.Error("rebuild the public snapshot; serving the last one", "error", err)
			return snap, nil
		}
		return nil, err
	}
	h.snap.Store(fresh)
	h.log.Info("public snapshot built", "records", state.Records, "institutions", len(fresh.entries),
		"took", time.Since(started).Round(time.Millisecond))
	return fresh, nil
}

// request is one request as the handlers see it.
type request struct {
	*http.Request
	snap *snapshot
	lang publication.Lang
	// explicit is set when the language came from ?lang=, and the page's links keep it.
	explicit bool
	base     string
}

// response is a rendered body and how to send it.
type response struct {
	status      int
	contentType string
	body        []byte
	// cache marks a page that may be kept in the snapshot's page cache.
	cache bool
}

// errNotFound is a page that does not exist (or shows nothing published).
var errNotFound = errors.New("not found")

// badRequest is a refusal of a query, with what to correct.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// language is the page's language: ?lang=da|en first, then the best of Danish and English in
// Accept-Language; Danish by default.
func language(r *http.Request) (publication.Lang, bool) {
	if q := r.URL.Query().Get("lang"); q != "" {
		return publication.ParseLang(q), true
	}
	best, bestQ := publication.Danish, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue // "not acceptable"
		}
		tag = strings.ToLower(tag)
		var l publication.Lang
		switch {
		case tag == "da" || strings.HasPrefix(tag, "da-"):
			l = publication.Danish
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = publication.English
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best, false
}

// base is the absolute address of the service for the feeds' links.
func (h *Handler) base(r *http.Request) string {
	if h.opts.BaseURL != "" {
		return h.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// page wraps a page handler: the snapshot, the language, the page cache, the headers and
// conditional requests, and error pages.
func (h *Handler) page(fn func(*request) (*response, error)) http.HandlerFunc {
	return h.serve(fn, false)
}

// feed wraps a feed handler like page, with the feeds' longer max-age.
func (h *Handler) feed(fn func(*request) (*response, error)) http.HandlerFunc {
	return h.serve(fn, true)
}

func (h *Handler) serve(fn func(*request) (*response, error), isFeed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap, err := h.current(r.Context())
		if err != nil {
			h.log.Error("public snapshot", "error", err)
			http.Error(w, "The published results cannot be read right now; try again in a minute.", http.StatusServiceUnavailable)
			return
		}
		lang, explicit := language(r)
		req := &request{Request: r, snap: snap, lang: lang, explicit: explicit, base: h.base(r)}
		key := string(lang) + " " + req.base + " " + r.URL.Path + "?" + canonicalQuery(r.URL.Query())
		res, ok := snap.cached(key)
		if !ok {
			res, err = fn(req)
			if err != nil {
				res = h.errorPage(req, err)
			}
			if res.cache {
				snap.keep(key, res)
			}
		}
		hd := w.Header()
		hd.Set("Content-Type", res.contentType)
		hd.Set("Vary", "Accept-Language")
		hd.Set("X-Content-Type-Options", "nosniff")
		maxAge := h.opts.MaxAge
		if isFeed {
			maxAge *= 5
		}
		hd.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
		if res.status != http.StatusOK {
			w.WriteHeader(res.status)
			if r.Method != http.MethodHead {
				_, _ = w.Write(res.body)
			}
			return
		}
		hd.Set("ETag", `"`+snap.tag+"-"+string(lang)+`"`)
		// ServeContent answers If-None-Match and If-Modified-Since with 304, and HEAD.
		http.ServeContent(w, r, "", snap.state.LatestAt, bytes.NewReader(res.body))
	}
}

// pageParams are the query parameters the pages read; others do not change a page.
var pageParams = []string{"lang", "navn", "region", "kommune", "maalgruppe", "side"}

// canonicalQuery is the part of a query that makes a page, in a fixed order, so that equal
// queries share a cache entry and parameters no page reads cannot fill the cache.
func canonicalQuery(q url.Values) string {
	keep := url.Values{}
	for _, k := range pageParams {
		if v, ok := q[k]; ok {
			keep[k] = v
		}
	}
	return keep.Encode()
}

// errorPage renders a refusal or a missing page; other errors are logged and shown as 500.
func (h *Handler) errorPage(r *request, err error) *response {
	status, msg := http.StatusInternalServerError, r.lang.Pick("Siden kunne ikke vises. Prøv igen om lidt.",
		"The page could not be shown. Try again in a moment.")
	var bad *badRequest
	switch {
	case errors.Is(err, errNotFound):
		status, msg = http.StatusNotFound, r.lang.Pick("Siden findes ikke, eller der er intet offentliggjort på den.",
			"There is no such page, or nothing is published on it.")
	case errors.As(err, &bad):
		status, msg = http.StatusBadRequest, bad.msg
	default:
		h.log.Error("public page", "path", r.URL.Path, "error", err)
	}
	res, rerr := h.render(r, "error", r.lang.Pick("Fejl", "Error"), map[string]any{"Message": msg, "Status": status})
	if rerr != nil {
		return &response{status: status, contentType: "text/plain; charset=utf-8", body: []byte(msg + "\n")}
	}
	res.status = status
	res.cache = status == http.StatusNotFound
	return res
}

// tagOf is the snapshot's ETag part: a hash of the public state.
func tagOf(st store.PublicState) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d|%d|%d|%d", st.Records, st.LatestAt.UnixNano(), st.People, st.PeopleAt.UnixNano()))
	return hex.EncodeToString(sum[:8])
}
