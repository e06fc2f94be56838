package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/kvalitetsmodel/accredit/domain"
)

// utf8BOM is the byte order mark Windows editors (Notepad, Excel) put before UTF-8 text.
const utf8BOM = "\ufeff"

// readJSONFile decodes one JSON object from path into v, refusing fields v does not have.
// Every problem is a RejectedError naming the file and, where it has one, the offset. A
// byte order mark is skipped, as the registry import skips it; offsets count from after it.
func readJSONFile(path string, v any, fields string) error {
	data, err := readText(path)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return rejected("%s is empty: it should hold a JSON object with %s", path, fields)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return rejected("%s: %s", path, describeJSONError(err, data, dec.InputOffset(), fields))
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		off := dec.InputOffset()
		return rejected("%s: unexpected data after the JSON object %s: the file must hold exactly one object", path, at(data, off))
	}
	return nil
}

// readText reads a text file named by --file as every file the starter reads: within the
// size limit, a byte order mark skipped, and refused when it is not UTF-8.
func readText(path string) ([]byte, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	if err := checkUTF8(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkUTF8 refuses text that is not UTF-8: the JSON decoder would silently turn each bad
// byte into U+FFFD, changing what the person wrote.
func checkUTF8(path string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		off += size
	}
	return rejected("%s is not UTF-8 text %s: save it as UTF-8", path, at(data, int64(off)))
}

// readFile reads a file named by --file, saying plainly what is wrong with it. A file larger
// than domain.MaxInputFileBytes is refused with its size before it is read: no submission
// that large could reach the workflow (Temporal refuses payloads over 2 MB).
func readFile(path string) ([]byte, error) {
	if strings.TrimSpace(path) == "" {
		return nil, rejected("--file is required: give the path of the file to submit")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cannotRead(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, cannotRead(path, err)
	}
	if fi.IsDir() {
		return nil, rejected("cannot read %s: it is a directory; give the path of a file", path)
	}
	if fi.Mode().IsRegular() && fi.Size() > domain.MaxInputFileBytes {
		return nil, tooLarge(path, fmt.Sprintf("%s (%s bytes)", domain.SizeInBytes(fi.Size()), domain.Thousands(int(fi.Size()))))
	}
	// A file that grows meanwhile, or a pipe, is cut off one byte past the limit.
	data, err := io.ReadAll(io.LimitReader(f, domain.MaxInputFileBytes+1))
	if err != nil {
		return nil, cannotRead(path, err)
	}
	if len(data) > domain.MaxInputFileBytes {
		return nil, tooLarge(path, "more than "+domain.SizeInBytes(domain.MaxInputFileBytes))
	}
	return data, nil
}

func tooLarge(path, size string) error {
	return rejected("%s is %s; the limit for an input file is %s: shorten the texts in it",
		path, size, domain.SizeInBytes(domain.MaxInputFileBytes))
}

func cannotRead(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rejected("cannot read %s: no such file", path)
	case errors.As(err, &pe):
		return rejected("cannot read %s: %v", path, pe.Err)
	}
	return rejected("cannot read %s: %v", path, err)
}

func describeJSONError(err error, data []byte, decoderOffset int64, fields string) string {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		// The decoder stops just after the character it could not take.
		return fmt.Sprintf("invalid JSON %s: %s", at(data, max(syntax.Offset-1, 0)), syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Sprintf("expected a JSON object with %s, got JSON %s %s", fields, typ.Value, at(data, typ.Offset))
		}
		return fmt.Sprintf("field %q %s must be %s, not JSON %s", field, at(data, typ.Offset), jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("the JSON ends early %s: a bracket or quote is not closed", at(data, int64(len(data))))
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		// The decoder reports the end of the object; point at the field's key instead.
		offset := decoderOffset
		if loc := regexp.MustCompile(regexp.QuoteMeta(name) + `\s*:`).FindIndex(data); loc != nil {
			offset = int64(loc[0])
		}
		return fmt.Sprintf("%s %s: the file may only have %s", msg, at(data, offset), fields)
	}
	return fmt.Sprintf("%s %s", msg, at(data, decoderOffset))
}

func jsonKind(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "a list"
	}
	return "a " + kind
}

// at says where offset is: "at byte 120 (line 7, column 14)".
func at(data []byte, offset int64) string {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("at byte %d (line %d, column %d)", offset, line, col)
}
