package exchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/exchange"
	"sunshine/internal/httpx"
	"sunshine/internal/region"
	"sunshine/internal/tabular"
)

// httpEnv serves the exchange routes with the principal named by the X-User header.
type httpEnv struct {
	t     *testing.T
	ex    *exchange.Service
	h     http.Handler
	users map[string]*auth.Principal
}

func newHTTPEnv(t *testing.T) *httpEnv {
	d := dbtest.Open(t)
	ex := &exchange.Service{DB: d}
	ex.Register(region.NewService(d).Exchange())
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ex.Routes(rt)
	e := &httpEnv{t: t, ex: ex, users: map[string]*auth.Principal{
		"admin":  {UserID: 1, Username: "admin", Name: "管理员", Role: auth.Admin, Scope: "320900000000"},
		"admin2": {UserID: 2, Username: "admin2", Name: "另一管理员", Role: auth.Admin, Scope: "320900000000"},
		"helper": {UserID: 3, Username: "helper", Name: "帮扶人", Role: auth.Helper, Scope: "320900000000"},
	}}
	e.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := e.users[r.Header.Get("X-User")]; p != nil {
			r = r.WithContext(auth.With(r.Context(), p))
		}
		rt.Mux.ServeHTTP(w, r)
	})
	return e
}

func (e *httpEnv) do(user, method, path string, body io.Reader, contentType string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Header.Set("X-User", user)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// tree is a city with enough villages that an import reports progress along the way.
func tree(villages int) string {
	var b strings.Builder
	b.WriteString("区划代码,名称\n320900000000,盐城市\n320921000000,响水县\n")
	for t := 0; t < villages/100+1; t++ {
		town := fmt.Sprintf("320921%03d000", 100+t)
		fmt.Fprintf(&b, "%s,镇%d\n", town, t)
		for v := 0; v < 100 && t*100+v < villages; v++ {
			fmt.Fprintf(&b, "%s%03d,村%d\n", town[:9], 201+v, v)
		}
	}
	return b.String()
}

func form(kind, name, data string) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", kind)
	_ = mw.WriteField("valid_only", "0")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, data)
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestImportJobOverHTTP(t *testing.T) {
	e := newHTTPEnv(t)
	data := tree(5000)
	body, ct := form("regions", "区划.csv", data)
	w := e.do("admin", "POST", "/api/v1/imports", body, ct)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST /imports: %d %s", w.Code, w.Body)
	}
	var job exchange.Job
	if err := json.Unmarshal(w.Body.Bytes(), &job); err != nil || job.ID == "" || job.BytesTotal != int64(len(data)) || job.Kind != "regions" {
		t.Fatalf("job %+v %v", job, err)
	}
	var seen []exchange.Job
	deadline := time.Now().Add(time.Minute)
	for job.State == exchange.JobRunning && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		w := e.do("admin", "GET", "/api/v1/imports/"+job.ID, nil, "")
		if w.Code != 200 {
			t.Fatalf("GET job: %d %s", w.Code, w.Body)
		}
		job = exchange.Job{}
		_ = json.Unmarshal(w.Body.Bytes(), &job)
		seen = append(seen, job)
	}
	if job.State != exchange.JobDone || job.Report == nil || !job.Report.Committed || job.Report.Inserted != job.Rows ||
		job.BytesRead != job.BytesTotal || job.Rows < 5000 {
		t.Fatalf("finished job: %+v", job)
	}
	partial := false
	for _, j := range seen {
		partial = partial || (j.State == exchange.JobRunning && j.BytesRead > 0 && j.BytesRead < j.BytesTotal)
	}
	if !partial {
		t.Errorf("no progress was reported while the job ran: %+v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].BytesRead < seen[i-1].BytesRead || seen[i].Rows < seen[i-1].Rows {
			t.Errorf("progress went backwards: %+v then %+v", seen[i-1], seen[i])
		}
	}
	// Only the user who started a job sees it.
	if w := e.do("admin2", "GET", "/api/v1/imports/"+job.ID, nil, ""); w.Code != 404 {
		t.Errorf("another user's job: %d %s", w.Code, w.Body)
	}
	// A file with bad rows fails as a job, with its report.
	body, ct = form("regions", "bad.csv", "区划代码,名称\n3209,短码\n")
	w = e.do("admin", "POST", "/api/v1/imports", body, ct)
	_ = json.Unmarshal(w.Body.Bytes(), &job)
	for job.State == exchange.JobRunning {
		time.Sleep(5 * time.Millisecond)
		_ = json.Unmarshal(e.do("admin", "GET", "/api/v1/imports/"+job.ID, nil, "").Body.Bytes(), &job)
	}
	if job.State != exchange.JobFailed || job.Error == nil || job.Error.Code != "invalid" || job.Report == nil || len(job.Report.Rejected) != 1 {
		t.Errorf("failed job: %+v", job)
	}
}

