package app

import (
	"strings"
	"testing"
)

func TestPublicHouseholdQuery(t *testing.T) {
	h := newHarness(t)
	anon := h.anon()
	var id, name string
	if err := h.app.DB.Reader().QueryRowContext(t.Context(), `SELECT id_number, name FROM members
		WHERE region_code LIKE '320921%' AND active = 1 ORDER BY id LIMIT 1`).Scan(&id, &name); err != nil {
		t.Fatal(err)
	}
	st, b := anon.do("GET", "/api/v1/public/captcha", nil)
	if st != 200 || !strings.Contains(string(b), "data:image/svg+xml;base64,") {
		t.Fatalf("captcha: %d %.200s", st, b)
	}
	h.conforms("GET", "/api/v1/public/captcha", st, b)
	ask := func(id, name string) (int, []byte) {
		c, ans, err := h.app.SelfQuery.NewCaptchaWithAnswer(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return anon.do("POST", "/api/v1/public/household-query", map[string]any{"id_number": id, "name": name,
			"captcha_token": c.Token, "captcha_answer": ans})
	}
	st, b = ask(id, name)
	if st != 200 || !strings.Contains(string(b), `"found":true`) || strings.Contains(string(b), id) {
		t.Fatalf("right pair: %d %s", st, b)
	}
	h.conforms("POST", "/api/v1/public/household-query", st, b)
	st1, b1 := ask(id, name+"错")
	st2, b2 := ask("110101199003074514", name)
	if st1 != 200 || st2 != 200 || string(b1) != string(b2) || string(b1) != "{\"found\":false}\n" {
		t.Fatalf("mismatches differ: %d %s / %d %s", st1, b1, st2, b2)
	}
	h.conforms("POST", "/api/v1/public/household-query", st1, b1)
}
