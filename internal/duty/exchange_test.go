package duty_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/duty"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
	"sunshine/internal/region"
	"sunshine/internal/registry"
)

type env struct {
	t             *testing.T
	ctx           context.Context
	d             *db.DB
	ex            *exchange.Service
	office, other *auth.Principal
}

func id(region6 string, n int) string {
	return idcard.Make(region6, time.Date(1960+n%40, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), n%500, idcard.Sex(n%2))
}

func badChecksum(s string) string {
	if s[17] == '0' {
		return s[:17] + "1"
	}
	return s[:17] + "0"
}

func newEnv(t *testing.T) *env {
	d := dbtest.Open(t)
	d.Clock = func() time.Time { return time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) }
	e := &env{t: t, ctx: context.Background(), d: d, ex: &exchange.Service{DB: d},
		office: &auth.Principal{UserID: 1, Username: "po_320921", Name: "响水农办", Role: auth.PovertyOffice, Scope: "320921000000"},
		other:  &auth.Principal{UserID: 2, Username: "po_320922", Name: "滨海农办", Role: auth.PovertyOffice, Scope: "320922000000"},
	}
	for _, k := range []exchange.Kind{region.NewService(d).Exchange(), registry.HouseholdsKind(), duty.HelpersKind(), duty.AssignmentsKind()} {
		e.ex.Register(k)
	}
	root := &auth.Principal{Username: "cli", Name: "命令行", Role: auth.Admin, Root: true}
	e.mustImport(root, "regions", "code,name\n320900000000,盐城市\n320921000000,响水县\n320921100000,陈家港镇\n"+
		"320921100201,小圩村\n320922000000,滨海县\n320922100000,东坎镇\n320922100201,新滩村\n")
	e.mustImport(e.office, "households", "户编号,村代码,户主身份证号,户类型\nH1,320921100201,"+id("320921", 1)+",低保户\n"+
		"H2,320921100201,"+id("320921", 2)+",一般户\n")
	e.mustImport(e.other, "households", "户编号,村代码,户主身份证号,户类型\nB1,320922100201,"+id("320922", 3)+",特困\n")
	return e
}

func (e *env) imp(p *auth.Principal, kind, data string) (exchange.Report, error) {
	return e.ex.Import(e.ctx, p, kind, strings.NewReader(data), kind+".csv", exchange.Options{})
}

func (e *env) mustImport(p *auth.Principal, kind, data string) exchange.Report {
	e.t.Helper()
	rep, err := e.imp(p, kind, data)
	if err != nil {
		e.t.Fatalf("import %s: %v %+v", kind, err, rep.Rejected)
	}
	return rep
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.d.Reader().QueryRowContext(e.ctx, q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) roundTrip(p *auth.Principal, kind string) {
	e.t.Helper()
	var out bytes.Buffer
	if err := e.ex.Export(e.ctx, p, kind, "csv", &out); err != nil {
		e.t.Fatal(err)
	}
	rep, err := e.ex.Import(e.ctx, p, kind, &out, "export.csv", exchange.Options{})
	if err != nil || rep.Rows == 0 || rep.Unchanged != rep.Rows {
		e.t.Errorf("%s export → import: %+v %v", kind, rep, err)
	}
}

const helperHeader = "帮扶人身份证号,帮扶人姓名,联系电话,单位,职务,党员\n"

func TestImportHelpers(t *testing.T) {
	e := newEnv(t)
	helpers := helperHeader + id("320921", 10) + ",陈干部,13900000010,响水县农业农村局,科员,是\n" +
		id("320921", 11) + ",周干部,,陈家港镇政府,副镇长,0\n"
	if rep := e.mustImport(e.office, "helpers", helpers); rep.Inserted != 2 {
		t.Fatalf("helpers: %+v", rep)
	}
	if rep := e.mustImport(e.office, "helpers", helpers); rep.Unchanged != 2 {
		t.Errorf("re-import: %+v", rep)
	}
	e.roundTrip(e.office, "helpers")
	events := e.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'helper.import_update'`)
	if rep := e.mustImport(e.office, "helpers", strings.Replace(helpers, "科员", "副局长", 1)); rep.Updated != 1 || rep.Unchanged != 1 {
		t.Errorf("update: %+v", rep)
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'helper.import_update' AND entity_type = 'helper'`); n != events+1 {
		t.Errorf("helper updates audited: %d", n-events)
	}
	// Another county may list the helper unchanged but not change them.
	if rep := e.mustImport(e.other, "helpers", helperHeader+id("320921", 11)+",周干部,,陈家港镇政府,副镇长,0\n"); rep.Unchanged != 1 {
		t.Errorf("unchanged from the other county: %+v", rep)
	}
	bad := helperHeader + id("320921", 11) + ",周某,,陈家港镇政府,副镇长,0\n" + // 2: changed from outside
		badChecksum(id("320922", 12)) + ",错号,,,,\n" + // 3: checksum
		id("320922", 13) + ",李四,,,,也许\n" + // 4: bad flag
		id("320922", 13) + ",李四,,,,\n" + // 5: fine
		id("320922", 13) + ",李四,,,,\n" // 6: duplicate of 5
	rep, err := e.imp(e.other, "helpers", bad)
	if errs.CodeOf(err) != errs.Invalid || rep.Committed {
		t.Fatalf("bad helpers: %+v %v", rep, err)
	}
	got := map[int]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = r.Column
	}
	if got[2] != "id_number" || got[3] != "id_number" || got[4] != "party_member" || got[6] != "id_number" || got[5] != "" {
		t.Errorf("rejected: %+v", rep.Rejected)
	}
}

