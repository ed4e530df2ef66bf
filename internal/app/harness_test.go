package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"

	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
)

// testScale is two counties with a few villages each: enough to prove nothing crosses them.
var testScale = demo.Scale{Name: "test", Counties: []string{"320921", "320922"}, TownsPerCounty: 2, VillagesPerTown: 2, HouseholdsPerVillage: 4}

type harness struct {
	t   testing.TB
	app *App
	srv *httptest.Server
}

func newHarness(t *testing.T) *harness { return newHarnessB(t, t) }

// newHarnessB builds the harness for tests and benchmarks alike.
func newHarnessB(t testing.TB, _ *testing.T) *harness {
	t.Helper()
	d := dbtest.Open(t)
	if _, err := demo.Load(context.Background(), d, testScale); err != nil {
		t.Fatal(err)
	}
	a := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, app: a, srv: srv}
}

type client struct {
	h    *harness
	http *http.Client
	csrf string
	// bearer, when set, is sent instead of the cookie.
	bearer string
}

func (h *harness) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar}}
}

// login signs in a demo user and fails the test if that does not work.
func (h *harness) login(username string) *client {
	h.t.Helper()
	c := h.anon()
	st, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": demo.Password})
	if st != 200 {
		h.t.Fatalf("login %s: %d %s", username, st, body)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &me)
	c.csrf = me.CSRF
	return c
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.h.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = bytes.NewBufferString(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewBuffer(b)
		}
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}
