package projects

import (
	"fmt"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// insertProject writes an active project of the kind in region at stage straight into the
// database (with its ledger account), for tests that need a project but not its registration.
func insertProject(f *fixture, region, kind string, stage int) int64 {
	f.t.Helper()
	n := f.Seq.Add(1)
	subkind := map[string]string{"village": "mixed", "carrier": "enterprise"}[kind]
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		code := fmt.Sprintf("XMT-%s-%04d", region, n)
		acct, err := tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at)
			VALUES ('project', ?, ?, 1, ?) RETURNING id`, code+" 测试项目", region, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(f.Ctx, `INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer,
			stage, stage_since, status, account_id, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 2026, 100000000, '测试实施单位', ?, '2026-07-01', 'active', ?, 1, ?, ?) RETURNING id`,
			code, fmt.Sprintf("测试项目%d", n), kind, subkind, region, stage, acct, now, now)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// supWant fails unless err carries code and (when given) its message contains msg.
func supWant(t *testing.T, err error, code errs.Code, msg string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	if msg != "" {
		if e, _ := errs.As(err); !strings.Contains(e.Message, msg) {
			t.Fatalf("message %q does not contain %q", e.Message, msg)
		}
	}
}

func (f *fixture) supAudits(action string) int64 {
	return f.count(`SELECT COUNT(*) FROM audit_events WHERE action = ?`, action)
}

func TestBeneficiaryReviewChain(t *testing.T) {
	f := newFixture(t)
	town := "320921100000"
	pid := insertProject(f, town, "household", 2)
	hhA := f.Households(villageA)
	cadreA, cadreB := f.Village(villageA), f.Village(villageB)
	townOffice, countyOffice := f.Town(auth.PovertyOffice), f.County(auth.PovertyOffice)

	// the village cadre records the application of a household of their own village
	b, err := f.S.AddBeneficiary(f.Ctx, cadreA, pid, BeneficiaryInput{HouseholdID: hhA[0], Link: "subsidy", ExpectedIncomeYuan: "1200.50"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "applied" || b.ExpectedIncomeFen != 120050 || b.RegionCode != villageA || b.HouseholdHead == "" || b.Version != 1 {
		t.Fatalf("added %+v", b)
	}
	// once per project
	_, err = f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: hhA[0], Link: "subsidy"})
	supWant(t, err, errs.Conflict, "已是本项目")
	// a household of another village is not the cadre's to apply for
	_, err = f.S.AddBeneficiary(f.Ctx, cadreA, pid, BeneficiaryInput{HouseholdID: f.Households(villageB)[0], Link: "subsidy"})
	supWant(t, err, errs.NotFound, "")
	// a household of another county is not the town's
	_, err = f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: f.Households(villageOth)[0], Link: "subsidy"})
	supWant(t, err, errs.NotFound, "")
	// not registered: applying, or exited past its policy period; exited within it is fine
	_, err = f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: f.Household(villageA, "applying"), Link: "subsidy"})
	supWant(t, err, errs.Invalid, "在档")
	past, within := f.Household(villageA, "exited"), f.Household(villageA, "exited")
	f.exec(`UPDATE households SET policy_until = '2026-06-30' WHERE id = ?`, past)
	f.exec(`UPDATE households SET policy_until = '2027-12-31' WHERE id = ?`, within)
	_, err = f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: past, Link: "subsidy"})
	supWant(t, err, errs.Invalid, "在档")
	if _, err := f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: within, Link: "subsidy"}); err != nil {
		t.Fatal("exited within the policy period: ", err)
	}
	// bad input
	_, err = f.S.AddBeneficiary(f.Ctx, townOffice, pid, BeneficiaryInput{HouseholdID: hhA[1], Link: "gift", ExpectedIncomeYuan: "1.234"})
	if e, ok := errs.As(err); !ok || e.Fields["link"] == "" || e.Fields["expected_income_yuan"] == "" {
		t.Fatalf("bad input: %v", err)
	}
	// a role without project.write
	_, err = f.S.AddBeneficiary(f.Ctx, f.Town(auth.Finance), pid, BeneficiaryInput{HouseholdID: hhA[1], Link: "subsidy"})
	supWant(t, err, errs.Forbidden, "")
	// another county cannot see the project
	_, err = f.S.AddBeneficiary(f.Ctx, f.Other(auth.PovertyOffice), pid, BeneficiaryInput{HouseholdID: hhA[1], Link: "subsidy"})
	supWant(t, err, errs.NotFound, "项目")

	// applied → the village cadre of the household's village, and only them
	for _, p := range []*auth.Principal{townOffice, countyOffice, f.County(auth.Discipline)} {
		_, err = f.S.ReviewBeneficiary(f.Ctx, p, b.ID, ReviewInput{Decision: "pass", Version: 1})
		supWant(t, err, errs.Forbidden, "应由村级村干部审核")
	}
	_, err = f.S.ReviewBeneficiary(f.Ctx, cadreB, b.ID, ReviewInput{Decision: "pass", Version: 1})
	supWant(t, err, errs.NotFound, "")
	_, err = f.S.ReviewBeneficiary(f.Ctx, f.Other(auth.PovertyOffice), b.ID, ReviewInput{Decision: "pass", Version: 1})
	supWant(t, err, errs.NotFound, "")
	_, err = f.S.ReviewBeneficiary(f.Ctx, cadreA, b.ID, ReviewInput{Decision: "pass", Version: 2})
	supWant(t, err, errs.Conflict, "")
	if b, err = f.S.ReviewBeneficiary(f.Ctx, cadreA, b.ID, ReviewInput{Decision: "pass", Opinion: "情况属实", Version: 1}); err != nil || b.Status != "village" {
		t.Fatalf("village review: %+v %v", b, err)
	}
	// village → the town's office
	for _, p := range []*auth.Principal{cadreA, countyOffice, f.Town(auth.Finance), f.Town(auth.Discipline)} {
		_, err = f.S.ReviewBeneficiary(f.Ctx, p, b.ID, ReviewInput{Decision: "pass", Version: b.Version})
		supWant(t, err, errs.Forbidden, "应由镇级农办审核")
	}
	if b, err = f.S.ReviewBeneficiary(f.Ctx, townOffice, b.ID, ReviewInput{Decision: "pass", Version: b.Version}); err != nil || b.Status != "town" {
		t.Fatalf("town review: %+v %v", b, err)
	}
	// town → the county's office
	for _, p := range []*auth.Principal{townOffice, f.County(auth.Finance), f.CityRole(auth.PovertyOffice)} {
		_, err = f.S.ReviewBeneficiary(f.Ctx, p, b.ID, ReviewInput{Decision: "pass", Version: b.Version})
		supWant(t, err, errs.Forbidden, "应由县级农办审核")
	}
	if b, err = f.S.ReviewBeneficiary(f.Ctx, countyOffice, b.ID, ReviewInput{Decision: "pass", Version: b.Version}); err != nil || b.Status != "approved" {
		t.Fatalf("county review: %+v %v", b, err)
	}
	if len(b.Reviews) != 3 || b.Reviews[0].Level != "village" || b.Reviews[0].Opinion != "情况属实" || b.Reviews[2].Level != "county" ||
		b.Reviews[1].ReviewedByName != townOffice.Name {
		t.Fatalf("reviews %+v", b.Reviews)
	}
	_, err = f.S.ReviewBeneficiary(f.Ctx, countyOffice, b.ID, ReviewInput{Decision: "pass", Version: b.Version})
	supWant(t, err, errs.Conflict, "已审结")

	// rejected at the town
	r, err := f.S.AddBeneficiary(f.Ctx, cadreA, pid, BeneficiaryInput{HouseholdID: hhA[1], Link: "employment"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = f.S.ReviewBeneficiary(f.Ctx, cadreA, r.ID, ReviewInput{Decision: "pass", Version: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = f.S.ReviewBeneficiary(f.Ctx, townOffice, r.ID, ReviewInput{Decision: "reject", Version: r.Version})
	if e, ok := errs.As(err); !ok || e.Fields["opinion"] == "" {
		t.Fatalf("reject without opinion: %v", err)
	}
	if r, err = f.S.ReviewBeneficiary(f.Ctx, townOffice, r.ID, ReviewInput{Decision: "reject", Opinion: "家庭收入超标", Version: r.Version}); err != nil || r.Status != "rejected" {
		t.Fatalf("town reject: %+v %v", r, err)
	}
	_, err = f.S.ReviewBeneficiary(f.Ctx, countyOffice, r.ID, ReviewInput{Decision: "pass", Version: r.Version})
	supWant(t, err, errs.Conflict, "")

	// the list: the town sees all, the village cadre of B none of A's, another county nothing
	all, err := f.S.Beneficiaries(f.Ctx, townOffice, pid)
	if err != nil || len(all) != 3 || len(all[0].Reviews) != 3 || all[1].Status != "applied" || all[2].Status != "rejected" {
		t.Fatalf("town list %+v %v", all, err)
	}
	if bs, err := f.S.Beneficiaries(f.Ctx, cadreB, pid); err != nil || len(bs) != 0 {
		t.Fatalf("village B list %+v %v", bs, err)
	}
	if bs, err := f.S.Beneficiaries(f.Ctx, cadreA, pid); err != nil || len(bs) != 3 {
		t.Fatalf("village A list %+v %v", bs, err)
	}
	_, err = f.S.Beneficiaries(f.Ctx, f.Other(auth.Auditor), pid)
	supWant(t, err, errs.NotFound, "")

	if n := f.supAudits("project.beneficiary.add"); n != 3 {
		t.Fatalf("%d add events, want 3", n)
	}
	if n := f.supAudits("project.beneficiary.review"); n != 5 {
		t.Fatalf("%d review events, want 5", n)
	}
}

func TestBeneficiaryOtherKinds(t *testing.T) {
	f := newFixture(t)
	pid := insertProject(f, villageA, "village", 5)
	office := f.Town(auth.PovertyOffice)
	b, err := f.S.AddBeneficiary(f.Ctx, office, pid, BeneficiaryInput{HouseholdID: f.Households(villageA)[0], Link: "dividend", ExpectedIncomeYuan: "300"})
	if err != nil || b.Status != "approved" || len(b.Reviews) != 0 {
		t.Fatalf("%+v %v", b, err)
	}
	// only direct-to-household applications are reviewed
	_, err = f.S.ReviewBeneficiary(f.Ctx, f.Village(villageA), b.ID, ReviewInput{Decision: "pass", Version: 1})
	supWant(t, err, errs.Conflict, "直接到户")
	// a household outside the project's village
	_, err = f.S.AddBeneficiary(f.Ctx, office, pid, BeneficiaryInput{HouseholdID: f.Households(villageB)[0], Link: "dividend"})
	supWant(t, err, errs.Invalid, "项目所在区域")
	// not after the project is over
	f.exec(`UPDATE projects SET status = 'completed' WHERE id = ?`, pid)
	_, err = f.S.AddBeneficiary(f.Ctx, office, pid, BeneficiaryInput{HouseholdID: f.Households(villageA)[1], Link: "dividend"})
	supWant(t, err, errs.Conflict, "已完成")
	_, err = f.S.AddBeneficiary(f.Ctx, office, 99999, BeneficiaryInput{HouseholdID: f.Households(villageA)[1], Link: "dividend"})
	supWant(t, err, errs.NotFound, "项目")
	if n := f.supAudits("project.beneficiary.add"); n != 1 {
		t.Fatalf("%d add events, want 1", n)
	}
}