func TestImportAssignments(t *testing.T) {
	e := newEnv(t)
	e.mustImport(e.office, "helpers", helperHeader+id("320921", 10)+",陈干部,,,,1\n"+id("320921", 11)+",周干部,,,,0\n")
	assign := "户编号,帮扶人身份证号,起始日期\nH1," + id("320921", 10) + ",2024-01-01\nH2," + id("320921", 10) + ",2024/02/01\n"
	if rep := e.mustImport(e.office, "assignments", assign); rep.Inserted != 2 {
		t.Fatalf("assignments: %+v", rep)
	}
	if rep := e.mustImport(e.office, "assignments", assign); rep.Unchanged != 2 {
		t.Errorf("re-import: %+v", rep)
	}
	e.roundTrip(e.office, "assignments")
	// A new helper for H1 closes the current assignment on the new start date.
	rep := e.mustImport(e.office, "assignments", "户编号,帮扶人身份证号,起始日期\nH1,"+id("320921", 11)+",2025-06-01\n")
	if rep.Updated != 1 {
		t.Fatalf("reassignment: %+v", rep)
	}
	if n := e.count(`SELECT COUNT(*) FROM assignments WHERE to_date = '2025-06-01'`); n != 1 {
		t.Errorf("closed assignments: %d", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'assignment.import_update' AND entity_type = 'household'`); n != 1 {
		t.Errorf("reassignment events: %d", n)
	}
	bad := "户编号,帮扶人身份证号,起始日期\n" +
		"H1," + id("320921", 10) + ",2025-01-01\n" + // 2: before the current helper's start
		"H9," + id("320921", 10) + ",2025-01-01\n" + // 3: no such household
		"B1," + id("320921", 10) + ",2025-01-01\n" + // 4: other county
		"H2," + id("320921", 99) + ",2025-01-01\n" + // 5: helper not registered
		"H2," + id("320921", 11) + ",2099-01-01\n" + // 6: in the future
		"H2," + id("320921", 11) + ",2025-07-01\n" + // 7: fine
		"H2," + id("320921", 10) + ",2025-08-01\n" // 8: H2 twice
	rep, err := e.imp(e.office, "assignments", bad)
	if errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("bad assignments: %+v %v", rep, err)
	}
	want := map[int]string{2: "from_date", 3: "household_no", 4: "household_no", 5: "helper_id_number", 6: "from_date", 8: "household_no"}
	got := map[int]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = r.Column
	}
	for l, c := range want {
		if got[l] != c {
			t.Errorf("line %d: %q, want %q (%+v)", l, got[l], c, rep.Rejected)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rejected %v", got)
	}
}
