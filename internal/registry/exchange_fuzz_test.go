package registry_test

import (
	"bytes"
	"testing"

	"sunshine/internal/errs"
	"sunshine/internal/exchange"
)

// Arbitrary bytes as a households or members file never panic and never end in an internal
// error: the answer is a report, or a clear error for the user.
func FuzzHouseholdsImport(f *testing.F) {
	exFuzz(f, "households", exHouseholds(), exHouseholdHeader+"H9,320921100201,,x,,,,低保户,,,,-1,,,,\n")
}

func FuzzMembersImport(f *testing.F) {
	exFuzz(f, "members", exMembers(), exMemberHeader+"H001,\"1\"\"2\",,户主,,9,,2,,1900-02-30\n")
}

func exFuzz(f *testing.F, kind string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("\xEF\xBB\xBF"+exHouseholdHeader+"\x00,\xff\xfe,\"unterminated\n"), true)
	f.Add([]byte("PK\x03\x04not a workbook"), false)
	e := newExEnv(f) // one database for the run: a fresh one per input would test migrations
	f.Fuzz(func(t *testing.T, data []byte, validOnly bool) {
		rep, err := e.ex.Import(e.ctx, e.office, kind, bytes.NewReader(data), "fuzz.csv", exchange.Options{ValidOnly: validOnly})
		if err != nil {
			if _, ok := errs.As(err); !ok {
				t.Fatalf("internal error for %q: %v", data, err)
			}
			return
		}
		if rep.Rows != rep.Inserted+rep.Updated+rep.Unchanged+rep.RejectedTotal {
			t.Fatalf("report does not add up: %+v", rep)
		}
	})
}
