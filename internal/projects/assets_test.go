package projects

import (
	"fmt"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// insertAcceptedProject writes a village project of region past acceptance (stage 7, active,
// acceptance signed 2026-06-30) with its ledger account and the households as approved
// beneficiaries, straight into the tables.
func insertAcceptedProject(f *fixture, region string, households []int64) int64 {
	f.t.Helper()
	n := f.Seq.Add(1)
	var id int64
	err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		code := fmt.Sprintf("XMT%s%04d", region[:6], n)
		acct, err := tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('project', ?, ?, 1, ?) RETURNING id`,
			code+" 测试项目", region, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(f.Ctx, `INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer, stage, stage_since,
			status, account_id, created_by, created_at, updated_at) VALUES (?, ?, 'village', 'property', ?, 2026, 50000000, '村集体', 7, '2026-06-30',
			'active', ?, 1, ?, ?) RETURNING id`, code, fmt.Sprintf("光伏电站%d", n), region, acct, now, now)
		if err != nil {
			return err
		}
		for st := 0; st <= 8; st++ {
			var end any
			if st <= Acceptance {
				end = "2026-06-30"
			}
			if _, err := tx.ExecContext(f.Ctx, `INSERT INTO project_stages (project_id, stage, actual_start, actual_end) VALUES (?, ?, '2026-01-01', ?)`,
				id, st, end); err != nil {
				return err
			}
		}
		for _, hh := range households {
			var hr string
			if err := tx.QueryRowContext(f.Ctx, `SELECT region_code FROM households WHERE id = ?`, hh).Scan(&hr); err != nil {
				return err
			}
			if _, err := tx.ExecContext(f.Ctx, `INSERT INTO project_beneficiaries (project_id, household_id, link, status, region_code, created_by,
				created_at, updated_at) VALUES (?, ?, '分红', 'approved', ?, 1, ?, ?)`, id, hh, hr, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func ptr[T any](v T) *T { return &v }

// assetInput is a valid asset of a project in a village.
func assetInput(project int64, village string) AssetInput {
	return AssetInput{Name: "村光伏电站", ProjectID: project, Kind: "operating", ValueYuan: "500000", Ownership: "村集体",
		RegionCode: village, PropertyRegNo: "苏(2026)响水县不动产权第0001号", Custodian: "村委会", Location: "村部屋顶",
		Lat: ptr(34.2), Lng: ptr(119.8)}
}

// newAsset registers an asset of a fresh accepted project whose approved beneficiaries are
// the first n households of the village.
func newAsset(f *fixture, village string, n int) AssetDetail {
	f.t.Helper()
	proj := insertAcceptedProject(f, village, f.Households(village)[:n])
	a, err := f.S.CreateAsset(f.Ctx, f.County(auth.PovertyOffice), assetInput(proj, village))
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func wantField(t *testing.T, err error, field, contains string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.Invalid {
		t.Fatalf("want a field error on %s, got %v", field, err)
	}
	reason, ok := e.Fields[field]
	if !ok {
		t.Fatalf("want a field error on %s, got %v", field, e.Fields)
	}
	if !strings.Contains(reason, contains) {
		t.Fatalf("%s: %q does not say %q", field, reason, contains)
	}
}

func wantCode(t *testing.T, err error, code errs.Code, contains string) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("want %s, got %v", code, err)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("%v does not say %q", err, contains)
	}
}

func TestCreateAsset(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	hh := f.Households(villageA)
	proj := insertAcceptedProject(f, villageA, hh[:3])

	// not accepted yet, or failed
	early := insertAcceptedProject(f, villageA, hh[:1])
	f.exec(`UPDATE projects SET stage = ? WHERE id = ?`, Acceptance, early)
	_, err := f.S.CreateAsset(f.Ctx, office, assetInput(early, villageA))
	wantCode(t, err, errs.Conflict, "项目尚未验收")
	failed := insertAcceptedProject(f, villageA, hh[:1])
	f.exec(`UPDATE projects SET status = 'failed' WHERE id = ?`, failed)
	_, err = f.S.CreateAsset(f.Ctx, office, assetInput(failed, villageA))
	wantCode(t, err, errs.Conflict, "项目尚未验收")

	in := assetInput(proj, villageA)
	in.PropertyRegNo = "  "
	_, err = f.S.CreateAsset(f.Ctx, office, in)
	wantField(t, err, "property_reg_no", "资产未办理产权登记")

	in = assetInput(proj, villageA)
	in.Entitled = []EntitledInput{{HouseholdID: hh[0], Share: 2}, {HouseholdID: hh[4], Share: 1}}
	_, err = f.S.CreateAsset(f.Ctx, office, in)
	wantField(t, err, "entitled[1].household_id", "不是该项目已批准的受益对象")

	in = assetInput(proj, villageA)
	in.Lng = nil
	_, err = f.S.CreateAsset(f.Ctx, office, in)
	wantField(t, err, "lat", "同时")
	in = assetInput(proj, villageA)
	in.Lat, in.Lng = ptr(10.0), ptr(10.0)
	_, err = f.S.CreateAsset(f.Ctx, office, in)
	wantField(t, err, "lng", "中国")

	// the asset's place lies in the project's region
	_, err = f.S.CreateAsset(f.Ctx, office, assetInput(proj, villageB))
	wantField(t, err, "region_code", "项目所在区划")

	// another county's office may not register it
	_, err = f.S.CreateAsset(f.Ctx, f.Other(auth.PovertyOffice), assetInput(proj, villageA))
	wantCode(t, err, errs.Forbidden, "管辖范围")
	// nor a role without project.write
	_, err = f.S.CreateAsset(f.Ctx, f.County(auth.Finance), assetInput(proj, villageA))
	wantCode(t, err, errs.Forbidden, "无权")
	if n := f.count(`SELECT COUNT(*) FROM assets`); n != 0 {
		t.Fatalf("%d assets written by refused calls", n)
	}

	a, err := f.S.CreateAsset(f.Ctx, f.Village(villageA), assetInput(proj, villageA))
	if err != nil {
		t.Fatal(err)
	}
	if a.Code != "ZC2026-320921-0001" || a.Status != "in_use" || a.FormedOn != "2026-06-30" || a.ValueFen != 50000000 {
		t.Fatalf("asset %+v", a.Asset)
	}
	if len(a.Entitled) != 3 || a.Beneficiaries != 3 {
		t.Fatalf("entitled %+v", a.Entitled)
	}
	for i, e := range a.Entitled {
		if e.HouseholdID != hh[i] || e.Share != 1 || !e.Payable {
			t.Fatalf("entitled[%d] %+v", i, e)
		}
	}
	var kind, name, region string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT kind, name, region_code FROM ledger_accounts WHERE id = ?`, *a.AccountID).Scan(&kind, &name, &region); err != nil {
		t.Fatal(err)
	}
	if kind != "village" || name != "响水县第1村村集体" || region != villageA {
		t.Fatalf("account %s %s %s", kind, name, region)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'asset.create' AND entity_id = ?`, fmt.Sprint(a.ID)); n != 1 {
		t.Fatalf("%d audit events", n)
	}

	// a second asset of the village: next code, same account, chosen households and shares
	in = assetInput(proj, villageA)
	in.Entitled = []EntitledInput{{HouseholdID: hh[2], Share: 3}, {HouseholdID: hh[1]}}
	b, err := f.S.CreateAsset(f.Ctx, office, in)
	if err != nil {
		t.Fatal(err)
	}
	if b.Code != "ZC2026-320921-0002" || *b.AccountID != *a.AccountID {
		t.Fatalf("second asset %s account %d", b.Code, *b.AccountID)
	}
	if len(b.Entitled) != 2 || b.Entitled[0].HouseholdID != hh[1] || b.Entitled[0].Share != 1 || b.Entitled[1].Share != 3 {
		t.Fatalf("entitled %+v", b.Entitled)
	}
	in.Code = b.Code
	_, err = f.S.CreateAsset(f.Ctx, office, in)
	wantCode(t, err, errs.Conflict, "已存在")

	// reading: in scope yes, another county no
	if _, err := f.S.Asset(f.Ctx, f.County(auth.Auditor), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.S.Asset(f.Ctx, f.Other(auth.PovertyOffice), a.ID)
	wantCode(t, err, errs.NotFound, "资产不存在")
	list, err := f.S.Assets(f.Ctx, f.Other(auth.Auditor), AssetFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("other county lists %d assets (%v)", len(list), err)
	}
	_, err = f.S.Assets(f.Ctx, f.Other(auth.Auditor), AssetFilter{Region: villageA})
	wantCode(t, err, errs.Forbidden, "管辖范围")
}

func TestUpdateAsset(t *testing.T) {
	f := newFixture(t)
	a := newAsset(f, villageA, 3)
	in := assetInput(a.ProjectID, villageA)
	in.Status, in.Custodian, in.Version = "idle", "村经济合作社", a.Version
	in.Entitled = []EntitledInput{{HouseholdID: a.Entitled[0].HouseholdID, Share: 5}}
	b, err := f.S.UpdateAsset(f.Ctx, f.Village(villageA), a.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != "idle" || b.Custodian != "村经济合作社" || b.Version != a.Version+1 || len(b.Entitled) != 1 || b.Entitled[0].Share != 5 {
		t.Fatalf("updated %+v", b)
	}
	// stale version
	_, err = f.S.UpdateAsset(f.Ctx, f.Village(villageA), a.ID, in)
	wantCode(t, err, errs.Conflict, "已被他人修改")
	in.Version = b.Version
	in.RegionCode = villageB
	_, err = f.S.UpdateAsset(f.Ctx, f.County(auth.PovertyOffice), a.ID, in)
	wantField(t, err, "region_code", "不能修改")
	in.RegionCode = villageA
	_, err = f.S.UpdateAsset(f.Ctx, f.Other(auth.PovertyOffice), a.ID, in)
	wantCode(t, err, errs.NotFound, "资产不存在")
	// disposed is final
	in.Status = "disposed"
	c, err := f.S.UpdateAsset(f.Ctx, f.County(auth.PovertyOffice), a.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Status, in.Version = "in_use", c.Version
	_, err = f.S.UpdateAsset(f.Ctx, f.County(auth.PovertyOffice), a.ID, in)
	wantCode(t, err, errs.Conflict, "已处置")
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'asset.update'`); n != 2 {
		t.Fatalf("%d update events", n)
	}
}

