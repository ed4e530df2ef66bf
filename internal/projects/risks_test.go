package projects

import (
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

func TestRisks(t *testing.T) {
	f := newFixture(t)
	pid := insertProject(f, villageA, "carrier", 5)
	office := f.Town(auth.PovertyOffice)
	_, err := f.S.AddRisk(f.Ctx, office, pid, RiskInput{Title: "", Likelihood: "huge", Impact: "high", Owner: "王五"})
	if e, ok := errs.As(err); !ok || e.Fields["title"] == "" || e.Fields["likelihood"] == "" || e.Fields["impact"] != "" {
		t.Fatalf("invalid risk: %v", err)
	}
	r, err := f.S.AddRisk(f.Ctx, office, pid, RiskInput{Title: " 市场价格下跌 ", Likelihood: "medium", Impact: "high", Mitigation: "签订保底收购协议", Owner: "王五"})
	if err != nil || r.Status != "open" || r.Title != "市场价格下跌" || r.Version != 1 || r.ClosedAt != nil {
		t.Fatalf("%+v %v", r, err)
	}
	second, err := f.S.AddRisk(f.Ctx, f.Village(villageA), pid, RiskInput{Title: "雨季工期延误", Likelihood: "low", Impact: "low", Owner: "李四"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.S.AddRisk(f.Ctx, f.Town(auth.Finance), pid, RiskInput{Title: "x", Likelihood: "low", Impact: "low", Owner: "李四"})
	supWant(t, err, errs.Forbidden, "")
	_, err = f.S.AddRisk(f.Ctx, f.Other(auth.PovertyOffice), pid, RiskInput{Title: "x", Likelihood: "low", Impact: "low", Owner: "李四"})
	supWant(t, err, errs.NotFound, "")

	_, err = f.S.CloseRisk(f.Ctx, office, r.ID, RiskClose{Note: "已签协议", Version: 2})
	supWant(t, err, errs.Conflict, "")
	_, err = f.S.CloseRisk(f.Ctx, office, r.ID, RiskClose{Version: 1})
	supWant(t, err, errs.Invalid, "note")
	_, err = f.S.CloseRisk(f.Ctx, f.Other(auth.PovertyOffice), r.ID, RiskClose{Note: "越权", Version: 1})
	supWant(t, err, errs.NotFound, "风险")
	c, err := f.S.CloseRisk(f.Ctx, office, r.ID, RiskClose{Note: "已签协议", Version: 1})
	if err != nil || c.Status != "closed" || c.Version != 2 || c.ClosedNote != "已签协议" || c.ClosedAt == nil {
		t.Fatalf("%+v %v", c, err)
	}
	_, err = f.S.CloseRisk(f.Ctx, office, r.ID, RiskClose{Note: "再关", Version: 2})
	supWant(t, err, errs.Conflict, "已关闭")

	rs, err := f.S.Risks(f.Ctx, f.County(auth.Auditor), pid)
	if err != nil || len(rs) != 2 || rs[0].ID != second.ID || rs[1].Status != "closed" {
		t.Fatalf("list %+v %v", rs, err)
	}
	_, err = f.S.Risks(f.Ctx, f.Other(auth.Auditor), pid)
	supWant(t, err, errs.NotFound, "")
	if a, c := f.supAudits("project.risk.add"), f.supAudits("project.risk.close"); a != 2 || c != 1 {
		t.Fatalf("audit: %d adds, %d closes", a, c)
	}
}
