package publicweb

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/store"
)

// jsonResult is one current result in the JSON feed: the published record, and its page.
type jsonResult struct {
	store.PublishedRecord
	URL string `json:"url"`
}

// jsonFeed is the JSON feed of every current result.
type jsonFeed struct {
	// Updated is when the latest record was published (created); absent when none is.
	Updated *time.Time   `json:"updated,omitempty"`
	Count   int          `json:"count"`
	Results []jsonResult `json:"results"`
}

// resultsJSON is every current result (the current version of each cycle's record) as JSON.
func (h *Handler) resultsJSON(r *request) (*response, error) {
	current := r.snap.current()
	feed := jsonFeed{Count: len(current), Results: make([]jsonResult, 0, len(current))}
	if !r.snap.state.LatestAt.IsZero() {
		t := r.snap.state.LatestAt
		feed.Updated = &t
	}
	for _, rec := range current {
		feed.Results = append(feed.Results, jsonResult{PublishedRecord: rec,
			URL: r.base + cycleURL(rec.InstitutionID, rec.Cycle)})
	}
	body, err := json.Marshal(feed)
	if err != nil {
		return nil, err
	}
	return &response{status: 200, contentType: "application/json; charset=utf-8", body: append(body, '\n'), cache: true}, nil
}

// CSVColumns are the columns of the CSV feed, one row per current result.
var CSVColumns = []string{"institution_id", "institution_name", "region", "municipality", "target_groups", "cycle",
	"version", "published_on", "visit_on", "revisit_on", "final_on", "verdict", "verdict_label", "standards_assessed",
	"standards_met", "areas_to_improve", "corrected", "url"}

// resultsCSV is every current result as CSV (CSVColumns), in the request's language for the
// verdict's label.
func (h *Handler) resultsCSV(r *request) (*response, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(CSVColumns)
	for _, rec := range r.snap.current() {
		groups := make([]string, len(rec.TargetGroups))
		for i, g := range rec.TargetGroups {
			groups[i] = string(g)
		}
		assessed, met := 0, 0
		for _, t := range rec.Themes {
			for _, st := range t.Standards {
				assessed++
				if st.Met {
					met++
				}
			}
		}
		date := func(d interface{ IsZero() bool }) string {
			if d.IsZero() {
				return ""
			}
			return fmt.Sprint(d)
		}
		_ = w.Write([]string{rec.InstitutionID, rec.InstitutionName, string(rec.Region), rec.Municipality,
			strings.Join(groups, ";"), strconv.Itoa(rec.Cycle), strconv.Itoa(rec.Version), rec.PublishedOn.String(),
			date(rec.VisitOn), date(rec.RevisitOn), date(rec.FinalOn), strconv.Itoa(rec.Verdict), r.lang.Verdict(rec.Verdict),
			strconv.Itoa(assessed), strconv.Itoa(met), strings.Join(rec.AreasToImprove, ";"),
			strconv.FormatBool(rec.Version > 1), r.base + cycleURL(rec.InstitutionID, rec.Cycle)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return &response{status: 200, contentType: "text/csv; charset=utf-8", body: buf.Bytes(), cache: true}, nil
}

// AtomEntries is how many of the newest publications the Atom feed holds.
const AtomEntries = 100

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr,omitempty"`
	Href     string `xml:"href,attr"`
	Type     string `xml:"type,attr,omitempty"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// atom is the feed of new publications: the newest AtomEntries versions, first publications
// and corrections alike, each linking to its stable page.
func (h *Handler) atom(r *request) (*response, error) {
	l := r.lang
	updated := r.snap.state.LatestAt
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	self := r.base + Prefix + "nyt.atom"
	feed := atomFeed{ID: self, Title: l.Pick("Kvalitetsmodellen: nye offentliggjorte resultater", "The quality model: new published results"),
		Updated: updated.UTC().Format(time.RFC3339),
		Links: []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"},
			{Rel: "alternate", Href: r.base + Prefix, Type: "text/html"}},
		Author: atomPerson{Name: l.Pick("Akkrediteringssekretariatet", "The accreditation secretariat")}}
	for i, rec := range r.snap.records { // newest publication first
		if i == AtomEntries {
			break
		}
		link := r.base + versionURL(rec.InstitutionID, rec.Cycle, rec.Version)
		on := rec.PublishedOn.Time().UTC().Format(time.RFC3339)
		title := fmt.Sprintf("%s, %s %d: %s", rec.InstitutionName, l.Pick("cyklus", "cycle"), rec.Cycle, l.Verdict(rec.Verdict))
		if rec.Version > 1 {
			title += fmt.Sprintf(" (%s %d)", l.Pick("rettelse, version", "correction, version"), rec.Version)
		}
		summary := l.Verdict(rec.Verdict) + ". " + rec.Summary
		if rec.Correction != "" {
			summary += " " + l.Pick("Rettelse: ", "Correction: ") + rec.Correction
		}
		entry := atomEntry{ID: link, Title: title, Updated: on, Published: on,
			Links:   []atomLink{{Rel: "alternate", Href: link, Type: "text/html"}},
			Summary: atomText{Type: "text", Body: summary},
			Categories: []atomCategory{{Term: string(rec.Region), Label: l.Region(rec.Region)},
				{Term: "verdict-" + strconv.Itoa(rec.Verdict), Label: l.Verdict(rec.Verdict)}}}
		feed.Entries = append(feed.Entries, entry)
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return nil, err
	}
	body = append([]byte(xml.Header), append(body, '\n')...)
	return &response{status: 200, contentType: "application/atom+xml; charset=utf-8", body: body, cache: true}, nil
}
