package oversight

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Figures follow the filter: totals, by status, light, rule, category, the heat per child
// region (with zero rows for quiet ones) and the 12-month trend in Shanghai months.
func TestAlertStats(t *testing.T) {
	f := newFixture(t)
	handlingAlert(t, f, testAlert{deadline: "2026-07-16", amount: 1000})                                                               // yellow
	handlingAlert(t, f, testAlert{deadline: "2026-07-10", amount: 2000, rule: "no_helper", label: "在档户无帮扶责任人", category: CatRegistry}) // orange
	handlingAlert(t, f, testAlert{deadline: "2026-07-01", dept: auth.Finance, region: villageB})                                       // red
	// raised 2026-05-31 16:30 UTC = 2026-06-01 00:30 in Shanghai: June; closed in July
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeSubstantiated, created: "2026-05-31T16:30:00.000000Z",
		closed: "2026-07-02T03:00:00.000000Z", deadline: "2026-06-10"})
	// raised more than a year ago: outside the trend
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeUnfounded, created: "2025-06-30T15:59:00.000000Z",
		closed: "2025-07-01T01:00:00.000000Z", deadline: "2025-07-10"})
	handlingAlert(t, f, testAlert{region: villageOth, amount: 99999})

	st, err := f.S.AlertStats(f.Ctx, f.County(auth.Discipline), AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Region.Code != countyCode || st.Total != 5 || st.Pending != 3 || st.Overdue != 2 || st.AmountFen != 3000 {
		t.Fatalf("totals %+v", st)
	}
	if st.ByStatus[StatusOpen] != 3 || st.ByStatus[StatusClosed] != 2 || st.ByStatus[StatusVerifying] != 0 {
		t.Fatalf("by status %v", st.ByStatus)
	}
	if st.ByLight != (AlertLightCounts{Yellow: 1, Orange: 1, Red: 1}) {
		t.Fatalf("by light %+v", st.ByLight)
	}
	if st.ByCategory[CatFunds] != 4 || st.ByCategory[CatRegistry] != 1 || st.ByCategory[CatVisits] != 0 {
		t.Fatalf("by category %v", st.ByCategory)
	}
	if len(st.ByRule) != 2 || st.ByRule[0] != (AlertRuleCount{Key: "payee_deceased", Label: "向已死亡人员发放", Count: 4}) {
		t.Fatalf("by rule %+v", st.ByRule)
	}
	// the county's only child is its town: everything is there
	if len(st.ByRegion) != 1 || st.ByRegion[0].Code != "320921100000" || st.ByRegion[0].Total != 5 || st.ByRegion[0].Pending != 3 ||
		st.ByRegion[0].Overdue != 2 || st.ByRegion[0].Closed != 2 || st.ByRegion[0].AmountFen != 3000 || st.ByRegion[0].Name == "" {
		t.Fatalf("by region %+v", st.ByRegion)
	}
	if len(st.Trend) != 12 || st.Trend[0].Month != "2025-08" || st.Trend[11].Month != "2026-07" {
		t.Fatalf("trend months %+v", st.Trend)
	}
	if st.Trend[10] != (AlertMonth{Month: "2026-06", Raised: 1}) || st.Trend[11] != (AlertMonth{Month: "2026-07", Raised: 3, Closed: 1}) {
		t.Fatalf("trend %+v", st.Trend[10:])
	}
	var sum int64
	for _, m := range st.Trend {
		sum += m.Raised + m.Closed
	}
	if sum != 5 {
		t.Fatalf("trend counts %d, want 5 (one alert raised and closed before the window)", sum)
	}

	// the town: two village rows, one quiet... both have alerts; the filter narrows everything
	st, err = f.S.AlertStats(f.Ctx, f.County(auth.Discipline), AlertFilter{Region: "320921100000", Department: "finance"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 1 || len(st.ByRegion) != 2 || st.ByRegion[0].Total != 0 || st.ByRegion[1].Code != villageB || st.ByRegion[1].Total != 1 {
		t.Fatalf("town stats for finance %+v", st)
	}
	// city: both counties, each its own row
	st, err = f.S.AlertStats(f.Ctx, f.CityRole(auth.Discipline), AlertFilter{Region: cityCode, Status: "pending"})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]AlertRegionCounts{}
	for _, r := range st.ByRegion {
		byCode[r.Code] = r
	}
	if st.Total != 4 || byCode[countyCode].Pending != 3 || byCode[otherCode].Pending != 1 || byCode[otherCode].AmountFen != 99999 {
		t.Fatalf("city stats %+v", st)
	}
	_, err = f.S.AlertStats(f.Ctx, f.Other(auth.Discipline), AlertFilter{Region: countyCode})
	alertWantCode(t, err, errs.Forbidden, "stats of another county")
	_, err = f.S.AlertStats(f.Ctx, f.County(auth.Discipline), AlertFilter{Status: "nope"})
	alertWantField(t, err, "status")
}

// 再监督: per department, counts, overdue, outcomes, on-time rate (closed by the deadline in
// Shanghai) and average days from raised to closed.
func TestSupervision(t *testing.T) {
	f := newFixture(t)
	// poverty office: one closed on the deadline day (23:00 Shanghai), one closed a day late,
	// one pending overdue, one pending in time
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeSubstantiated, created: "2026-07-01T02:00:00.000000Z",
		closed: "2026-07-05T15:00:00.000000Z", deadline: "2026-07-05"}) // 4.54 days
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeUnfounded, created: "2026-07-01T02:00:00.000000Z",
		closed: "2026-07-05T16:00:00.000000Z", deadline: "2026-07-05"}) // 2026-07-06 in Shanghai: late; 4.58 days
	handlingAlert(t, f, testAlert{deadline: "2026-07-10"})
	handlingAlert(t, f, testAlert{deadline: "2026-07-20", region: villageB})
	// finance: one closed in time
	handlingAlert(t, f, testAlert{dept: auth.Finance, status: StatusClosed, outcome: OutcomeSubstantiated, created: "2026-07-01T00:00:00.000000Z",
		closed: "2026-07-03T00:00:00.000000Z", deadline: "2026-07-10"}) // 2 days
	handlingAlert(t, f, testAlert{dept: auth.Finance, region: villageOth})

	rows, err := f.S.Supervision(f.Ctx, f.County(auth.Discipline), "", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Department != "finance" || rows[1].Department != "poverty_office" {
		t.Fatalf("rows %+v", rows)
	}
	fin, po := rows[0], rows[1]
	if fin.Total != 1 || fin.Closed != 1 || fin.OnTimeRate != 1 || fin.AvgDaysToClose != 2 || fin.DepartmentLabel != "财政局" {
		t.Fatalf("finance %+v", fin)
	}
	if po.Total != 4 || po.Pending != 2 || po.Overdue != 1 || po.Closed != 2 || po.Substantiated != 1 || po.Unfounded != 1 ||
		po.OnTime != 1 || po.OnTimeRate != 0.5 || po.AvgDaysToClose != 4.6 {
		t.Fatalf("poverty office %+v", po)
	}
	// per village and department
	rows, err = f.S.Supervision(f.Ctx, f.County(auth.Discipline), "320921100000", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].RegionCode != villageA || rows[0].Department != "finance" || rows[2].RegionCode != villageB ||
		rows[2].Total != 1 || rows[2].RegionName == "" {
		t.Fatalf("by region %+v", rows)
	}
	_, err = f.S.Supervision(f.Ctx, f.Other(auth.Discipline), countyCode, false)
	alertWantCode(t, err, errs.Forbidden, "supervision of another county")
}

