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

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
	"sunshine/internal/registry"
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

// fieldLogin signs in a helper the way the field app does: a bearer token, no cookie.
func (h *harness) fieldLogin(username string) *client {
	h.t.Helper()
	c := h.anon()
	st, body := c.do("POST", "/api/v1/field/login", map[string]string{"username": username, "password": demo.Password, "device": "test"})
	if st != 200 {
		h.t.Fatalf("field login %s: %d %s", username, st, body)
	}
	c.bearer = decode[struct {
		Token string `json:"token"`
	}](h.t, body).Token
	return c
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.h.t.Helper()
	if body == nil {
		return c.send(method, path, nil, "")
	}
	if s, ok := body.(string); ok {
		return c.send(method, path, bytes.NewBufferString(s), "application/json")
	}
	b, _ := json.Marshal(body)
	return c.send(method, path, bytes.NewBuffer(b), "application/json")
}

// send makes the request with the client's cookies, CSRF token and bearer token; a body
// goes with its content type.
func (c *client) send(method, path string, rd io.Reader, contentType string) (int, []byte) {
	c.h.t.Helper()
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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

// registryIDs are objects of one county the scope tests aim at.
type registryIDs struct{ household, member, procedure, objection, attachment, helper, helper2, team, leader int64 }

// registryFixture finds a registered household with a member and an open procedure in the
// county, and gives the procedure a notice with an objection and a signature attachment.
func (h *harness) registryFixture(county string) registryIDs {
	h.t.Helper()
	ctx := context.Background()
	q := h.app.DB.Reader()
	lo, hi := county+"000000", county+"999999"
	var r registryIDs
	if err := q.QueryRowContext(ctx, `SELECT h.id, MIN(m.id) FROM households h JOIN members m ON m.household_id = h.id AND m.active = 1
		WHERE h.region_code BETWEEN ? AND ? AND h.status = 'registered' GROUP BY h.id ORDER BY h.id LIMIT 1`, lo, hi).Scan(&r.household, &r.member); err != nil {
		h.t.Fatal("fixture household: ", err)
	}
	// An open exit procedure on a registered household of its own, so the member above stays editable.
	var target int64
	if err := q.QueryRowContext(ctx, `SELECT MAX(h.id) FROM households h WHERE h.region_code BETWEEN ? AND ? AND h.status = 'registered'
		AND NOT EXISTS (SELECT 1 FROM procedures p WHERE p.household_id = h.id AND p.status = 'open')`, lo, hi).Scan(&target); err != nil {
		h.t.Fatal("fixture procedure household: ", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT MIN(helper_id), MAX(helper_id) FROM assignments WHERE region_code BETWEEN ? AND ? AND to_date IS NULL`,
		lo, hi).Scan(&r.helper, &r.helper2); err != nil {
		h.t.Fatal("fixture helpers: ", err)
	}
	office := &auth.Principal{UserID: 1, Name: "fixture", Role: auth.PovertyOffice, Scope: county + "000000"}
	p, err := h.app.Registry.Start(ctx, office, target, registry.ProcExit, "fixture")
	if err != nil {
		h.t.Fatal("fixture procedure: ", err)
	}
	r.procedure = p.ID
	err = h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		n, err := tx.InsertID(ctx, `INSERT INTO publicity_notices (procedure_id, step, region_code, title, body, starts_at, ends_at, created_by, created_at)
			SELECT id, step, region_code, 'fixture', 'fixture', ?, ?, 1, ? FROM procedures WHERE id = ? RETURNING id`, now, now, now, r.procedure)
		if err != nil {
			return err
		}
		if r.objection, err = tx.InsertID(ctx, `INSERT INTO objections (notice_id, procedure_id, region_code, content, lodged_by, lodged_at)
			SELECT ?, id, region_code, 'fixture', 1, ? FROM procedures WHERE id = ? RETURNING id`, n, now, r.procedure); err != nil {
			return err
		}
		if r.team, err = tx.InsertID(ctx, `INSERT INTO work_teams (region_code, name, dispatching_unit, leader_name, from_date, created_at, updated_at)
			VALUES (?, 'fixture', 'fixture', 'fixture', '2025-01-01', ?, ?) RETURNING id`, county+"100201", now, now); err != nil {
			return err
		}
		if r.leader, err = tx.InsertID(ctx, `INSERT INTO responsible_leaders (region_code, name, position, from_date, created_at, updated_at)
			VALUES (?, 'fixture', 'fixture', '2025-01-01', ?, ?) RETURNING id`, county+"000000", now, now); err != nil {
			return err
		}
		r.attachment, err = tx.InsertID(ctx, `INSERT INTO attachments (sha256, name, content_type, size, data, region_code, uploaded_by, created_at)
			VALUES ('00', 'fixture.txt', 'text/plain', 1, ?, ?, 1, ?) RETURNING id`, []byte("x"), county+"000000", now)
		return err
	})
	if err != nil {
		h.t.Fatal("fixture: ", err)
	}
	return r
}
