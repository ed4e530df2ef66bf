package crosscheck

import (
	"strings"
	"testing"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// The service's own readers of outside input: the dataset form's fields, the first bytes of an
// uploaded file and the list cursor. None may panic; what they accept must be well-formed.
func FuzzDatasetInput(f *testing.F) {
	f.Add("vehicle", "市公安局", "2026-01-31", "车辆.csv", []byte("身份证号,姓名\n"), "320921100201-15")
	f.Add(" death ", "", "20260131", `C:\a\b.xlsx`, []byte("PK\x03\x04"), "")
	f.Add("cars", strings.Repeat("部", 101), "2099/1/1", "../../etc/passwd", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "x-1")
	f.Add("tax", "税务局", "45123", "", []byte("\xff\xfe1\x00"), "320921100201-007")
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, kind, dept, asOf, name string, head []byte, cursor string) {
		in := DatasetInput{Kind: Kind(kind), SourceDept: dept, AsOf: asOf, FileName: name}
		if err := in.validate(now); err == nil {
			if _, ok := SpecOf(in.Kind); !ok {
				t.Fatalf("unknown kind accepted: %q", in.Kind)
			}
			if _, perr := time.Parse(db.DateLayout, in.AsOf); perr != nil || in.AsOf > db.Date(now) {
				t.Fatalf("as_of accepted: %q", in.AsOf)
			}
			if in.SourceDept == "" || strings.ContainsAny(in.FileName, `/\`) || in.FileName == "" {
				t.Fatalf("accepted %+v", in)
			}
		} else if errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("validate: %v", err)
		}
		if err := sniff(head); err != nil && errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("sniff: %v", err)
		} else if err == nil && len(head) > 0 && head[0] == 0 {
			t.Fatalf("a NUL-led file passed as a table")
		}
		if c, err := parseCursor(cursor); err == nil && cursor != "" && c.Region+"-"+itoa(c.ID) != cursor {
			t.Fatalf("cursor %q read as %+v", cursor, c)
		}
	})
}
