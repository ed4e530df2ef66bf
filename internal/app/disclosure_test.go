package app

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"sunshine/internal/db"
)

// publicLeak matches an ID number, an 11-digit mobile number or a 16-19 digit account number.
var publicLeak = regexp.MustCompile(`[0-9]{17}[0-9Xx]|(^|[^0-9])1[0-9]{10}([^0-9]|$)|[0-9]{16,19}`)

// leakIn returns the first string value of a JSON answer that shows a number publicLeak matches
// (numbers such as amounts in fen are not looked at: they are not strings).
func leakIn(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return "(not JSON)"
	}
	var walk func(any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case string:
			if publicLeak.MatchString(x) {
				return x
			}
		case []any:
			for _, e := range x {
				if s := walk(e); s != "" {
					return s
				}
			}
		case map[string]any:
			for _, e := range x {
				if s := walk(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return walk(v)
}

// The public disclosure pages answer without a sign-in, match openapi.json and show no ID
// number, phone or account number; a public objection reaches an open notice.
func TestPublicDisclosure(t *testing.T) {
	h := newHarness(t)
	c := h.anon()
	for _, path := range []string{
		"/api/v1/public/regions/320900000000",
		"/api/v1/public/regions/320921000000",
		"/api/v1/public/regions/320921100000",
		"/api/v1/public/regions/320921100201",
		"/api/v1/public/regions/320921100201/households?limit=200",
		"/api/v1/public/regions/320921100000/households?limit=3",
		"/api/v1/public/regions/320921000000/funds",
		"/api/v1/public/regions/320921100201/funds",
	} {
		st, b := c.do("GET", path, nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
		if s := leakIn(b); s != "" {
			t.Errorf("%s shows %q", path, s)
		}
	}
	for path, want := range map[string]int{"/api/v1/public/regions/abc": 400, "/api/v1/public/regions/320921100299": 404,
		"/api/v1/public/regions/320921000000/households": 400} {
		st, b := c.do("GET", path, nil)
		if st != want {
			t.Errorf("%s: %d %s, want %d", path, st, b, want)
		}
		h.conforms("GET", path, st, b)
	}
	// An open notice: the registry fixture's procedure, given a notice that runs 7 days.
	reg := h.registryFixture("320921")
	var notice int64
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT id FROM publicity_notices WHERE procedure_id = ?`, reg.procedure).Scan(&notice); err != nil {
		t.Fatal(err)
	}
	if err := h.app.DB.InTx(t.Context(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(t.Context(), `UPDATE publicity_notices SET ends_at = '2999-01-01T00:00:00.000000Z' WHERE id = ?`, notice)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/public/notices/%d/objections", notice)
	st, b := c.do("POST", path, map[string]any{"content": "<b>异议</b>", "contact": "13812345678"})
	if st != 201 {
		t.Fatalf("objection: %d %s", st, b)
	}
	h.conforms("POST", path, st, b)
	if s := leakIn(b); s != "" {
		t.Errorf("objection receipt shows %q", s)
	}
}
