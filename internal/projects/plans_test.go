package projects

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/registry"
)

func planFile(t *testing.T, name, text string) (registry.Attachment, []byte) {
	t.Helper()
	a, data, err := registry.ReadFile(name, strings.NewReader(text), registry.MaxAttachment)
	if err != nil {
		t.Fatal(err)
	}
	return a, data
}

func TestVillagePlanFiling(t *testing.T) {
	f := newFixture(t)
	cadre, townOffice := f.Village(villageA), f.Town(auth.PovertyOffice)
	_, err := f.S.CreatePlan(f.Ctx, cadre, PlanInput{RegionCode: "320921100000", Year: 1999, Title: ""})
	if e, ok := errs.As(err); !ok || e.Fields["region_code"] == "" || e.Fields["year"] == "" || e.Fields["title"] == "" {
		t.Fatalf("invalid plan: %v", err)
	}
	_, err = f.S.CreatePlan(f.Ctx, cadre, PlanInput{RegionCode: villageB, Year: 2026, Title: "别村规划"})
	supWant(t, err, errs.Forbidden, "")
	_, err = f.S.CreatePlan(f.Ctx, f.Town(auth.Finance), PlanInput{RegionCode: villageA, Year: 2026, Title: "x"})
	supWant(t, err, errs.Forbidden, "")
	pl, err := f.S.CreatePlan(f.Ctx, cadre, PlanInput{RegionCode: villageA, Year: 2026, Title: " 2026 年村级项目规划 ", Content: "发展大棚蔬菜"})
	if err != nil || pl.Status != "draft" || pl.Title != "2026 年村级项目规划" || pl.RegionName == "" || pl.Version != 1 || pl.FiledTo != nil {
		t.Fatalf("%+v %v", pl, err)
	}
	// filing needs the plan's text
	_, err = f.S.FilePlan(f.Ctx, cadre, pl.ID, 1)
	supWant(t, err, errs.Invalid, "请先上传规划文本")
	a, data := planFile(t, "规划.txt", "村级项目规划正文")
	if pl, err = f.S.AttachPlan(f.Ctx, cadre, pl.ID, a, data); err != nil || pl.AttachmentID == nil || pl.Version != 2 {
		t.Fatalf("attach %+v %v", pl, err)
	}
	if got, body, err := f.S.PlanFile(f.Ctx, townOffice, pl.ID); err != nil || string(body) != "村级项目规划正文" || got.Name != "规划.txt" {
		t.Fatalf("file %+v %q %v", got, body, err)
	}
	_, err = f.S.FilePlan(f.Ctx, cadre, pl.ID, 1)
	supWant(t, err, errs.Conflict, "")
	if pl, err = f.S.FilePlan(f.Ctx, cadre, pl.ID, 2); err != nil || pl.Status != "filed" || pl.FiledTo == nil || *pl.FiledTo != "320921100000" ||
		pl.FiledToName != "响水县陈家港镇" || pl.FiledAt == nil {
		t.Fatalf("file %+v %v", pl, err)
	}
	_, err = f.S.FilePlan(f.Ctx, cadre, pl.ID, pl.Version)
	supWant(t, err, errs.Conflict, "")
	a2, data2 := planFile(t, "改.txt", "改")
	_, err = f.S.AttachPlan(f.Ctx, cadre, pl.ID, a2, data2)
	supWant(t, err, errs.Conflict, "")

	// decided by the town it was filed to, by its office only
	f.exec(`INSERT INTO regions (code, name, level, parent_code, created_at, updated_at) VALUES ('320921101000', '响水县另一镇', 'town', ?, '2026-01-01', '2026-01-01')`, countyCode)
	f.exec(`INSERT INTO users (username, display_name, role, scope_code, password_hash, created_at, updated_at)
		VALUES ('poverty_office_320921101', '另一镇农办', 'poverty_office', '320921101000', 'x', '2026-01-01', '2026-01-01')`)
	_, err = f.S.DecidePlan(f.Ctx, f.user("poverty_office_320921101"), pl.ID, PlanDecision{Decision: "receive", Version: pl.Version})
	supWant(t, err, errs.NotFound, "")
	for _, p := range []*auth.Principal{f.County(auth.PovertyOffice), f.Town(auth.Finance), f.Town(auth.Discipline), cadre} {
		_, err = f.S.DecidePlan(f.Ctx, p, pl.ID, PlanDecision{Decision: "receive", Version: pl.Version})
		supWant(t, err, errs.Forbidden, "")
	}
	_, err = f.S.DecidePlan(f.Ctx, f.County(auth.PovertyOffice), pl.ID, PlanDecision{Decision: "receive", Version: pl.Version})
	supWant(t, err, errs.Forbidden, "应由响水县陈家港镇农办")
	_, err = f.S.DecidePlan(f.Ctx, townOffice, pl.ID, PlanDecision{Decision: "return", Version: pl.Version})
	supWant(t, err, errs.Invalid, "opinion")
	if pl, err = f.S.DecidePlan(f.Ctx, townOffice, pl.ID, PlanDecision{Decision: "return", Opinion: "补充资金测算", Version: pl.Version}); err != nil ||
		pl.Status != "returned" || pl.Opinion != "补充资金测算" || pl.DecidedBy == nil || pl.ReceiptNo != "" {
		t.Fatalf("return %+v %v", pl, err)
	}
	// returned → a new text, filed again
	if pl, err = f.S.AttachPlan(f.Ctx, cadre, pl.ID, a2, data2); err != nil {
		t.Fatal(err)
	}
	if pl, err = f.S.FilePlan(f.Ctx, cadre, pl.ID, pl.Version); err != nil || pl.Status != "filed" || pl.Opinion != "" || pl.DecidedBy != nil {
		t.Fatalf("refile %+v %v", pl, err)
	}
	if pl, err = f.S.DecidePlan(f.Ctx, townOffice, pl.ID, PlanDecision{Decision: "receive", Version: pl.Version}); err != nil ||
		pl.Status != "received" || pl.ReceiptNo != "BA2026-320921100-001" {
		t.Fatalf("receive %+v %v", pl, err)
	}
	_, err = f.S.DecidePlan(f.Ctx, townOffice, pl.ID, PlanDecision{Decision: "receive", Version: pl.Version})
	supWant(t, err, errs.Conflict, "")
	// a second plan received with a receipt number of the town's own
	p2, err := f.S.CreatePlan(f.Ctx, f.Village(villageB), PlanInput{RegionCode: villageB, Year: 2026, Title: "二村规划"})
	if err != nil {
		t.Fatal(err)
	}
	if p2, err = f.S.AttachPlan(f.Ctx, f.Village(villageB), p2.ID, a, data); err != nil {
		t.Fatal(err)
	}
	if p2, err = f.S.FilePlan(f.Ctx, f.Village(villageB), p2.ID, p2.Version); err != nil {
		t.Fatal(err)
	}
	if p2, err = f.S.DecidePlan(f.Ctx, townOffice, p2.ID, PlanDecision{Decision: "receive", ReceiptNo: "陈备〔2026〕7号", Version: p2.Version}); err != nil ||
		p2.ReceiptNo != "陈备〔2026〕7号" {
		t.Fatalf("receive 2 %+v %v", p2, err)
	}

	// a project of the plan counts on it
	pid := insertProject(f, villageA, "village", 0)
	f.exec(`UPDATE projects SET plan_id = ? WHERE id = ?`, pl.ID, pid)
	if got, err := f.S.Plan(f.Ctx, cadre, pl.ID); err != nil || got.Projects != 1 {
		t.Fatalf("plan %+v %v", got, err)
	}
	// lists: by scope and filters
	if ps, err := f.S.Plans(f.Ctx, townOffice, PlanFilter{Year: 2026}); err != nil || len(ps) != 2 || ps[0].ID != p2.ID {
		t.Fatalf("town list %+v %v", ps, err)
	}
	if ps, err := f.S.Plans(f.Ctx, cadre, PlanFilter{}); err != nil || len(ps) != 1 || ps[0].ID != pl.ID {
		t.Fatalf("village list %+v %v", ps, err)
	}
	if ps, err := f.S.Plans(f.Ctx, townOffice, PlanFilter{Region: villageB, Status: "received"}); err != nil || len(ps) != 1 || ps[0].ID != p2.ID {
		t.Fatalf("filtered list %+v %v", ps, err)
	}
	if ps, err := f.S.Plans(f.Ctx, townOffice, PlanFilter{Limit: 1}); err != nil || len(ps) != 2 {
		t.Fatalf("limit+1 rows %+v %v", ps, err)
	}
	if ps, err := f.S.Plans(f.Ctx, townOffice, PlanFilter{After: p2.ID}); err != nil || len(ps) != 1 || ps[0].ID != pl.ID {
		t.Fatalf("after %+v %v", ps, err)
	}
	if ps, err := f.S.Plans(f.Ctx, f.Other(auth.PovertyOffice), PlanFilter{}); err != nil || len(ps) != 0 {
		t.Fatalf("other county %+v %v", ps, err)
	}
	_, err = f.S.Plans(f.Ctx, f.Other(auth.PovertyOffice), PlanFilter{Region: villageA})
	supWant(t, err, errs.Forbidden, "")
	_, err = f.S.Plans(f.Ctx, townOffice, PlanFilter{Status: "lost"})
	supWant(t, err, errs.Invalid, "status")
	_, err = f.S.Plan(f.Ctx, f.Other(auth.PovertyOffice), pl.ID)
	supWant(t, err, errs.NotFound, "")

	for action, want := range map[string]int64{"village_plan.create": 2, "village_plan.attach": 3, "village_plan.file": 3, "village_plan.decide": 3} {
		if n := f.supAudits(action); n != want {
			t.Errorf("%d %s events, want %d", n, action, want)
		}
	}
}

