package visits_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/regioncode"
	"sunshine/internal/visits"
)

// Any cursor is either a valid (village code, id) position that prints back as itself, or a
// clear error naming "after"; never a panic.
func FuzzOverdueCursor(f *testing.F) {
	for _, s := range []string{"", "320921100201-17", "320921100201-", "-5", "320921100201--1", "3209-1", "320921100201-99999999999999999999", "x-y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := visits.ParseOverdueCursor(s)
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Fields["after"] == "" {
				t.Fatalf("%q: %v is not a clear error", s, err)
			}
			return
		}
		if s == "" {
			return
		}
		if !regioncode.Valid(c.Region) || c.ID < 0 {
			t.Fatalf("%q gave %+v", s, c)
		}
		if back := c.Region + "-" + strconv.FormatInt(c.ID, 10); back != s {
			t.Fatalf("%q reads as %+v", s, c)
		}
	})
}

// Any PATCH body decodes and validates to either an edit that keeps every limit or a clear
// user error; never a panic or an internal error.
func FuzzVisitEdit(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"guarantees":{"food":"ok","education":"na","medical":"gap","housing":"ok","water":"ok"},"income_fen":650000,"needs":"","measures":"","notes":""}`,
		`{"version":0}`, `{"version":"1"}`, `{"guarantees":{"food":"bad"}}`, `{"income_fen":-1,"version":2}`, `{"needs":"\xff"}`, `[]`, `{"x":1}`,
		`{"version":1,"guarantees":{"food":" ok ","education":"ok","medical":"ok","housing":"ok","water":"ok"},"notes":"` + strings.Repeat("字", 2001) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in visits.VisitEdit
		err := httpx.DecodeReader(bytes.NewReader(b), &in)
		if err == nil {
			err = in.CheckEdit()
		}
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Code == errs.Internal || e.Message == "" {
				t.Fatalf("%q: %v is not a clear user error", b, err)
			}
			return
		}
		if in.Version <= 0 || in.IncomeFen != nil && *in.IncomeFen < 0 {
			t.Fatalf("%q accepted: %+v", b, in)
		}
		for _, g := range in.Guarantees.Values() {
			if g != "ok" && g != "gap" && g != "na" {
				t.Fatalf("%q accepted guarantee %q", b, g)
			}
		}
		for _, s := range []string{in.Needs, in.Measures, in.Notes} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > visits.MaxTextRunes || s != strings.TrimSpace(s) {
				t.Fatalf("%q accepted text %q", b, s)
			}
		}
	})
}

// Any location body is a position inside China's box or a clear user error.
func FuzzLocationInput(f *testing.F) {
	for _, s := range []string{`{"lat":33.3,"lng":120.1}`, `{"lat":90,"lng":0}`, `{"lat":null,"lng":1}`, `{"lat":1e400}`, `{}`, `{"lat":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in visits.LocationInput
		err := httpx.DecodeReader(bytes.NewReader(b), &in)
		if err == nil {
			err = in.CheckLocation()
		}
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Code == errs.Internal || e.Message == "" {
				t.Fatalf("%q: %v is not a clear user error", b, err)
			}
			return
		}
		if in.Lat == nil || in.Lng == nil || !visits.InChina(*in.Lat, *in.Lng) {
			t.Fatalf("%q accepted: %v %v", b, in.Lat, in.Lng)
		}
	})
}