func TestImportRequestsRefused(t *testing.T) {
	e := newHTTPEnv(t)
	cases := []struct {
		name, user string
		body       func() (io.Reader, string)
		status     int
	}{
		{"not multipart", "admin", func() (io.Reader, string) { return strings.NewReader(`{"kind":"regions"}`), "application/json" }, 415},
		{"no file", "admin", func() (io.Reader, string) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			_ = mw.WriteField("kind", "regions")
			_ = mw.Close()
			return &b, mw.FormDataContentType()
		}, 400},
		{"unknown kind", "admin", func() (io.Reader, string) { return form("nonsense", "x.csv", "a\n") }, 400},
		{"not importable", "admin", func() (io.Reader, string) { return form("audit", "x.csv", "a\n") }, 400},
		{"role lacks the kind's action", "helper", func() (io.Reader, string) { return form("regions", "x.csv", tree(1)) }, 403},
	}
	e.ex.Register(exchange.Kind{Name: "audit", Label: "审计留痕", ExportAction: auth.AuditRead,
		Export: func(context.Context, db.Queryer, *auth.Principal, *tabular.Writer) error { return nil }})
	for _, c := range cases {
		body, ct := c.body()
		if w := e.do(c.user, "POST", "/api/v1/imports", body, ct); w.Code != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, w.Code, w.Body, c.status)
		}
	}
}

// newLazyUpload is a multipart body with size bytes of CSV, generated as it is read.
func newLazyUpload(boundary string, size int64) io.Reader {
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nregions\r\n--" + boundary +
		"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\ncode,name\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return io.MultiReader(strings.NewReader(head), &repeat{line: []byte("320921100201,小圩村\r\n"), left: size}, strings.NewReader(tail))
}

type repeat struct {
	line []byte
	left int64
	off  int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		c := copy(p[n:], r.line[r.off:])
		if int64(c) > r.left {
			c = int(r.left)
		}
		n += c
		r.left -= int64(c)
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

// A 200 MB upload is refused with a clear message, whether or not it says its length, and
// leaves neither a job nor a temporary file behind.
func TestUploadOverLimitIsRefused(t *testing.T) {
	e := newHTTPEnv(t)
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "sunshine-upload-*"))
	const size = 200 << 20
	for _, declared := range []bool{true, false} {
		mw := multipart.NewWriter(io.Discard)
		req := httptest.NewRequest("POST", "/api/v1/imports", newLazyUpload(mw.Boundary(), size))
		req.Header.Set("X-User", "admin")
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if declared {
			req.ContentLength = size + 300
		} else {
			req.ContentLength = -1
		}
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		var body struct{ Code, Message string }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusRequestEntityTooLarge || body.Code != "too_large" || !strings.Contains(body.Message, "150 MB") {
			t.Errorf("200 MB upload (length declared: %v): %d %s", declared, w.Code, w.Body)
		}
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "sunshine-upload-*"))
	if len(after) > len(before) {
		t.Errorf("temporary files left behind: %v", after)
	}
	if w := e.do("admin", "GET", "/api/v1/exports/regions", nil, ""); w.Code != 200 || strings.Count(w.Body.String(), "\n") != 1 {
		t.Errorf("something was imported: %d %q", w.Code, w.Body)
	}
}

func TestExportTemplateAndKinds(t *testing.T) {
	e := newHTTPEnv(t)
	body, ct := form("regions", "tree.csv", tree(3))
	w := e.do("admin", "POST", "/api/v1/imports", body, ct)
	var job exchange.Job
	_ = json.Unmarshal(w.Body.Bytes(), &job)
	for job.State == exchange.JobRunning {
		time.Sleep(5 * time.Millisecond)
		_ = json.Unmarshal(e.do("admin", "GET", "/api/v1/imports/"+job.ID, nil, "").Body.Bytes(), &job)
	}
	w = e.do("helper", "GET", "/api/v1/exports/regions?format=csv", nil, "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(w.Body.String(), "小") && !strings.Contains(w.Body.String(), "村") {
		t.Errorf("export: %d %v %q", w.Code, w.Header(), w.Body)
	}
	if w := e.do("helper", "GET", "/api/v1/exports/regions?format=pdf", nil, ""); w.Code != 400 || w.Header().Get("Content-Disposition") != "" {
		t.Errorf("bad format: %d %v", w.Code, w.Header())
	}
	if w := e.do("helper", "GET", "/api/v1/exports/nonsense", nil, ""); w.Code != 400 {
		t.Errorf("unknown kind: %d", w.Code)
	}
	w = e.do("admin", "GET", "/api/v1/templates/regions", nil, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "*区划代码,*名称,经济薄弱村") {
		t.Errorf("template: %d %q", w.Code, w.Body)
	}
	rep, err := e.ex.Import(t.Context(), e.users["admin"], "regions", w.Body, "template.csv", exchange.Options{})
	if err != nil || rep.Rows != 0 {
		t.Errorf("the template does not read back: %+v %v", rep, err)
	}
	if w := e.do("helper", "GET", "/api/v1/templates/regions?format=xlsx", nil, ""); w.Code != 403 {
		t.Errorf("template for a kind the user cannot import: %d", w.Code)
	}
	w = e.do("helper", "GET", "/api/v1/exchange/kinds", nil, "")
	var kinds []exchange.KindInfo
	if err := json.Unmarshal(w.Body.Bytes(), &kinds); err != nil || len(kinds) != 1 || kinds[0].CanImport || !kinds[0].CanExport ||
		kinds[0].Columns[0].Label != "区划代码" || !kinds[0].Columns[0].Required {
		t.Errorf("kinds: %s", w.Body)
	}
}
