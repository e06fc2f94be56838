package domain

// The catalogue as data (issue 9, point 8): a generation is a YAML file, read strictly (an
// unknown field is an error naming it and its line) and checked whole, every problem listed at
// once with its line. The generations shipped with the service are the files in catalogue/,
// embedded in the binary and read once.

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed catalogue/*.yaml
var shippedFiles embed.FS

// shipped are the generations of catalogue/, read when the program starts. A shipped file
// that does not read is a broken build, which the tests catch.
var shipped = mustReadShipped()

func mustReadShipped() []Generation {
	names, err := fs.Glob(shippedFiles, "catalogue/*.yaml")
	if err != nil || len(names) == 0 {
		panic(fmt.Sprintf("domain: no shipped catalogue in catalogue/*.yaml: %v", err))
	}
	var out []Generation
	for _, name := range names {
		data, err := shippedFiles.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("domain: shipped catalogue %s: %v", name, err))
		}
		g, err := ParseGeneration(data)
		if err != nil {
			panic(fmt.Sprintf("domain: shipped catalogue %s: %v", name, err))
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	for i := 1; i < len(out); i++ {
		if out[i].Number == out[i-1].Number {
			panic(fmt.Sprintf("domain: two shipped catalogue files are generation %d", out[i].Number))
		}
	}
	return out
}

// ShippedCatalogueFile is the file of a shipped generation as it is embedded, comments and
// all, and its name.
func ShippedCatalogueFile(number int) (name string, data []byte, ok bool) {
	name = fmt.Sprintf("catalogue/generation-%d.yaml", number)
	data, err := shippedFiles.ReadFile(name)
	if err != nil {
		return "", nil, false
	}
	return strings.TrimPrefix(name, "catalogue/"), data, true
}

// The file's shape. Standards are listed after the themes, each naming its theme; fields not
// listed here are refused.
type (
	generationFile struct {
		Number        int            `yaml:"number"`
		Name          textFile       `yaml:"name"`
		EffectiveFrom string         `yaml:"effective_from"`
		Example       bool           `yaml:"example"`
		Notice        textFile       `yaml:"notice,omitempty"`
		Scale         []scaleFile    `yaml:"scale"`
		Themes        []themeFile    `yaml:"themes"`
		Standards     []standardFile `yaml:"standards"`
	}
	textFile struct {
		DA string `yaml:"da"`
		EN string `yaml:"en"`
	}
	scaleFile struct {
		Level int      `yaml:"level"`
		Label textFile `yaml:"label"`
	}
	themeFile struct {
		Code string   `yaml:"code"`
		Slug string   `yaml:"slug"`
		Name textFile `yaml:"name"`
	}
	standardFile struct {
		Code          string          `yaml:"code"`
		Theme         string          `yaml:"theme"`
		Kind          string          `yaml:"kind"`
		Retired       bool            `yaml:"retired"`
		Title         textFile        `yaml:"title"`
		Area          textFile        `yaml:"area"`
		TargetGroup   textFile        `yaml:"target_group"`
		Purpose       textFile        `yaml:"purpose"`
		Guideline     textFile        `yaml:"guideline"`
		Documentation textFile        `yaml:"documentation"`
		Indicators    []indicatorFile `yaml:"indicators"`
	}
	indicatorFile struct {
		Code    string   `yaml:"code"`
		Kind    string   `yaml:"kind"`
		Text    textFile `yaml:"text"`
		Target  string   `yaml:"target,omitempty"`
		Retired bool     `yaml:"retired"`
	}
)

// fileParts names each part of the file for a person, with its fields, for the messages about
// unknown fields.
var fileParts = map[string]struct{ name, fields string }{
	"generationFile": {"the generation", "number, name, effective_from, example, notice, scale, themes, standards"},
	"textFile":       {"a text", "da, en"},
	"scaleFile":      {"a scale level", "level, label"},
	"themeFile":      {"a theme", "code, slug, name"},
	"standardFile": {"a standard", "code, theme, kind, retired, title, area, target_group, purpose, guideline, " +
		"documentation, indicators"},
	"indicatorFile": {"an indicator", "code, kind, text, target, retired"},
}

func (t textFile) text() Text { return Text(t) }

func fileText(t Text) textFile { return textFile(t) }

// ParseGeneration reads a catalogue generation from its YAML file. Every problem is listed at
// once in a *ValidationError, each with its line where the file gives one: YAML syntax,
// unknown fields, values of the wrong type, and everything Validate checks.
func ParseGeneration(data []byte) (g Generation, err error) {
	v := &ValidationError{What: "catalogue generation file"}
	defer func() {
		// The YAML library's own failures are errors; anything else it raises is reported the
		// same way rather than ending the program.
		if r := recover(); r != nil {
			v.Problems = append(v.Problems, fmt.Sprintf("the file could not be read as YAML: %v", r))
			g, err = Generation{}, v
		}
	}()
	switch {
	case !utf8.Valid(data):
		v.addf("the file is not UTF-8 text: save it as UTF-8")
		return Generation{}, v
	case len(data) > MaxInputFileBytes:
		v.addf("the file is %s; the limit is %s", SizeInBytes(int64(len(data))), SizeInBytes(MaxInputFileBytes))
		return Generation{}, v
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))

	var doc yaml.Node
	docs := yaml.NewDecoder(bytes.NewReader(data))
	if err := docs.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			v.addf("the file is empty: it should hold one generation (number, name, effective_from, scale, themes, standards)")
		} else {
			v.addf("%s: correct the YAML syntax", yamlMessage(err))
		}
		return Generation{}, v
	}
	var extra yaml.Node
	switch err := docs.Decode(&extra); {
	case err == nil:
		v.addLine(extra.Line, "a second YAML document begins here: a file holds one generation")
	case !errors.Is(err, io.EOF):
		v.addf("%s: correct the YAML syntax", yamlMessage(err))
	}

	var f generationFile
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&f); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			v.addf("%s", yamlMessage(err))
			return Generation{}, v
		}
		keys := map[int]string{}
		keysByLine(&doc, keys)
		for _, msg := range te.Errors {
			v.Problems = append(v.Problems, typeMessage(msg, keys))
		}
	}
	if f.Number > 0 {
		v.What = fmt.Sprintf("catalogue generation %d", f.Number)
	}
	lines := fileLinesOf(&doc)
	g, at, orphans := f.build(v, lines)
	g.validate(v, at)
	for _, o := range orphans {
		validateStandard(v, o.at, Theme{Code: o.standard.Theme}, 0, 0, o.standard, map[string]bool{}, map[string]bool{})
	}
	// Read from the top of the file down; problems of the whole file first.
	sort.SliceStable(v.Problems, func(i, j int) bool { return problemLine(v.Problems[i]) < problemLine(v.Problems[j]) })
	if err := v.err(); err != nil {
		return Generation{}, err
	}
	return g, nil
}

// problemLine is the line a problem names ("line 12: ..."), 0 when it names none.
func problemLine(p string) int {
	rest, ok := strings.CutPrefix(p, "line ")
	if !ok {
		return 0
	}
	digits, _, _ := strings.Cut(rest, ":")
	n, _ := strconv.Atoi(digits)
	return n
}

// orphan is a standard whose theme the file does not list: reported, and checked on its own.
type orphan struct {
	standard Standard
	at       *sourceLines
}

// build turns the file into a generation, standards under their themes in the file's order,
// and says where each part of the generation stands in the file.
func (f generationFile) build(v *ValidationError, fl fileLines) (Generation, *sourceLines, []orphan) {
	g := Generation{Number: f.Number, Name: f.Name.text(), Example: f.Example, Notice: f.Notice.text()}
	at := &sourceLines{fields: fl.top}
	if s := strings.TrimSpace(f.EffectiveFrom); s != "" {
		d, err := ParseDate(s)
		if err != nil {
			v.addLine(fl.top.at("effective_from"), "the effective-from date: %v", err)
			at.dateReported = true
		}
		g.EffectiveFrom = d
	}
	for i, l := range f.Scale {
		g.Scale = append(g.Scale, ScaleLevel{Level: Rating(l.Level), Label: l.Label.text()})
		at.scale = append(at.scale, fl.item("scale", i))
	}
	themeIndex := map[string]int{}
	for i, t := range f.Themes {
		g.Themes = append(g.Themes, Theme{Code: t.Code, Slug: t.Slug, Name: t.Name.text()})
		at.themes = append(at.themes, fl.item("themes", i))
		at.standards = append(at.standards, nil)
		at.indicators = append(at.indicators, nil)
		if _, dup := themeIndex[t.Code]; !dup {
			themeIndex[t.Code] = i
		}
	}
	var orphans []orphan
	for i, sf := range f.Standards {
		s := Standard{Code: sf.Code, Theme: sf.Theme, Kind: StandardKind(sf.Kind), Retired: sf.Retired,
			Title: sf.Title.text(), Area: sf.Area.text(), TargetGroup: sf.TargetGroup.text(), Purpose: sf.Purpose.text(),
			Guideline: sf.Guideline.text(), Documentation: sf.Documentation.text()}
		var indLines []fieldLines
		for j, inf := range sf.Indicators {
			s.Indicators = append(s.Indicators, Indicator{Code: inf.Code, Kind: IndicatorKind(inf.Kind),
				Text: inf.Text.text(), Target: inf.Target, Retired: inf.Retired})
			indLines = append(indLines, fl.indicator(i, j))
		}
		sl := fl.item("standards", i)
		ti, ok := themeIndex[sf.Theme]
		if !ok {
			where := "standard " + sf.Code
			if sf.Code == "" {
				where = fmt.Sprintf("standard number %d", i+1)
			}
			if strings.TrimSpace(sf.Theme) == "" {
				v.addLine(sl.at("theme"), "%s has no theme: give the code of its theme, e.g. \"1\"", where)
			} else {
				v.addLine(sl.at("theme"), "%s names theme %q, which is not among the themes: add the theme or correct the code", where, sf.Theme)
			}
			orphans = append(orphans, orphan{standard: s, at: &sourceLines{
				themes: []fieldLines{{}}, standards: [][]fieldLines{{sl}}, indicators: [][][]fieldLines{{indLines}}}})
			continue
		}
		g.Themes[ti].Standards = append(g.Themes[ti].Standards, s)
		at.standards[ti] = append(at.standards[ti], sl)
		at.indicators[ti] = append(at.indicators[ti], indLines)
	}
	return g, at, orphans
}

// EncodeGeneration writes a generation as the YAML file ParseGeneration reads: a region starts
// its own catalogue from an export. ParseGeneration(EncodeGeneration(g)) gives g back.
func EncodeGeneration(g Generation) ([]byte, error) {
	f := generationFile{Number: g.Number, Name: fileText(g.Name), EffectiveFrom: g.EffectiveFrom.String(),
		Example: g.Example, Notice: fileText(g.Notice)}
	if g.EffectiveFrom.IsZero() {
		f.EffectiveFrom = ""
	}
	for _, l := range g.Scale {
		f.Scale = append(f.Scale, scaleFile{Level: int(l.Level), Label: fileText(l.Label)})
	}
	for _, t := range g.Themes {
		f.Themes = append(f.Themes, themeFile{Code: t.Code, Slug: t.Slug, Name: fileText(t.Name)})
		for _, s := range t.Standards {
			sf := standardFile{Code: s.Code, Theme: s.Theme, Kind: string(s.Kind), Retired: s.Retired,
				Title: fileText(s.Title), Area: fileText(s.Area), TargetGroup: fileText(s.TargetGroup),
				Purpose: fileText(s.Purpose), Guideline: fileText(s.Guideline), Documentation: fileText(s.Documentation)}
			for _, ind := range s.Indicators {
				sf.Indicators = append(sf.Indicators, indicatorFile{Code: ind.Code, Kind: string(ind.Kind),
					Text: fileText(ind.Text), Target: ind.Target, Retired: ind.Retired})
			}
			f.Standards = append(f.Standards, sf)
		}
	}
	var b bytes.Buffer
	b.WriteString(fileHeader)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("write catalogue generation %d as YAML: %w", g.Number, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// fileHeader says what a generation file holds and how it is used.
const fileHeader = `# A generation of the standards catalogue of the regions' quality model (kvalitetsmodellen).
#
# number, name (da/en), effective_from (YYYY-MM-DD), example (true for a catalogue written to
# show the model, not the regions' own) with its notice (da/en), the rating scale (exactly the
# levels 1-4, each with a da/en label), the themes (code, slug, name) and the standards: code,
# theme (the theme's code), kind (qualitative | quantitative), retired (true | false), the
# template's title, area, target_group, purpose, guideline and documentation (each da/en), and
# indicators: code, kind (structure | process | result), text (da/en), target (a quantitative
# standard's threshold; leave it out otherwise) and retired.
#
# A generation never changes once imported: import an edited copy as a new generation, with
# the next number and the date it takes effect:
#   starter catalogue import FILE --as NATIONAL-SECRETARIAT-ID

`

// Clone is a deep copy of g.
func (g Generation) Clone() Generation {
	out := g
	out.Scale = slices.Clone(g.Scale)
	if g.Themes != nil {
		out.Themes = make([]Theme, len(g.Themes))
		for i, t := range g.Themes {
			out.Themes[i] = t
			if t.Standards != nil {
				out.Themes[i].Standards = make([]Standard, len(t.Standards))
				for j, s := range t.Standards {
					out.Themes[i].Standards[j] = s
					out.Themes[i].Standards[j].Indicators = slices.Clone(s.Indicators)
				}
			}
		}
	}
	return out
}

// Differences says, for a person, how o differs from g: "standard 2.1: the purpose differs".
// It returns nil when they are equal. At most limit differences are listed (0: all).
func (g Generation) Differences(o Generation, limit int) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if g.Number != o.Number {
		add("the number is %d, not %d", o.Number, g.Number)
	}
	if g.Name != o.Name {
		add("the name differs")
	}
	if g.EffectiveFrom != o.EffectiveFrom {
		add("the effective-from date is %s, not %s", o.EffectiveFrom, g.EffectiveFrom)
	}
	if g.Example != o.Example {
		add("example is %v, not %v", o.Example, g.Example)
	}
	if g.Notice != o.Notice {
		add("the notice differs")
	}
	if !slices.Equal(g.Scale, o.Scale) {
		add("the rating scale differs")
	}
	gt, ot := map[string]Theme{}, map[string]Theme{}
	for _, t := range g.Themes {
		gt[t.Code] = t
	}
	var themeOrder []string
	for _, t := range o.Themes {
		ot[t.Code] = t
		themeOrder = append(themeOrder, t.Code)
	}
	for _, t := range g.Themes {
		if _, ok := ot[t.Code]; !ok {
			add("theme %s is missing", t.Code)
		}
	}
	for _, code := range themeOrder {
		t, ok := gt[code]
		switch {
		case !ok:
			add("theme %s is new", code)
		case t.Slug != ot[code].Slug || t.Name != ot[code].Name:
			add("theme %s: its slug or name differs", code)
		}
	}
	gs, ns := map[string]Standard{}, map[string]Standard{}
	for _, s := range g.Standards() {
		gs[s.Code] = s
	}
	for _, s := range o.Standards() {
		ns[s.Code] = s
	}
	for _, s := range g.Standards() {
		if _, ok := ns[s.Code]; !ok {
			add("standard %s is missing", s.Code)
		}
	}
	for _, s := range o.Standards() {
		old, ok := gs[s.Code]
		if !ok {
			add("standard %s is new", s.Code)
			continue
		}
		for _, d := range standardDifferences(old, s) {
			add("standard %s: %s", s.Code, d)
		}
	}
	if len(out) == 0 && !equalGenerations(g, o) {
		add("the order of themes, standards or indicators differs")
	}
	if limit > 0 && len(out) > limit {
		more := len(out) - limit
		out = append(out[:limit], fmt.Sprintf("and %d more", more))
	}
	return out
}

func standardDifferences(a, b Standard) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b Text
	}{
		{"the title", a.Title, b.Title}, {"the area", a.Area, b.Area}, {"the target group", a.TargetGroup, b.TargetGroup},
		{"the purpose", a.Purpose, b.Purpose}, {"the guideline", a.Guideline, b.Guideline},
		{"the documentation requirements", a.Documentation, b.Documentation},
	} {
		if f.a != f.b {
			out = append(out, f.name+" differs")
		}
	}
	if a.Theme != b.Theme {
		out = append(out, fmt.Sprintf("its theme is %s, not %s", b.Theme, a.Theme))
	}
	if a.Kind != b.Kind {
		out = append(out, fmt.Sprintf("its kind is %s, not %s", b.Kind, a.Kind))
	}
	if a.Retired != b.Retired {
		out = append(out, fmt.Sprintf("retired is %v, not %v", b.Retired, a.Retired))
	}
	if !slices.Equal(a.Indicators, b.Indicators) {
		out = append(out, "its indicators differ")
	}
	return out
}

// equalGenerations reports whether a and b are the same generation, field by field and in
// the same order.
func equalGenerations(a, b Generation) bool {
	if a.Number != b.Number || a.Name != b.Name || a.EffectiveFrom != b.EffectiveFrom || a.Example != b.Example ||
		a.Notice != b.Notice || !slices.Equal(a.Scale, b.Scale) || len(a.Themes) != len(b.Themes) {
		return false
	}
	for i, t := range a.Themes {
		u := b.Themes[i]
		if t.Code != u.Code || t.Slug != u.Slug || t.Name != u.Name || len(t.Standards) != len(u.Standards) {
			return false
		}
		for j, s := range t.Standards {
			if len(standardDifferences(s, u.Standards[j])) > 0 || s.Code != u.Standards[j].Code {
				return false
			}
		}
	}
	return true
}

// Equal reports whether o is the same generation as g: every field, in the same order.
func (g Generation) Equal(o Generation) bool { return equalGenerations(g, o) }

// fieldLines is where one mapping of the file stands: its own line, and each field's line.
type fieldLines struct {
	line   int
	fields map[string]int
}

// at is the line of a field, or of the mapping when the field is not written.
func (f fieldLines) at(field string) int {
	if l, ok := f.fields[field]; ok {
		return l
	}
	return f.line
}

// fileLines is where the parts of a file stand, in the file's order.
type fileLines struct {
	top        fieldLines
	lists      map[string][]fieldLines // "scale", "themes", "standards"
	indicators [][]fieldLines          // per standard of the file
}

func (fl fileLines) item(list string, i int) fieldLines {
	if items := fl.lists[list]; i < len(items) {
		return items[i]
	}
	return fieldLines{line: fl.top.at(list)}
}

func (fl fileLines) indicator(standard, i int) fieldLines {
	if standard < len(fl.indicators) && i < len(fl.indicators[standard]) {
		return fl.indicators[standard][i]
	}
	return fl.item("standards", standard)
}

// fileLinesOf reads the lines of the parts of a parsed file.
func fileLinesOf(doc *yaml.Node) fileLines {
	fl := fileLines{lists: map[string][]fieldLines{}}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	fl.top = mappingLines(root)
	if root.Kind != yaml.MappingNode {
		return fl
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i].Value, root.Content[i+1]
		if value.Kind != yaml.SequenceNode {
			continue
		}
		switch key {
		case "scale", "themes", "standards":
			for _, item := range value.Content {
				fl.lists[key] = append(fl.lists[key], mappingLines(item))
				if key != "standards" {
					continue
				}
				var inds []fieldLines
				if list := mappingValue(item, "indicators"); list != nil && list.Kind == yaml.SequenceNode {
					for _, ind := range list.Content {
						inds = append(inds, mappingLines(ind))
					}
				}
				fl.indicators = append(fl.indicators, inds)
			}
		}
	}
	return fl
}

// mappingLines is the line of a node and, for a mapping, of each of its keys.
func mappingLines(n *yaml.Node) fieldLines {
	out := fieldLines{line: n.Line, fields: map[string]int{}}
	if n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if _, dup := out.fields[n.Content[i].Value]; !dup {
			out.fields[n.Content[i].Value] = n.Content[i].Line
		}
	}
	return out
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keysByLine records, for each line that holds a key, the first key on it, so a type error
// ("line 4: cannot unmarshal ...") can name its field.
func keysByLine(n *yaml.Node, out map[int]string) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if _, ok := out[v.Line]; !ok {
				out[v.Line] = k.Value
			}
			if _, ok := out[k.Line]; !ok {
				out[k.Line] = k.Value
			}
		}
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	for _, c := range n.Content {
		keysByLine(c, out)
	}
}

var (
	unknownFieldRe  = regexp.MustCompile(`^line (\d+): field (.*) not found in type domain\.(\w+)$`)
	cannotReadRe    = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) `(.*)` into (.+)$")
	cannotReadAnyRe = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) into (.+)$`)
	duplicateKeyRe  = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
)

// typeMessage says what one of the YAML decoder's type errors means for a person.
func typeMessage(msg string, keys map[int]string) string {
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		part := fileParts[m[3]]
		return fmt.Sprintf("line %s: unknown field %q in %s: its fields are %s", m[1], m[2], part.name, part.fields)
	}
	if m := duplicateKeyRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s: field %q is given twice (first at line %s): give it once", m[1], m[2], m[3])
	}
	var line, value, into string
	if m := cannotReadRe.FindStringSubmatch(msg); m != nil {
		line, value, into = m[1], fmt.Sprintf("%q", m[3]), m[4]
	} else if m := cannotReadAnyRe.FindStringSubmatch(msg); m != nil {
		line, value, into = m[1], yamlKind(m[2]), m[3]
	} else {
		return msg
	}
	field := "the value"
	if n, err := strconv.Atoi(line); err == nil && keys[n] != "" {
		field = fmt.Sprintf("field %q", keys[n])
	}
	return fmt.Sprintf("line %s: %s must be %s, not %s", line, field, goKind(into), value)
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping of fields"
	case "str":
		return "text"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "null":
		return "empty"
	}
	return "a " + tag
}

func goKind(typ string) string {
	switch {
	case typ == "int":
		return "a whole number"
	case typ == "string":
		return "text"
	case typ == "bool":
		return "true or false"
	case strings.HasPrefix(typ, "[]"):
		return "a list"
	case strings.HasPrefix(typ, "domain."):
		if part, ok := fileParts[strings.TrimPrefix(typ, "domain.")]; ok {
			return part.name + " (" + part.fields + ")"
		}
	}
	return typ
}

// yamlMessage is the YAML library's message without its "yaml: " prefix.
func yamlMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// sourceLines is where each part of a generation stands in the file it was read from, in the
// generation's order, so a problem can name its line. A nil *sourceLines (a generation built
// in Go) names none.
type sourceLines struct {
	fields     fieldLines
	scale      []fieldLines
	themes     []fieldLines
	standards  [][]fieldLines   // [theme][standard]
	indicators [][][]fieldLines // [theme][standard][indicator]
	// dateReported is set when the effective-from date was refused while reading.
	dateReported bool
}

func (s *sourceLines) top() fieldLines {
	if s == nil {
		return fieldLines{}
	}
	return s.fields
}

func (s *sourceLines) dateWasReported() bool { return s != nil && s.dateReported }

func (s *sourceLines) scaleLevel(i int) fieldLines {
	if s == nil || i >= len(s.scale) {
		return fieldLines{}
	}
	return s.scale[i]
}

func (s *sourceLines) theme(ti int) fieldLines {
	if s == nil || ti >= len(s.themes) {
		return fieldLines{}
	}
	return s.themes[ti]
}

func (s *sourceLines) standard(ti, si int) fieldLines {
	if s == nil || ti >= len(s.standards) || si >= len(s.standards[ti]) {
		return fieldLines{}
	}
	return s.standards[ti][si]
}

func (s *sourceLines) indicator(ti, si, ii int) fieldLines {
	if s == nil || ti >= len(s.indicators) || si >= len(s.indicators[ti]) || ii >= len(s.indicators[ti][si]) {
		return fieldLines{}
	}
	return s.indicators[ti][si][ii]
}
