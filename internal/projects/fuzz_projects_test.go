package projects

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

// p1FuzzEnv is the fixture's database behind the projects routes, with the county poverty
// office signed in and one project of village A (the fuzz functions cannot use newFixture,
// which wants a *testing.T).
type p1FuzzEnv struct {
	s       *Service
	h       http.Handler
	office  *auth.Principal
	project int64
}

func p1Fuzz(f *testing.F) *p1FuzzEnv {
	f.Helper()
	fx := newFixture(f)
	ctx := fx.Ctx
	e := &p1FuzzEnv{s: fx.S, office: fx.County(auth.PovertyOffice)}
	p, err := e.s.CreateProject(ctx, e.office, p1Input("village", villageA))
	if err != nil {
		f.Fatal(err)
	}
	e.project = p.ID
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.s.Routes(rt)
	e.h = rt.Mux
	return e
}

func (e *p1FuzzEnv) do(method, path, contentType string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r = r.WithContext(auth.With(r.Context(), e.office))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// FuzzDocumentUploadFields sends the multipart document upload with arbitrary stage, doc_type,
// title and file name: never a 500, and a stored document has a stage the project has reached
// and a doc type of that stage.
func FuzzDocumentUploadFields(f *testing.F) {
	e := p1Fuzz(f)
	f.Add("0", "survey", "调研报告", "report.pdf", []byte("%PDF-1.4"))
	f.Add(" 0 ", "other", "", "照片.jpg", []byte{0xff, 0xd8, 0xff})
	f.Add("1", "feasibility", "", "x.pdf", []byte("x"))
	f.Add("-1", "survey", "", "x.pdf", []byte("x"))
	f.Add("9", "", "", "", []byte{})
	f.Add("0x1", "survey\x00", strings.Repeat("题", 201), "a/b\\c.pdf", []byte("x"))
	f.Add("99999999999999999999", "<script>", "", "\xff.pdf", []byte("x"))
	f.Fuzz(func(t *testing.T, stage, docType, title, name string, content []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("stage", stage)
		_ = mw.WriteField("doc_type", docType)
		_ = mw.WriteField("title", title)
		if fw, err := mw.CreateFormFile("file", name); err == nil {
			_, _ = fw.Write(content)
		}
		_ = mw.Close()
		w := e.do("POST", fmt.Sprintf("/api/v1/projects/%d/documents", e.project), mw.FormDataContentType(), buf.Bytes())
		if w.Code >= 500 {
			t.Fatalf("stage %q doc_type %q: %d %s", stage, docType, w.Code, w.Body)
		}
		if w.Code != http.StatusCreated {
			return
		}
		var d Document
		if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(stage))
		if err != nil || n != d.Stage || d.Stage != Research {
			t.Fatalf("stage %q stored as %d", stage, d.Stage)
		}
		if _, ok := docTypeOf(d.Stage, d.DocType); !ok || d.DocType != strings.TrimSpace(docType) {
			t.Fatalf("doc type %q stored as %q", docType, d.DocType)
		}
		if d.Size != int64(len(content)) || d.Size == 0 {
			t.Fatalf("size %d of %d bytes", d.Size, len(content))
		}
	})
}

// FuzzDocumentUploadBody sends arbitrary bodies and content types to the upload: never a 500.
func FuzzDocumentUploadBody(f *testing.F) {
	e := p1Fuzz(f)
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"stage\"\r\n\r\n0\r\n--X\r\nContent-Disposition: form-data; name=\"doc_type\"\r\n\r\nsurvey\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc\r\n--X--\r\n"))
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc"))
	f.Add("multipart/form-data", []byte(""))
	f.Add("application/json", []byte(`{"stage":0}`))
	f.Add("multipart/form-data; boundary=\"", []byte("--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		w := e.do("POST", fmt.Sprintf("/api/v1/projects/%d/documents", e.project), contentType, body)
		if w.Code >= 500 {
			t.Fatalf("%q: %d %s", contentType, w.Code, w.Body)
		}
	})
}

// FuzzProjectInputJSON posts arbitrary JSON to register and to edit a project (httpx.Decode
// then validation): never a 500, and what is stored is a valid project.
func FuzzProjectInputJSON(f *testing.F) {
	e := p1Fuzz(f)
	ok, _ := json.Marshal(p1Input("carrier", villageA))
	f.Add(string(ok))
	f.Add(`{"name":"项目","kind":"household","region_code":"320921100201","year":2026,"budget_yuan":"1","implementer":"镇","plan":[{"stage":8,"planned_start":"2027-01-01","planned_end":"2027-02-01"}]}`)
	f.Add(`{"name":"项目","kind":"village","subkind":"mixed","region_code":"320921000000","year":2026,"budget_yuan":"¥1,000.50","implementer":"镇","start_on":"2026-02-30"}`)
	f.Add(`{"kind":"household","budget_yuan":1}`)
	f.Add(`{"plan":[{"stage":-1}],"plan_id":-4,"version":3}`)
	f.Add(`{"name":"\u0000","extra":true}`)
	f.Add(`[]`)
	f.Add(`{"year":1e99}`)
	f.Fuzz(func(t *testing.T, body string) {
		w := e.do("POST", "/api/v1/projects", "application/json", []byte(body))
		if w.Code >= 500 {
			t.Fatalf("create %q: %d %s", body, w.Code, w.Body)
		}
		if w.Code == http.StatusCreated {
			var d ProjectDetail
			if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(Kinds, d.Kind) || d.BudgetFen <= 0 || d.BudgetFen > MaxBudgetFen || d.Year < 2000 || d.Year > 2099 ||
				len(d.Stages) != len(Stages) || d.Name == "" || d.Implementer == "" {
				t.Fatalf("stored %+v", d.Project)
			}
			for k := 1; k < len(d.Stages); k++ {
				if *d.Stages[k].PlannedStart < *d.Stages[k-1].PlannedStart || *d.Stages[k].PlannedEnd < *d.Stages[k].PlannedStart {
					t.Fatalf("plan out of order at %d", k)
				}
			}
		}
		w = e.do("PUT", fmt.Sprintf("/api/v1/projects/%d", e.project), "application/json", []byte(body))
		if w.Code >= 500 {
			t.Fatalf("update %q: %d %s", body, w.Code, w.Body)
		}
	})
}