// FuzzPlanInput feeds arbitrary bodies through httpx.Decode into CreatePlan: only client
// errors, never a panic, and a plan that is created is a village's in the caller's scope.
func FuzzPlanInput(f *testing.F) {
	f.Add(`{"region_code":"320921100201","year":2026,"title":"规划","content":"内容"}`)
	f.Add(`{"region_code":"320922100201","year":2026,"title":"别县"}`)
	f.Add(`{"region_code":"320921100000","year":2026,"title":"镇"}`)
	f.Add(`{"region_code":"320921100299","year":2026,"title":"不存在的村"}`)
	f.Add(`{"region_code":"320921100201","year":99999999999,"title":"\u0000"}`)
	f.Add(`{"title":"\ud800"}`)
	f.Add(`{"extra":1}`)
	f.Add(`[]`)
	d := newFixture(f).DB
	s := &Service{DB: d}
	p := fuzzPrincipal(f, d, "poverty_office_320921")
	f.Fuzz(func(t *testing.T, body string) {
		var in PlanInput
		if err := httpx.Decode(httptest.NewRequest("POST", "/api/v1/village-plans", bytes.NewBufferString(body)), &in); err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.TooLarge && c != errs.Unsupported {
				t.Fatalf("decode error %v (%s)", err, c)
			}
			return
		}
		pl, err := s.CreatePlan(context.Background(), p, in)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Forbidden && c != errs.NotFound {
				t.Fatalf("CreatePlan %v (%s)", err, c)
			}
			return
		}
		if !p.InScope(pl.RegionCode) || pl.Status != "draft" || pl.Title == "" {
			t.Fatalf("created %+v", pl)
		}
	})
}

func fuzzPrincipal(tb testing.TB, d *db.DB, username string) *auth.Principal {
	p := &auth.Principal{Username: username}
	var role string
	if err := d.Reader().QueryRowContext(context.Background(), `SELECT id, display_name, role, scope_code FROM users WHERE username = ?`, username).
		Scan(&p.UserID, &p.Name, &role, &p.Scope); err != nil {
		tb.Fatal(err)
	}
	p.Role = auth.Role(role)
	return p
}
