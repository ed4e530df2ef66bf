package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
)

// upload posts a multipart import the way the console does.
func (c *client) upload(kind, name, data string) (int, []byte) {
	c.h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("kind", kind)
	_ = mw.WriteField("valid_only", "0")
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, data)
	_ = mw.Close()
	req, err := http.NewRequest("POST", c.h.srv.URL+"/api/v1/imports", &buf)
	if err != nil {
		c.h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// wait polls a job until it has finished.
func (c *client) wait(id string) exchange.Job {
	c.h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, b := c.do("GET", "/api/v1/imports/"+id, nil)
		if st != 200 {
			c.h.t.Fatalf("job %s: %d %s", id, st, b)
		}
		j := decode[exchange.Job](c.h.t, b)
		if j.State != exchange.JobRunning || time.Now().After(deadline) {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func householdsFile(village, no string) string {
	id := idcard.Make(village[:6], time.Date(1970, 5, 6, 0, 0, 0, 0, time.UTC), 321, idcard.Male)
	return "户编号,村代码,户主身份证号,户主姓名,户类型,致贫原因\n" + no + "," + village + "," + id + ",导入户,低保户,因病\n"
}

// importJob imports one household into county as its poverty office and returns the job,
// for the routes that read a job.
func (h *harness) importJob(county string) string {
	c := h.login("poverty_office_" + county)
	st, b := c.upload("households", "h.csv", householdsFile(county+"100201", "IMP"+county))
	if st != http.StatusAccepted {
		h.t.Fatalf("import: %d %s", st, b)
	}
	j := decode[exchange.Job](h.t, b)
	if j = c.wait(j.ID); j.State != exchange.JobDone {
		h.t.Fatalf("import job: %+v", j)
	}
	return j.ID
}

// An import aimed at another county is refused by role, or its job rejects every row and
// writes nothing there.
func TestImportJobsStayInScope(t *testing.T) {
	h := newHarness(t)
	for _, role := range auth.Roles {
		c := h.login(string(role) + "_320922")
		st, b := c.upload("households", "across.csv", householdsFile("320921100201", "ACROSS-"+string(role)))
		if !(&auth.Principal{Role: role}).Can(auth.RegistryImport) {
			if st != 403 {
				t.Errorf("%s: %d %s, want 403", role, st, b)
			}
			continue
		}
		if st != 202 {
			t.Fatalf("%s: %d %s", role, st, b)
		}
		j := c.wait(decode[exchange.Job](t, b).ID)
		if j.State != exchange.JobFailed || j.Report == nil || j.Report.Committed || len(j.Report.Rejected) != 1 ||
			j.Report.Rejected[0].Column != "village_code" {
			t.Errorf("%s: cross-county import job %+v", role, j)
		}
	}
	var n int
	_ = h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM households WHERE household_no LIKE 'ACROSS-%'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d households imported across the county line", n)
	}
}

// Each kind's own import and export actions decide, role by role, what the list of kinds
// offers and what the routes allow.
func TestExchangeKindPermissions(t *testing.T) {
	h := newHarness(t)
	kinds := map[string]exchange.Kind{}
	for _, name := range h.app.Exchange.Kinds() {
		kinds[name] = exchange.Kind{}
	}
	for _, role := range auth.Roles {
		c := h.login(string(role) + "_320921")
		p := &auth.Principal{Role: role}
		st, b := c.do("GET", "/api/v1/exchange/kinds", nil)
		if st != 200 {
			t.Fatalf("kinds as %s: %d %s", role, st, b)
		}
		for _, k := range decode[[]exchange.KindInfo](t, b) {
			want := wantActions[k.Name]
			if k.CanImport != (want[0] != "" && p.Can(want[0])) || k.CanExport != (want[1] != "" && p.Can(want[1])) {
				t.Errorf("%s, %s: can_import %v can_export %v", role, k.Name, k.CanImport, k.CanExport)
			}
			if st, body := c.do("GET", "/api/v1/exports/"+k.Name, nil); (st == 403) == k.CanExport || (st != 200 && st != 403) {
				t.Errorf("export %s as %s: %d %.200s", k.Name, role, st, body)
			}
			if st, body := c.do("GET", "/api/v1/templates/"+k.Name+"?format=xlsx", nil); (st == 403) == k.CanImport || (st != 200 && st != 403) {
				t.Errorf("template %s as %s: %d %.200s", k.Name, role, st, body)
			}
			delete(kinds, k.Name)
		}
	}
	if len(kinds) > 0 {
		t.Errorf("kinds not listed: %v", kinds)
	}
}

// The import and export permission of every kind: regions and audit keep their own, the
// registry kinds need registry.import and household.export (full ID numbers).
var wantActions = map[string][2]auth.Action{
	"regions": {auth.RegionWrite, auth.RegionRead}, "audit": {"", auth.AuditRead},
	"households": {auth.RegistryImport, auth.HouseholdExport}, "members": {auth.RegistryImport, auth.HouseholdExport},
	"helpers": {auth.RegistryImport, auth.HouseholdExport}, "assignments": {auth.RegistryImport, auth.HouseholdExport},
}

// The exchange answers conform to openapi.json, and a whole registry goes out and comes
// back in unchanged over HTTP.
func TestExchangeOverHTTP(t *testing.T) {
	h := newHarness(t)
	c := h.login("poverty_office_320921")
	st, b := c.do("GET", "/api/v1/exchange/kinds", nil)
	h.conforms("GET", "/api/v1/exchange/kinds", st, b)
	for _, kind := range []string{"households", "members", "helpers", "assignments"} {
		st, file := c.do("GET", "/api/v1/exports/"+kind+"?format=xlsx", nil)
		if st != 200 || len(file) < 100 {
			t.Fatalf("export %s: %d %.200s", kind, st, file)
		}
		st, b := c.upload(kind, kind+".xlsx", string(file))
		h.conforms("POST", "/api/v1/imports", st, b)
		j := decode[exchange.Job](t, b)
		j = c.wait(j.ID)
		b, _ = json.Marshal(j)
		h.conforms("GET", "/api/v1/imports/"+j.ID, 200, b)
		if j.State != exchange.JobDone || j.Report.Rows == 0 || j.Report.Unchanged != j.Report.Rows {
			t.Errorf("%s export → import: %+v %+v", kind, j, j.Report)
		}
		if strings.Contains(string(file), "320922") && kind != "helpers" {
			t.Errorf("%s export of county 320921 holds county 320922", kind)
		}
	}
	st, b = c.do("GET", "/api/v1/imports/nonexistent", nil)
	h.conforms("GET", "/api/v1/imports/nonexistent", st, b)
	if st != 404 {
		t.Errorf("unknown job: %d", st)
	}
}