// The cockpit's figures come from every table, bounded by the region.
func TestCockpit(t *testing.T) {
	f := newFixture(t)
	handlingAlert(t, f, testAlert{deadline: "2026-07-01"}) // red
	handlingAlert(t, f, testAlert{deadline: "2026-07-14"}) // orange
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeSubstantiated, closed: "2026-07-10T00:00:00.000000Z"})
	handlingAlert(t, f, testAlert{status: StatusClosed, outcome: OutcomeUnfounded, created: "2026-01-05T00:00:00.000000Z", closed: "2026-01-10T00:00:00.000000Z"})
	handlingAlert(t, f, testAlert{region: villageOth, deadline: "2026-07-01"})
	now := db.Time(f.Now)
	complaint := func(code, region, status, satisfaction string, repeat int, deadline any, created string) {
		f.exec(`INSERT INTO complaints (tracking_code, channel, category, region_code, subject, content, matter_key, repeat_no, status,
			deadline, satisfaction, created_at, updated_at) VALUES (?, 'hotline', 'funds', ?, '主题', '内容', 'k', ?, ?, ?, ?, ?, ?)`,
			code, region, repeat, status, deadline, satisfaction, created, now)
	}
	complaint("C1", villageA, "received", "", 1, nil, now)
	complaint("C2", villageA, "assigned", "", 2, "2026-07-01", now)
	complaint("C3", villageB, "closed", "satisfied", 1, "2026-07-01", "2026-05-01T00:00:00.000000Z")
	complaint("C4", villageB, "closed", "unsatisfied", 1, "2026-07-01", "2026-05-01T00:00:00.000000Z")
	complaint("C5", villageOth, "received", "", 1, nil, now)
	f.exec(`INSERT INTO accountability_cases (region_code, person_name, violation, handling, decided_on, created_by, created_at)
		VALUES (?, '某某', '优亲厚友', 'talk', '2026-03-01', 1, ?), (?, '某某', '优亲厚友', 'talk', '2025-12-01', 1, ?)`, villageA, now, villageA, now)

	c, err := f.S.Cockpit(f.Ctx, f.County(auth.Discipline), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Region.Code != countyCode || c.Alerts != (CockpitAlerts{Pending: 2, Overdue: 2, Red: 1, Raised30d: 3, Closed30d: 1, SubstantiatedRate: 0.5}) {
		t.Fatalf("alerts %+v", c.Alerts)
	}
	if c.Complaints != (CockpitComplaints{Pending: 2, Overdue: 1, Month: 2, SatisfiedRate: 0.5, Repeat: 1}) {
		t.Fatalf("complaints %+v", c.Complaints)
	}
	if c.Cases != (CockpitCases{Total: 2, Year: 1}) {
		t.Fatalf("cases %+v", c.Cases)
	}
	reg := f.count(`SELECT COUNT(*) FROM households WHERE status = 'registered' AND region_code BETWEEN '320921000000' AND '320921999999'`)
	if c.Households.Registered != reg || reg == 0 || c.Households.HelpersCoveredRate <= 0 || c.Households.HelpersCoveredRate > 1 {
		t.Fatalf("households %+v (registered %d)", c.Households, reg)
	}
	if len(c.ByRegion) != 1 || c.ByRegion[0].PendingAlerts != 2 || c.ByRegion[0].OverdueAlerts != 2 || c.ByRegion[0].Complaints != 2 {
		t.Fatalf("by region %+v", c.ByRegion)
	}
	last := c.Trend[len(c.Trend)-1]
	if len(c.Trend) != 12 || last != (CockpitMonth{Month: "2026-07", Raised: 3, Closed: 1, Complaints: 2}) || c.Trend[9].Complaints != 2 {
		t.Fatalf("trend %+v", c.Trend)
	}
	city, err := f.S.Cockpit(f.Ctx, f.CityRole(auth.Discipline), cityCode)
	if err != nil || city.Alerts.Pending != 3 || city.Complaints.Pending != 3 || len(city.ByRegion) != 2 {
		t.Fatalf("city cockpit %+v %v", city, err)
	}
	_, err = f.S.Cockpit(f.Ctx, f.Other(auth.Discipline), countyCode)
	alertWantCode(t, err, errs.Forbidden, "cockpit of another county")
	_, err = f.S.Cockpit(f.Ctx, f.County(auth.Helper), "")
	alertWantCode(t, err, errs.Forbidden, "helper has no cockpit")
}

