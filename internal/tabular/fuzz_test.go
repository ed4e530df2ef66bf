package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{
		sample,
		"a,b\n1,2\n",
		"a,b\r\n\"x\ny\",\"\"\"\"\r\n",
		"a,b\n1,\"open\n2,3\n",
		"a,b\n1,\"x\"y\n3,4\n",
		"\xef\xbb\xbfa,b\n1,\xff\n",
		"甲,b\n\xc0\xee,\xcb\xc4\n",
		"\n\n a , b \n\n1\n",
		"a\n\"",
		"a,b\n1,\"" + strings.Repeat("z\n", 40) + "\"\n5,6\n",
	} {
		f.Add([]byte(s))
	}
}

// FuzzCSV checks the reader's contract on arbitrary bytes: no panic, no
// endless loop, line numbers past the header and strictly increasing,
// values valid UTF-8 and trimmed.
func FuzzCSV(f *testing.F) {
	fuzzSeeds(f)
	schemas := []Schema{
		{Columns: []Column{{Name: "a", Aliases: []string{"甲"}}, {Name: "b"}}},
		{Columns: []Column{{Name: "a", Aliases: []string{"甲"}, Required: true}, {Name: "b"}}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer has no per-input timeout; a panic off the test
		// goroutine kills the worker, which makes it save the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input hangs the reader: %q", data)) })
		defer watchdog.Stop()
		for _, schema := range schemas {
			rd, err := Open(bytes.NewReader(data), "f.csv", schema, Options{MaxFieldBytes: 32})
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Open error of type %T: %v", err, err)
				}
				continue
			}
			last := 1
			limit := bytes.Count(data, []byte("\n")) + 2
			for n := 0; ; n++ {
				if n > limit {
					t.Fatalf("more than %d rows from %d lines", n, limit-2)
				}
				row, err := rd.Next()
				if err == io.EOF {
					break
				}
				var re *RowError
				if err != nil && !errors.As(err, &re) {
					t.Fatalf("Next error of type %T: %v", err, err)
				}
				if row.Line <= last {
					t.Fatalf("line %d after %d", row.Line, last)
				}
				last = row.Line
				for _, c := range schema.Columns {
					v := row.Get(c.Name)
					if !utf8.ValidString(v) || v != strings.TrimSpace(v) {
						t.Fatalf("value %q", v)
					}
				}
			}
			_ = rd.Close()
		}
	})
}

// FuzzSplitterVsEncodingCSV: wherever encoding/csv (strict) accepts the
// input, the splitter must produce the same records.
func FuzzSplitterVsEncodingCSV(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		want, err := cr.ReadAll()
		if err != nil {
			return
		}
		sp := newSplitter(bufio.NewReader(bytes.NewReader(data)), Options{MaxFieldBytes: 1 << 20}.withDefaults())
		var got [][]string
		for {
			_, fields, serr, err := sp.next()
			if err == io.EOF {
				break
			}
			if err != nil || serr != nil {
				t.Fatalf("splitter rejected what encoding/csv accepts: %v %+v", err, serr)
			}
			rec := make([]string, len(fields))
			for i, f := range fields {
				rec[i] = string(f)
			}
			got = append(got, rec)
		}
		// encoding/csv skips empty lines; compare without single empty fields.
		norm := func(recs [][]string) (out []string) {
			for _, r := range recs {
				if len(r) == 1 && r[0] == "" {
					continue
				}
				out = append(out, strings.Join(r, "\x00|\x00"))
			}
			return out
		}
		if g, w := norm(got), norm(want); !equal(g, w) {
			t.Fatalf("splitter %q\nencoding/csv %q", g, w)
		}
	})
}
