package region_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/db/dbtest"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/region"
)

func setup(t *testing.T) (*db.DB, *exchange.Service, *region.Service) {
	d := dbtest.Open(t)
	rs := region.NewService(d)
	ex := &exchange.Service{DB: d}
	ex.Register(rs.Exchange())
	return d, ex, rs
}

var root = &auth.Principal{Username: "cli", Name: "命令行", Role: auth.Admin, Root: true}

const tree = "区划代码,名称,经济薄弱村,软弱涣散村,片区\n" +
	"320900000000,盐城市,,,\n" +
	"320921000000,响水县,,,渠北片区\n" +
	"320921100000,陈家港镇,,,渠北片区\n" +
	"320921100201,小圩村,city,1,渠北片区\n"

func TestImportRegionsIdempotent(t *testing.T) {
	d, ex, rs := setup(t)
	ctx := context.Background()
	rep, err := ex.Import(ctx, root, "regions", strings.NewReader(tree), "tree.csv", exchange.Options{})
	if err != nil || rep.Inserted != 4 {
		t.Fatalf("first import: %+v %v", rep, err)
	}
	rep, err = ex.Import(ctx, root, "regions", strings.NewReader(tree), "tree.csv", exchange.Options{})
	if err != nil || rep.Inserted+rep.Updated != 0 || rep.Unchanged != 4 {
		t.Fatalf("second import changed something: %+v %v", rep, err)
	}
	r, err := rs.Get(ctx, root, "320921100201")
	if err != nil || r.WeakLevel != region.CityWeak || !r.WeakLax || r.Name != "小圩村" {
		t.Fatalf("village: %+v %v", r, err)
	}
	var events int
	_ = d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events`).Scan(&events)
	if events != 5 { // four region.create and one import summary
		t.Errorf("audit events = %d, want 5", events)
	}
	// Export reads back the same rows.
	var out bytes.Buffer
	if err := ex.Export(ctx, root, "regions", "csv", &out); err != nil {
		t.Fatal(err)
	}
	rep, err = ex.Import(ctx, root, "regions", &out, "export.csv", exchange.Options{})
	if err != nil || rep.Unchanged != 4 {
		t.Fatalf("re-import of the export: %+v %v", rep, err)
	}
}

// A GBK file with bad rows is rejected whole, each bad row named with line, column and reason.
func TestImportRejectsBadRowsAllOrNothing(t *testing.T) {
	d, ex, _ := setup(t)
	ctx := context.Background()
	bad := tree +
		"320921100202,,,,\n" + // line 6: no name
		"3209211002,短码,,,\n" + // line 7: short code
		"320922100201,无上级村,,,\n" + // line 8: parent missing
		"320921100000,陈家港镇,city,,\n" // line 9: a town cannot be weak
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(bad)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ex.Import(ctx, root, "regions", strings.NewReader(gbk), "bad.csv", exchange.Options{})
	if errs.CodeOf(err) != errs.Invalid || rep.Committed {
		t.Fatalf("import with bad rows: %v %+v", err, rep)
	}
	want := map[int]string{6: "name", 7: "code", 8: "code", 9: "weak_level"}
	if len(rep.Rejected) != len(want) {
		t.Fatalf("rejected %+v", rep.Rejected)
	}
	for _, r := range rep.Rejected {
		if want[r.Line] != r.Column || r.Reason == "" {
			t.Errorf("rejected line %d column %q (%s), want column %q", r.Line, r.Column, r.Reason, want[r.Line])
		}
	}
	var n int
	_ = d.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d regions written by a rejected file", n)
	}
	// With valid-only the good rows go in.
	rep, err = ex.Import(ctx, root, "regions", strings.NewReader(gbk), "bad.csv", exchange.Options{ValidOnly: true})
	if err != nil || rep.Inserted != 4 || len(rep.Rejected) != 4 {
		t.Fatalf("valid-only: %+v %v", rep, err)
	}
}

func TestImportOutsideScopeIsRejected(t *testing.T) {
	_, ex, _ := setup(t)
	ctx := context.Background()
	if _, err := ex.Import(ctx, root, "regions", strings.NewReader(tree), "tree.csv", exchange.Options{}); err != nil {
		t.Fatal(err)
	}
	county := &auth.Principal{UserID: 9, Username: "admin_320922", Name: "滨海", Role: auth.Admin, Scope: "320922000000"}
	rep, err := ex.Import(ctx, county, "regions", strings.NewReader("code,name\n320921100201,改名村\n"), "x.csv", exchange.Options{})
	if err == nil || len(rep.Rejected) != 1 || rep.Rejected[0].Column != "code" {
		t.Fatalf("cross-county import: %+v %v", rep, err)
	}
}