// The export: Chinese header, every page, money in yuan, labels instead of codes.
func TestExportAlerts(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		handlingAlert(t, f, testAlert{amount: 123456, deadline: "2026-07-01"})
	}
	handlingAlert(t, f, testAlert{region: villageOth})
	var buf bytes.Buffer
	if err := f.S.ExportAlerts(f.Ctx, f.County(auth.PovertyOffice), AlertFilter{Status: "pending"}, "csv", &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "预警编号" || recs[0][10] != "涉及金额(元)" {
		t.Fatalf("export %v", recs)
	}
	if r := recs[1]; r[10] != "1234.56" || r[3] != "扶贫资金" || r[12] != "待处理" || r[15] != "红灯" || r[16] != "14" || r[6] != villageA {
		t.Fatalf("row %v", r)
	}
	buf.Reset()
	if err := f.S.ExportAlerts(f.Ctx, f.County(auth.PovertyOffice), AlertFilter{}, "xlsx", &buf); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
		t.Fatalf("xlsx: %v", err)
	}
	alertWantField(t, f.S.ExportAlerts(f.Ctx, f.County(auth.PovertyOffice), AlertFilter{}, "pdf", &buf), "format")
	buf.Reset()
	err = f.S.ExportAlerts(f.Ctx, f.Other(auth.PovertyOffice), AlertFilter{Region: countyCode}, "csv", &buf)
	if errs.CodeOf(err) != errs.Forbidden || buf.Len() != 0 {
		t.Fatalf("export of another county: %v, %d bytes", err, buf.Len())
	}
}
