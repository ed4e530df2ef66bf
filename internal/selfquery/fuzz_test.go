package selfquery

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sunshine/internal/httpx"
)

// FuzzQueryBody feeds arbitrary bodies to the query endpoint: every answer is one of the
// documented statuses with a JSON body, and a found answer comes only for the seeded pair.
func FuzzQueryBody(f *testing.F) {
	fx := newFixture(f)
	fx.S.ClientPerHour, fx.S.IDPerHour = 1<<30, 1<<30
	p := fx.person(villageA, 0)
	rt := fx.router()
	tok, ans := fx.solved()
	good, _ := json.Marshal(map[string]string{"id_number": p.id, "name": p.name, "captcha_token": tok, "captcha_answer": ans})
	f.Add(string(good))
	f.Add(`{"id_number":"` + p.id + `","name":"` + p.name + `","captcha_token":"` + tok + `","captcha_answer":` + ans + `}`)
	f.Add(`{"id_number":"` + strings.ToLower(p.id) + `","name":"x","captcha_token":"1.AAAA.BBBB","captcha_answer":"007","channel":"kiosk"}`)
	f.Add(`{"captcha_answer":1e309}`)
	f.Add(`{"name":"\u0000","captcha_answer":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/public/household-query", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "192.0.2.1:1"
		w := httptest.NewRecorder()
		rt.Mux.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("body not JSON: %q", w.Body)
		}
		if w.Code == 200 && v["found"] == true && !bytes.Contains(w.Body.Bytes(), []byte(p.id[:6]+"********"+p.id[14:])) {
			t.Fatalf("found for another pair: %s", w.Body)
		}
		if bytes.Contains(w.Body.Bytes(), []byte(p.id)) {
			t.Fatalf("unmasked ID number: %s", w.Body)
		}
		// The input cleaner agrees with itself: what it accepts is normalised.
		var in QueryInput
		if httpx.DecodeReader(strings.NewReader(body), &in) == nil {
			if id, name, a, tk, err := in.clean(fx.Now); err == nil {
				if len(id) != 18 || strings.ToUpper(id) != id || name != strings.TrimSpace(name) || name == "" || len(a) == 0 || len(a) > 3 ||
					tk.String() != in.CaptchaToken {
					t.Fatalf("clean(%+v) = %q %q %q", in, id, name, a)
				}
			}
		}
	})
}

// FuzzParseToken: a token that parses prints back to the same string and parses again to the
// same value; nothing panics.
func FuzzParseToken(f *testing.F) {
	c, _ := newChallenge(bytes.Repeat([]byte{3}, 32), time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC))
	f.Add(c.token)
	f.Add("1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("..")
	f.Add("-1.x.y")
	f.Add(strings.Repeat("9", 20) + ".a.b")
	f.Fuzz(func(t *testing.T, s string) {
		tk, ok := parseToken(s)
		if !ok {
			return
		}
		if tk.String() != s || tk.expiry <= 0 {
			t.Fatalf("%q parsed to %q", s, tk.String())
		}
		again, ok := parseToken(tk.String())
		if !ok || again != tk {
			t.Fatalf("%q does not reparse", s)
		}
	})
}