// The attention lists, and the register's summary against the list it summarises.
func TestAssetAttentionAndRegister(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	a := newAsset(f, villageA, 2)
	b := newAsset(f, villageA, 2)
	c := newAsset(f, villageB, 2)
	d := newAsset(f, villageB, 1)
	for _, x := range []struct {
		id     int64
		status string
		v      int
	}{{b.ID, "idle", b.Version}, {c.ID, "lost", c.Version}} {
		in := assetInput(0, "")
		in.Status, in.Version = x.status, x.v
		in.RegionCode = ""
		if _, err := f.S.UpdateAsset(f.Ctx, office, x.id, in); err != nil {
			t.Fatal(err)
		}
	}
	// d has no position: its village's point is the average of c only
	in := assetInput(0, "")
	in.Lat, in.Lng, in.Version, in.ValueYuan = nil, nil, d.Version, "1000.50"
	if _, err := f.S.UpdateAsset(f.Ctx, office, d.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.RecordIncome(f.Ctx, office, a.ID, IncomeInput{Year: 2026, AmountYuan: "300", ReceivedOn: "2026-07-01"}); err != nil {
		t.Fatal(err)
	}
	ids := func(att string) []int64 {
		t.Helper()
		list, err := f.S.Assets(f.Ctx, f.Town(auth.Auditor), AssetFilter{Attention: att})
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, x := range list {
			out = append(out, x.ID)
		}
		return out
	}
	if got := ids("idle"); len(got) != 1 || got[0] != b.ID {
		t.Fatalf("idle %v", got)
	}
	if got := ids("lost"); len(got) != 1 || got[0] != c.ID {
		t.Fatalf("lost %v", got)
	}
	if got := ids("undistributed"); len(got) != 0 {
		t.Fatalf("undistributed before %d days: %v", UndistributedDays, got)
	}
	f.Now = f.Now.AddDate(0, 0, UndistributedDays) // 2026-10-13: received 2026-07-01 is 104 days ago
	if got := ids("undistributed"); len(got) != 1 || got[0] != a.ID {
		t.Fatalf("undistributed %v", got)
	}
	full, err := f.S.Asset(f.Ctx, office, a.ID)
	if err != nil || full.UndistributedFen != 30000 || full.Incomes[0].DaysWaiting != 104 {
		t.Fatalf("asset %+v %v", full, err)
	}

	for _, flt := range []AssetFilter{{}, {Region: villageB}, {Kind: "operating"}, {Status: "idle"}, {Q: "ZC2026-320921-000"}, {ProjectID: a.ProjectID}} {
		reg, err := f.S.AssetRegister(f.Ctx, office, flt)
		if err != nil {
			t.Fatal(err)
		}
		var count int
		var value int64
		flt.Limit = 1
		for {
			page, err := f.S.Assets(f.Ctx, office, flt)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 0 {
				count++
				value += page[0].ValueFen
			}
			if len(page) <= 1 {
				break
			}
			flt.After = page[0].ID
		}
		if reg.Count != count || reg.ValueFen != value {
			t.Fatalf("filter %+v: register %d/%d, list %d/%d", flt, reg.Count, reg.ValueFen, count, value)
		}
		var kinds, statuses int
		for _, k := range reg.ByKind {
			kinds += k.Count
		}
		for _, s := range reg.ByStatus {
			statuses += s.Count
		}
		if kinds != count || statuses != count {
			t.Fatalf("buckets %d/%d of %d", kinds, statuses, count)
		}
	}
	reg, err := f.S.AssetRegister(f.Ctx, office, AssetFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if reg.Count != 4 || reg.ValueFen != 3*50000000+100050 || len(reg.Points) != 2 {
		t.Fatalf("register %+v", reg)
	}
	p := reg.Points[1]
	if p.RegionCode != villageB || p.Count != 2 || p.Attention != 1 || p.Lat != 34.2 || p.Lng != 119.8 || p.ValueFen != 50000000+100050 {
		t.Fatalf("point %+v", p)
	}
	other, err := f.S.AssetRegister(f.Ctx, f.Other(auth.PovertyOffice), AssetFilter{})
	if err != nil || other.Count != 0 || len(other.Points) != 0 {
		t.Fatalf("other county register %+v %v", other, err)
	}
}
