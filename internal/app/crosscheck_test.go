package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/demo"
)

// uploadDataset posts a dataset form (fields first, as the console sends them).
func (c *client) uploadDataset(fields map[string]string, name, data string) (int, []byte) {
	c.h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"kind", "source_dept", "as_of"} {
		if v, ok := fields[k]; ok {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, data)
	_ = mw.Close()
	return c.send("POST", "/api/v1/datasets", &buf, mw.FormDataContentType())
}

// waitJob polls a cross-check job until it has finished.
func (c *client) waitJob(id string) crosscheck.Job {
	c.h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, b := c.do("GET", "/api/v1/crosscheck/jobs/"+id, nil)
		if st != 200 {
			c.h.t.Fatalf("job %s: %d %s", id, st, b)
		}
		j := decode[crosscheck.Job](c.h.t, b)
		if j.State != crosscheck.JobRunning || time.Now().After(deadline) {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crosscheckIDs are cross-check objects of one county the scope tests aim at.
type crosscheckIDs struct {
	dataset, run, doubt, authorisation int64
	job                                string
}

// principal is a demo user as the services see it.
func (h *harness) principal(username string) *auth.Principal {
	h.t.Helper()
	p := &auth.Principal{Username: username}
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`,
		username).Scan(&p.UserID, &p.Name, &p.Role, &p.Scope); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// crosscheckFixture registers a vehicle dataset in the county as its civil-affairs office,
// runs it over a planted member (a doubt), records an authorisation, and starts a second run
// whose job the civil-affairs user owns.
func (h *harness) crosscheckFixture(county string, reg registryIDs) crosscheckIDs {
	h.t.Helper()
	ctx := context.Background()
	if h.app.Crosscheck.Dir == "" { // PostgreSQL: no database file to sit next to
		h.app.Crosscheck.Dir = h.t.TempDir()
	}
	var x crosscheckIDs
	var idNo, name string
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT id_number, name FROM members WHERE id = ?`, reg.member).Scan(&idNo, &name); err != nil {
		h.t.Fatal(err)
	}
	civil := h.principal("civil_affairs_" + county)
	ds, _, err := h.app.Crosscheck.AddDataset(ctx, civil, crosscheck.DatasetInput{Kind: crosscheck.KindVehicle, SourceDept: "公安局", AsOf: "2026-01-31",
		FileName: "vehicles-" + county + ".csv"}, strings.NewReader("身份证号,姓名,号牌号码,车辆类型\n"+idNo+","+name+",苏J"+county[4:]+",car\n"))
	if err != nil {
		h.t.Fatal("fixture dataset: ", err)
	}
	x.dataset = ds.ID
	run, err := h.app.Crosscheck.RunNow(ctx, civil, crosscheck.RunInput{DatasetIDs: []int64{ds.ID}, IncludeUnauthorised: true}, nil)
	if err != nil || run.DoubtsNew != 1 {
		h.t.Fatalf("fixture run: %+v %v", run, err)
	}
	x.run = run.ID
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT id FROM doubts WHERE run_id = ?`, run.ID).Scan(&x.doubt); err != nil {
		h.t.Fatal(err)
	}
	a, err := h.app.Crosscheck.AddAuthorisation(ctx, h.principal("poverty_office_"+county), reg.household,
		crosscheck.AuthorisationInput{SignedOn: "2026-01-02", AttachmentID: reg.attachment})
	if err != nil {
		h.t.Fatal("fixture authorisation: ", err)
	}
	x.authorisation = a.ID
	j, err := h.app.Crosscheck.StartRun(ctx, civil, crosscheck.RunInput{DatasetIDs: []int64{ds.ID}})
	if err != nil {
		h.t.Fatal("fixture job: ", err)
	}
	x.job = j.ID
	c := h.login("civil_affairs_" + county)
	if j := c.waitJob(j.ID); j.State != crosscheck.JobDone {
		h.t.Fatalf("fixture job: %+v", j)
	}
	return x
}

// crosscheckTargets are the cross-check routes aimed at county's objects.
func (h *harness) crosscheckTargets(county string, reg registryIDs) map[string]target {
	x := h.crosscheckFixture(county, reg)
	region := county + "000000"
	return map[string]target{
		"GET /api/v1/crosscheck/kinds":                {path: "/api/v1/crosscheck/kinds"},
		"GET /api/v1/datasets":                        {path: "/api/v1/datasets"},
		"POST /api/v1/datasets":                       {path: "/api/v1/datasets", ownScope: true},
		"GET /api/v1/datasets/{id}":                   {path: fmt.Sprintf("/api/v1/datasets/%d", x.dataset)},
		"POST /api/v1/datasets/{id}/retire":           {path: fmt.Sprintf("/api/v1/datasets/%d/retire", x.dataset), body: map[string]any{"reason": "越权"}},
		"GET /api/v1/crosscheck/jobs/{id}":            {path: "/api/v1/crosscheck/jobs/" + x.job},
		"GET /api/v1/crosscheck/rules":                {path: "/api/v1/crosscheck/rules?region=" + region},
		"GET /api/v1/crosscheck/rules/versions":       {path: "/api/v1/crosscheck/rules/versions?region=" + region},
		"PUT /api/v1/crosscheck/rules":                {path: "/api/v1/crosscheck/rules", body: map[string]any{"rules": []any{}}, ownScope: true},
		"POST /api/v1/crosscheck/runs":                {path: "/api/v1/crosscheck/runs", body: map[string]any{"dataset_ids": []int64{x.dataset}, "region": region}},
		"GET /api/v1/crosscheck/runs":                 {path: "/api/v1/crosscheck/runs?region=" + region},
		"GET /api/v1/crosscheck/runs/{id}":            {path: fmt.Sprintf("/api/v1/crosscheck/runs/%d", x.run)},
		"GET /api/v1/households/{id}/authorisations":  {path: fmt.Sprintf("/api/v1/households/%d/authorisations", reg.household)},
		"POST /api/v1/households/{id}/authorisations": {path: fmt.Sprintf("/api/v1/households/%d/authorisations", reg.household), body: map[string]any{"signed_on": "2026-01-03", "attachment_id": reg.attachment}},
		"POST /api/v1/authorisations/{id}/revoke":     {path: fmt.Sprintf("/api/v1/authorisations/%d/revoke", x.authorisation), body: map[string]any{"on": "2026-01-04", "reason": "越权"}},
		"GET /api/v1/authorisations/missing":          {path: "/api/v1/authorisations/missing?region=" + region},
		"GET /api/v1/doubts":                          {path: "/api/v1/doubts?region=" + region},
		"GET /api/v1/doubts/stats":                    {path: "/api/v1/doubts/stats?region=" + region},
		"GET /api/v1/doubts/export":                   {path: "/api/v1/doubts/export?format=csv&region=" + region},
		"GET /api/v1/doubts/{id}":                     {path: fmt.Sprintf("/api/v1/doubts/%d", x.doubt)},
		"POST /api/v1/doubts/{id}/dispatch":           {path: fmt.Sprintf("/api/v1/doubts/%d/dispatch", x.doubt), body: map[string]any{"deadline_days": 3}},
		"POST /api/v1/doubts/{id}/outcome":            {path: fmt.Sprintf("/api/v1/doubts/%d/outcome", x.doubt), body: map[string]any{"outcome": "data_error", "reason": "越权"}},
	}
}

// Over HTTP: upload (job with progress), run (job), list, detail, dispatch, explain, stats,
// export; bad uploads answered with clear errors; answers match openapi.json.
func TestCrosscheckHTTP(t *testing.T) {
	h := newHarness(t)
	if h.app.Crosscheck.Dir == "" {
		h.app.Crosscheck.Dir = t.TempDir()
	}
	ctx := context.Background()
	var hh, member int64
	var idNo, name string
	if err := h.app.DB.Reader().QueryRowContext(ctx, `SELECT h.id, m.id, m.id_number, m.name FROM households h JOIN members m ON m.household_id = h.id
		WHERE h.status = 'registered' AND h.region_code LIKE '320921%' AND m.active = 1 ORDER BY h.id, m.id LIMIT 1`).Scan(&hh, &member, &idNo, &name); err != nil {
		t.Fatal(err)
	}
	civil := h.login("civil_affairs_320921")
	fields := map[string]string{"kind": "vehicle", "source_dept": "市公安局", "as_of": "2026-01-31"}
	st, b := civil.uploadDataset(fields, "车辆.csv", "身份证号,姓名,号牌号码,车辆类型,价值(元)\n"+idNo+","+name+",苏J00001,小型轿车,\"120,000\"\n")
	if st != http.StatusAccepted {
		t.Fatalf("upload: %d %s", st, b)
	}
	j := civil.waitJob(decode[crosscheck.Job](t, b).ID)
	if j.State != crosscheck.JobDone || j.Dataset == nil || j.Dataset.Rows != 1 || j.Dataset.Matched != 1 || j.Kind != "dataset" {
		t.Fatalf("dataset job: %+v", j)
	}
	ds := j.Dataset.ID
	for _, c := range []struct {
		fields      map[string]string
		name, data  string
		status      int
		contains    string
		jobContains string
	}{
		{map[string]string{"kind": "cars", "source_dept": "x", "as_of": "2026-01-31"}, "a.csv", "id_number,name\n", 400, "vehicle", ""},
		{map[string]string{"kind": "death", "source_dept": "x", "as_of": "2099-01-01"}, "a.csv", "id_number,name\n", 400, "晚于今天", ""},
		{map[string]string{"kind": "death", "source_dept": "x", "as_of": "2026-01-01"}, "a.pdf", "%PDF-1.4 xx", 400, "PDF", ""},
		{map[string]string{"kind": "death", "source_dept": "x", "as_of": "2026-01-01"}, "a.csv", "id_number,name,death_date\nbad,x,2025-01-01\n", 202, "", "第2行"},
	} {
		st, b := civil.uploadDataset(c.fields, c.name, c.data)
		if st != c.status || !strings.Contains(string(b), c.contains) {
			t.Errorf("upload %v: %d %s", c.fields, st, b)
			continue
		}
		if st == 202 {
			j := civil.waitJob(decode[crosscheck.Job](t, b).ID)
			if j.State != crosscheck.JobFailed || j.Error == nil || !strings.Contains(j.Error.Message, c.jobContains) || j.Report == nil || len(j.Report.Errors) != 1 {
				t.Errorf("failed dataset job: %+v", j)
			}
		}
	}
	if st, b := civil.do("POST", "/api/v1/datasets", map[string]any{"kind": "vehicle"}); st != http.StatusUnsupportedMediaType {
		t.Errorf("JSON dataset: %d %s", st, b)
	}

	st, b = civil.do("POST", "/api/v1/crosscheck/runs", map[string]any{"dataset_ids": []int64{ds}, "include_unauthorised": true})
	if st != http.StatusAccepted {
		t.Fatalf("run: %d %s", st, b)
	}
	j = civil.waitJob(decode[crosscheck.Job](t, b).ID)
	if j.State != crosscheck.JobDone || j.Run == nil || j.Run.DoubtsNew != 1 || j.Rows != 1 {
		t.Fatalf("run job: %+v", j)
	}
	run := j.Run.ID
	office := h.login("poverty_office_320921")
	st, b = office.do("GET", fmt.Sprintf("/api/v1/doubts?run=%d", run), nil)
	list := decode[struct{ Items []crosscheck.DoubtRow }](t, b)
	if st != 200 || len(list.Items) != 1 || list.Items[0].MemberID != member || strings.Contains(string(b), idNo) {
		t.Fatalf("doubts: %d %s", st, b)
	}
	doubt := list.Items[0].ID
	cadre := h.login("village_cadre_320921")
	st, b = cadre.do("POST", fmt.Sprintf("/api/v1/doubts/%d/dispatch", doubt), map[string]any{"deadline_days": 10, "note": "请核实", "version": 1})
	if st != 200 || decode[crosscheck.DoubtDetail](t, b).Status != "dispatched" {
		t.Fatalf("dispatch: %d %s", st, b)
	}
	st, b = cadre.do("POST", fmt.Sprintf("/api/v1/doubts/%d/dispatch", doubt), map[string]any{"version": 1})
	if st != http.StatusConflict {
		t.Fatalf("stale dispatch: %d %s", st, b)
	}
	att := uploadAttachment(t, cadre, "转让合同.jpg")
	st, b = cadre.do("POST", fmt.Sprintf("/api/v1/doubts/%d/outcome", doubt), map[string]any{"outcome": "explained", "reason": "车辆已转让", "attachment_id": att})
	if st != 200 || decode[crosscheck.DoubtDetail](t, b).Status != "explained" {
		t.Fatalf("explain: %d %s", st, b)
	}
	st, b = office.do("GET", "/api/v1/doubts/export?format=csv&run="+fmt.Sprint(run), nil)
	if st != 200 || !strings.Contains(string(b), idNo) || !strings.Contains(string(b), "车辆已转让") {
		t.Fatalf("export: %d %s", st, b)
	}
	if st, b := office.do("GET", "/api/v1/doubts/export?format=pdf", nil); st != 400 {
		t.Fatalf("export pdf: %d %s", st, b)
	}
	auditor := h.login("auditor_320921")
	for _, path := range []string{"/api/v1/crosscheck/kinds", "/api/v1/datasets", fmt.Sprintf("/api/v1/datasets/%d", ds),
		"/api/v1/crosscheck/rules", "/api/v1/crosscheck/rules/versions", "/api/v1/crosscheck/runs", fmt.Sprintf("/api/v1/crosscheck/runs/%d", run),
		fmt.Sprintf("/api/v1/households/%d/authorisations", hh), "/api/v1/authorisations/missing?limit=3", "/api/v1/doubts?status=explained",
		"/api/v1/doubts/stats", fmt.Sprintf("/api/v1/doubts/%d", doubt)} {
		st, b := auditor.do("GET", path, nil)
		if st != 200 {
			t.Errorf("%s: %d %s", path, st, b)
		}
		h.conforms("GET", path, st, b)
	}
	// The poverty office's job is invisible to civil affairs, and the reverse.
	if st, _ := office.do("GET", "/api/v1/crosscheck/jobs/"+j.ID, nil); st != 404 {
		t.Errorf("another user's job: %d", st)
	}
	// Rules: a county civil-affairs user stores a version; the answer conforms.
	st, b = civil.do("GET", "/api/v1/crosscheck/rules", nil)
	rules := decode[crosscheck.RuleSetInfo](t, b)
	st, b = civil.do("PUT", "/api/v1/crosscheck/rules", map[string]any{"rules": rules.Rules, "note": "测试"})
	if st != 200 || decode[crosscheck.RuleSetInfo](t, b).Version != 1 {
		t.Fatalf("put rules: %d %s", st, b)
	}
	h.conforms("PUT", "/api/v1/crosscheck/rules", st, b)
	if st, b := h.login("civil_affairs_320921100").do("PUT", "/api/v1/crosscheck/rules", map[string]any{"rules": rules.Rules}); st != 403 || !strings.Contains(string(b), "市级") {
		t.Fatalf("town puts rules: %d %s", st, b)
	}
}

func uploadAttachment(t *testing.T, c *client, name string) int64 {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte{0xff, 0xd8, 0xff, 0xe0, 0, 1, 2})
	_ = mw.Close()
	st, b := c.send("POST", "/api/v1/attachments", &buf, mw.FormDataContentType())
	if st != 201 {
		t.Fatalf("attachment: %d %s", st, b)
	}
	return int64(decode[map[string]any](t, b)["id"].(float64))
}

// The command line: dataset add (and again: the same dataset), crosscheck run, export doubts.
func TestCrosscheckCommandLine(t *testing.T) {
	url := dbtest.URL(t)
	ctx := context.Background()
	d, err := db.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, d, testScale); err != nil {
		t.Fatal(err)
	}
	var idNo, name string
	if err := d.Reader().QueryRowContext(ctx, `SELECT m.id_number, m.name FROM members m JOIN households h ON h.id = m.household_id
		WHERE h.status = 'registered' AND m.active = 1 ORDER BY m.id LIMIT 1`).Scan(&idNo, &name); err != nil {
		t.Fatal(err)
	}
	d.Close()
	dir := t.TempDir()
	flags := []string{"--db=" + url, "--data", dir}
	file := filepath.Join(dir, "车辆.csv")
	if err := os.WriteFile(file, []byte("身份证号,姓名,号牌号码,车辆类型\n"+idNo+","+name+",苏J1,car\nbad,x,y,car\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	add := append([]string{"dataset", "add", "--kind", "vehicle", "--source", "市公安局", "--as-of", "2026-01-31"}, flags...)
	if code, out := runCLI(t, "", append(add, file)...); code != 0 || !strings.Contains(out, "dataset 1 registered: vehicle, 2 rows, 1 matching") || !strings.Contains(out, "第3行") {
		t.Fatalf("dataset add: %d %s", code, out)
	}
	if code, out := runCLI(t, "", append(add, file)...); code != 0 || !strings.Contains(out, "already registered") {
		t.Fatalf("dataset add again: %d %s", code, out)
	}
	// SQLite keeps the files next to the database file, PostgreSQL under --data.
	keep := dir
	if strings.HasPrefix(url, "sqlite:") {
		keep = filepath.Dir(strings.TrimPrefix(url, "sqlite:"))
	}
	if kept, _ := filepath.Glob(filepath.Join(keep, "datasets", "*.csv")); len(kept) != 1 {
		t.Fatalf("dataset files under %s: %v", keep, kept)
	}
	bad := append([]string{"dataset", "add", "--kind", "cars", "--source", "x", "--as-of", "2026-01-31"}, flags...)
	if code, out := runCLI(t, "", append(bad, file)...); code != 1 || !strings.Contains(out, "未知的数据类型") {
		t.Fatalf("unknown kind: %d %s", code, out)
	}
	run := append([]string{"crosscheck", "run", "--datasets", "1", "--include-unauthorised"}, flags...)
	if code, out := runCLI(t, "", run...); code != 0 || !strings.Contains(out, "run 1 done") || !strings.Contains(out, "1 new") {
		t.Fatalf("crosscheck run: %d %s", code, out)
	}
	if code, out := runCLI(t, "", append([]string{"crosscheck", "run", "--datasets", "9"}, flags...)...); code != 1 || !strings.Contains(out, "数据集 9 不存在") {
		t.Fatalf("run of a missing dataset: %d %s", code, out)
	}
	csv := filepath.Join(dir, "doubts.csv")
	if code, out := runCLI(t, "", append([]string{"export", "doubts", "--run", "1", "--out", csv}, flags...)...); code != 0 {
		t.Fatalf("export doubts: %d %s", code, out)
	}
	b, err := os.ReadFile(csv)
	if err != nil || strings.Count(string(b), "\n") != 2 || !strings.Contains(string(b), idNo) {
		t.Fatalf("exported doubts: %s %v", b, err)
	}
}
