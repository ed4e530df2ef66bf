package funds_test

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/tabular"
)

// book posts through the ledger's poster in one transaction and returns the transfer ids.
func (f *fixture) book(ps ...funds.Posting) []int64 {
	f.t.Helper()
	var ids []int64
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		post := funds.NewPoster(f.ctx, tx, 1)
		for _, p := range ps {
			if err := post.Post(p); err != nil {
				return err
			}
		}
		var err error
		ids, err = post.Flush()
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// payeeRegion is the village of a passbook account.
func (f *fixture) accountRegion(id int64) string {
	f.t.Helper()
	var r string
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT region_code FROM ledger_accounts WHERE id = ?`, id).Scan(&r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

func pay(fund, item, from, to int64, fen int64, on, accountNo, ref string) funds.Posting {
	return funds.Posting{FundID: fund, From: from, To: to, AmountFen: fen, OnDate: on, Kind: "payment", ItemID: item, Period: on[:7],
		AccountNo: accountNo, AccountHolder: "持卡人", Ref: ref, Purpose: "发放"}
}

// linksInto sums the links into nodes whose key starts with prefix.
func linksInto(tr funds.FundTrace, prefix string) (amount, count int64) {
	for _, l := range tr.Links {
		if strings.HasPrefix(l.Target, prefix) {
			amount += l.AmountFen
			count += l.Count
		}
	}
	return
}

// noCycles checks the links form a DAG (what a Sankey chart needs).
func noCycles(t *testing.T, tr funds.FundTrace) {
	t.Helper()
	out := map[string][]string{}
	for _, l := range tr.Links {
		if l.AmountFen <= 0 || l.Source == l.Target {
			t.Fatalf("bad link %+v", l)
		}
		out[l.Source] = append(out[l.Source], l.Target)
	}
	state := map[string]int{}
	var visit func(string)
	visit = func(n string) {
		switch state[n] {
		case 1:
			t.Fatalf("cycle through %s: %+v", n, tr.Links)
		case 2:
			return
		}
		state[n] = 1
		for _, m := range out[n] {
			visit(m)
		}
		state[n] = 2
	}
	for n := range out {
		visit(n)
	}
	keys := map[string]bool{}
	for _, n := range tr.Nodes {
		keys[n.Key] = true
	}
	for _, l := range tr.Links {
		if !keys[l.Source] || !keys[l.Target] {
			t.Fatalf("link %+v names a missing node: %+v", l, tr.Nodes)
		}
	}
}

func TestTraceTotalsEqualTheLedgerAndReversalsNetOut(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("T-1", county, "100000", true, "province")
	item := fd.Items[0].ID
	cf := f.finance(county)
	pb0, _ := f.payee(0)
	pb1, _ := f.payee(1)
	pb2, _ := f.payee(6)
	town := f.accountRegion(pb0)[:9] + "000"
	tf := f.finance(town)
	village, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "village", Name: "村集体", RegionCode: f.accountRegion(pb0)})
	if err != nil {
		t.Fatal(err)
	}
	ids := f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cf, AmountFen: 5_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		funds.Posting{FundID: fd.ID, From: cf, To: tf, AmountFen: 1_000_000, OnDate: "2026-01-20", Kind: "transfer"},
		funds.Posting{FundID: fd.ID, From: cf, To: village.ID, AmountFen: 300_000, OnDate: "2026-01-20", Kind: "transfer"},
		pay(fd.ID, item, cf, pb0, 50_000, "2026-02-01", "6228480012345678", ""),
		pay(fd.ID, item, cf, pb1, 50_000, "2026-02-01", "6228480012345679", ""),
		pay(fd.ID, item, tf, pb2, 30_000, "2026-03-01", "6228480012345680", ""),
		pay(fd.ID, item, tf, pb0, 30_000, "2026-03-01", "6228480012345678", ""),
	)
	// Undo the transfer to the village and one payment: both must vanish from the trace (pb1
	// then holds nothing of the fund: the passbook node groups the two that do).
	if _, err := f.s.Reverse(f.ctx, f.users["finance"], ids[2], funds.ReverseInput{Reason: "拨错", OnDate: "2026-02-02"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Reverse(f.ctx, f.users["finance"], ids[4], funds.ReverseInput{Reason: "错发", OnDate: "2026-02-03"}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"finance", "finance_city", "auditor"} {
		tr, err := f.s.Trace(f.ctx, f.users[who], fd.ID)
		if err != nil {
			t.Fatal(who, err)
		}
		noCycles(t, tr)
		got, _ := f.s.Fund(f.ctx, f.users[who], fd.ID)
		amount, count := linksInto(tr, "pb:")
		if tr.Fund.PaidFen != got.PaidFen || tr.Fund.IssuedFen != got.IssuedFen || len(tr.Fund.Items) != 2 {
			t.Fatalf("%s: trace's fund %+v, fund %+v", who, tr.Fund, got)
		}
		if amount != got.PaidFen || amount != 110_000 || count != 3 {
			t.Fatalf("%s: links into passbooks %d (%d payments), fund paid %d", who, amount, count, got.PaidFen)
		}
		if tr.UndistributedFen != fd.AmountFen-5_000_000 {
			t.Fatalf("undistributed %d", tr.UndistributedFen)
		}
		for _, n := range tr.Nodes {
			if n.Kind == "village" || n.Key == "other" {
				t.Fatalf("%s: reversed transfer or foreign node left in the trace: %+v", who, n)
			}
			switch n.Kind {
			case "passbook":
				if n.Key != "pb:"+town || n.BalanceFen != 110_000 || n.Accounts != 2 || !strings.Contains(n.Name, "农户一折通") {
					t.Fatalf("passbook node %+v", n)
				}
			case "source":
				if n.BalanceFen != tr.UndistributedFen {
					t.Fatalf("source node %+v", n)
				}
			case "finance":
				want := map[string]int64{county: 5_000_000 - 1_000_000 - 50_000, town: 1_000_000 - 60_000}[n.RegionCode]
				if n.BalanceFen != want || n.Accounts != 1 || n.IdleDays <= 0 {
					t.Fatalf("finance node %+v, want balance %d", n, want)
				}
			}
		}
		if len(tr.Nodes) != 4 || len(tr.Links) != 4 {
			t.Fatalf("%s: %d nodes %d links: %+v %+v", who, len(tr.Nodes), len(tr.Links), tr.Nodes, tr.Links)
		}
	}
	if _, err := f.s.Trace(f.ctx, f.users["finance_other"], fd.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county traces the fund: %v", err)
	}
	// Progress of the county's own fund: what the source allocated arrived in the county.
	pr, err := f.s.Progress(f.ctx, f.users["finance"], fd.ID, "county")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Regions) != 1 || pr.Regions[0].RegionCode != county || pr.Regions[0].AllocatedFen != 5_000_000 || pr.Regions[0].PaidFen != 110_000 ||
		pr.Regions[0].Households < 1 || pr.Series[len(pr.Series)-1].ExpectedFen != 5_000_000 || pr.Series[1].PaidFen != 50_000 || pr.Series[2].PaidFen != 110_000 {
		t.Fatalf("county progress %+v", pr)
	}
	// Money sent back by a plain transfer nets against the way it came: no two-node cycle.
	if _, err := f.move("finance", fd.ID, tf, cf, "1000", 0); err != nil {
		t.Fatal(err)
	}
	tr, err := f.s.Trace(f.ctx, f.users["finance"], fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	noCycles(t, tr)
	for _, l := range tr.Links {
		if l.Source == "a:"+itoa(cf) && l.Target == "a:"+itoa(tf) && l.AmountFen != 1_000_000-100_000 {
			t.Fatalf("county→town net %+v", l)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// A city fund seen from a county: the other county's accounts and passbooks are one node.
func TestTraceGroupsWhatIsOutOfScope(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("T-CITY", city, "100000", true, "province")
	item := fd.Items[0].ID
	cityFin := f.finance(city)
	cf, of := f.finance(county), f.finance(other)
	pb, _ := f.payee(0)
	var oid, oname, oregion string
	var ohh int64
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT id_number, name, region_code, household_id FROM members WHERE region_code LIKE '320922%' AND active = 1 ORDER BY id LIMIT 1`).
		Scan(&oid, &oname, &oregion, &ohh); err != nil {
		t.Fatal(err)
	}
	var opb int64
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) (err error) {
		opb, err = funds.PassbookAccount(f.ctx, tx, 1, funds.Payee{IDNumber: oid, Name: oname, RegionCode: oregion, HouseholdID: ohh})
		return
	}); err != nil {
		t.Fatal(err)
	}
	f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cityFin, AmountFen: 8_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		funds.Posting{FundID: fd.ID, From: cityFin, To: cf, AmountFen: 3_000_000, OnDate: "2026-01-16", Kind: "transfer"},
		funds.Posting{FundID: fd.ID, From: cityFin, To: of, AmountFen: 2_000_000, OnDate: "2026-01-16", Kind: "transfer"},
		pay(fd.ID, item, cf, pb, 70_000, "2026-02-01", "6228480000000001", ""),
		pay(fd.ID, item, of, opb, 40_000, "2026-02-01", "6228480000000002", ""),
	)
	tr, err := f.s.Trace(f.ctx, f.users["finance"], fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	noCycles(t, tr)
	var other *funds.TraceNode
	for i, n := range tr.Nodes {
		if strings.HasPrefix(n.RegionCode, "320922") || strings.Contains(n.Name, "320922") {
			t.Fatalf("node of the other county: %+v", n)
		}
		if n.Key == "other" {
			other = &tr.Nodes[i]
		}
	}
	if other == nil || other.Name != "其他地区" || other.BalanceFen != 0 {
		t.Fatalf("no other node: %+v", tr.Nodes)
	}
	intoOther, _ := linksInto(tr, "other")
	if intoOther != 2_000_000 {
		t.Fatalf("into other %d, want the 2,000,000 sent to the other county (its payments stay inside it): %+v", intoOther, tr.Links)
	}
	if a, _ := linksInto(tr, "pb:"); a != 70_000 {
		t.Fatalf("own passbooks %d", a)
	}
	// The city sees both counties and no other node.
	tr, err = f.s.Trace(f.ctx, f.users["finance_city"], fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := linksInto(tr, "pb:"); a != 110_000 {
		t.Fatalf("city passbooks %d", a)
	}
	if a, _ := linksInto(tr, "other"); a != 0 {
		t.Fatalf("city has an other node: %+v", tr.Links)
	}
	// Progress by county: the city sees both, the county only itself.
	pr, err := f.s.Progress(f.ctx, f.users["finance_city"], fd.ID, "county")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Regions) != 2 || pr.Regions[0].RegionCode != county || pr.Regions[0].AllocatedFen != 3_000_000 || pr.Regions[0].PaidFen != 70_000 ||
		pr.Regions[0].Households != 1 || math.Abs(pr.Regions[0].Rate-70_000.0/3_000_000) > 1e-9 || pr.Regions[1].PaidFen != 40_000 {
		t.Fatalf("city progress %+v", pr.Regions)
	}
	pr, err = f.s.Progress(f.ctx, f.users["finance"], fd.ID, "town")
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Regions) != 1 || !strings.HasPrefix(pr.Regions[0].RegionCode, "320921") || pr.Regions[0].PaidFen != 70_000 ||
		pr.Regions[0].AllocatedFen != 70_000 || pr.Regions[0].Rate != 1 || pr.Regions[0].RegionName == "" {
		t.Fatalf("county's town progress %+v", pr.Regions)
	}
	// Series: January 2026 to the deadline (October), cumulative within scope; the linear
	// schedule of what reached the county (3,000,000) ends at all of it.
	if len(pr.Series) != 10 || pr.Series[0].Month != "2026-01" || pr.Series[0].PaidFen != 0 || pr.Series[1].PaidFen != 70_000 ||
		pr.Series[9].PaidFen != 70_000 || pr.Series[9].ExpectedFen != 3_000_000 || pr.Series[4].ExpectedFen <= pr.Series[3].ExpectedFen {
		t.Fatalf("series %+v", pr.Series)
	}
	if _, err := f.s.Progress(f.ctx, f.users["finance"], fd.ID, "village"); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("level village: %v", err)
	}
}

func TestStatementPathBackToTheFund(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("S-1", county, "100000", true, "province")
	item := fd.Items[1].ID
	cf := f.finance(county)
	pb, hh := f.payee(0)
	town := f.accountRegion(pb)[:9] + "000"
	tf := f.finance(town)
	ids := f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cf, AmountFen: 5_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		funds.Posting{FundID: fd.ID, From: cf, To: tf, AmountFen: 1_000_000, OnDate: "2026-01-20", Kind: "transfer"},
		funds.Posting{FundID: fd.ID, From: cf, To: tf, AmountFen: 1_000_000, OnDate: "2026-01-25", Kind: "transfer"},
		pay(fd.ID, item, tf, pb, 20_000, "2026-02-01", "6228480012345678", "pay-1"),
		pay(fd.ID, item, tf, pb, 20_000, "2026-03-01", "6228480012345678", "pay-2"),
	)
	if _, err := f.s.Reverse(f.ctx, f.users["finance"], ids[4], funds.ReverseInput{Reason: "重复", OnDate: "2026-03-02"}); err != nil {
		t.Fatal(err)
	}
	st, err := f.s.Statement(f.ctx, f.users["office"], hh)
	if err != nil {
		t.Fatal(err)
	}
	if st.HouseholdID != hh || st.HouseholdNo == "" || st.HeadName == "" || st.TotalFen != 20_000 || len(st.Entries) != 2 {
		t.Fatalf("statement %+v", st)
	}
	newest, oldest := st.Entries[0], st.Entries[1]
	if !newest.Reversed || oldest.Reversed || newest.OnDate != "2026-03-01" || oldest.TransferID != ids[3] {
		t.Fatalf("entries %+v", st.Entries)
	}
	if oldest.AccountNo != "************5678" || oldest.FundCode != "S-1" || oldest.ItemName != "危房改造" || oldest.PayeeName != "持卡人" ||
		oldest.Period != "2026-02" || oldest.AmountFen != 20_000 {
		t.Fatalf("entry %+v", oldest)
	}
	want := []int64{fd.SourceAccount, cf, tf}
	if len(oldest.Path) != len(want) {
		t.Fatalf("path %+v", oldest.Path)
	}
	for i, s := range oldest.Path {
		if s.AccountID != want[i] {
			t.Fatalf("path %+v, want accounts %v", oldest.Path, want)
		}
	}
	if oldest.Path[0].Kind != "source" || oldest.Path[2].Kind != "finance" || oldest.Path[2].RegionCode != town {
		t.Fatalf("path steps %+v", oldest.Path)
	}
	// No ID numbers anywhere in the answer.
	var idNo string
	_ = f.d.Reader().QueryRowContext(f.ctx, `SELECT id_number FROM ledger_accounts WHERE id = ?`, pb).Scan(&idNo)
	if strings.Contains(strings.ReplaceAll(strings.Join([]string{st.HeadName, oldest.PayeeName, oldest.AccountNo}, ","), "*", ""), idNo) {
		t.Fatal("ID number in the statement")
	}
	// Out of scope, a role without household.read, an unknown household: not found.
	for _, who := range []string{"finance_other", "dept"} {
		if _, err := f.s.Statement(f.ctx, f.users[who], hh); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("%s reads the statement: %v", who, err)
		}
	}
	if _, err := f.s.Statement(f.ctx, f.users["office"], 1<<40); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown household: %v", err)
	}
	if _, err := f.s.Statement(f.ctx, &auth.Principal{UserID: 9, Role: auth.Helper, Scope: county}, hh); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("helper: %v", err)
	}
	// A household with no passbook has an empty statement.
	_, hh2 := f.payeeNoAccount(3)
	st, err = f.s.Statement(f.ctx, f.users["office"], hh2)
	if err != nil || len(st.Entries) != 0 || st.TotalFen != 0 {
		t.Fatalf("empty statement %+v %v", st, err)
	}
}

// payeeNoAccount is a household of the county other than payee(0)'s with no passbook.
func (f *fixture) payeeNoAccount(n int) (string, int64) {
	f.t.Helper()
	var no string
	var id int64
	if err := f.d.Reader().QueryRowContext(f.ctx, `SELECT household_no, id FROM households h WHERE region_code LIKE '320921%'
		AND NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.household_id = h.id) ORDER BY id LIMIT 1 OFFSET ?`, n).Scan(&no, &id); err != nil {
		f.t.Fatal(err)
	}
	return no, id
}

func TestIdleMoneyAges(t *testing.T) {
	f := newFixture(t) // today is 2026-06-01
	fd := f.fund("I-1", county, "100000", true, "province")
	cf := f.finance(county)
	pb, _ := f.payee(0)
	village, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "village", Name: "村集体", RegionCode: f.accountRegion(pb)})
	if err != nil {
		t.Fatal(err)
	}
	dept, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "department", Name: "县农业农村局", RegionCode: county})
	if err != nil {
		t.Fatal(err)
	}
	f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cf, AmountFen: 5_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		funds.Posting{FundID: fd.ID, From: cf, To: village.ID, AmountFen: 300_000, OnDate: "2026-02-01", Kind: "transfer"},
		funds.Posting{FundID: fd.ID, From: cf, To: dept.ID, AmountFen: 200_000, OnDate: "2026-05-20", Kind: "transfer"},
		// the county account moved last on 2026-05-25
		pay(fd.ID, fd.Items[0].ID, cf, pb, 10_000, "2026-05-25", "6228480012345678", ""),
	)
	list, err := f.s.Idle(f.ctx, f.users["finance"], "", 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].AccountID != village.ID || list[0].IdleDays != 120 || list[0].Since != "2026-02-01" ||
		list[0].BalanceFen != 300_000 || list[0].FundCode != "I-1" || list[0].RegionName == "" {
		t.Fatalf("idle ≥ 30 days: %+v", list)
	}
	list, err = f.s.Idle(f.ctx, f.users["finance"], "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].AccountID != village.ID || list[1].AccountID != dept.ID || list[1].IdleDays != 12 ||
		list[2].AccountID != cf || list[2].IdleDays != 7 {
		t.Fatalf("idle ≥ 5 days, oldest first: %+v", list)
	}
	for _, b := range list {
		if b.Kind == "passbook" || b.Kind == "source" {
			t.Fatalf("passbook or source listed: %+v", b)
		}
	}
	if list, _ := f.s.Idle(f.ctx, f.users["finance"], "", 121); len(list) != 0 {
		t.Fatalf("idle ≥ 121 days: %+v", list)
	}
	if list, _ := f.s.Idle(f.ctx, f.users["finance_other"], "", 0); len(list) != 0 {
		t.Fatalf("other county sees %+v", list)
	}
	if list, _ := f.s.Idle(f.ctx, f.users["finance_city"], village.RegionCode, 0); len(list) != 1 || list[0].AccountID != village.ID {
		t.Fatalf("city narrowed to the village: %+v", list)
	}
	if _, err := f.s.Idle(f.ctx, f.users["finance"], other, 0); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("region out of scope: %v", err)
	}
}

func TestEvaluationOnAPlantedCase(t *testing.T) {
	f := newFixture(t) // today 2026-06-01; funds arrive 2026-01-10, deadline 2026-10-31
	fd := f.fund("E-1", county, "100000", true, "province")
	idle := f.fund("E-2", county, "5000", true, "province")
	item := fd.Items[0].ID
	cf := f.finance(county)
	pb0, hh0 := f.payee(0)
	pb1, _ := f.payee(1)
	pb2, _ := f.payee(6)
	ids := f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cf, AmountFen: 4_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		pay(fd.ID, item, cf, pb0, 100_000, "2026-01-20", "6228480000000001", "line:1"), // 10 days after arrival
		pay(fd.ID, item, cf, pb1, 100_000, "2026-01-30", "6228480000000002", ""),       // 20 days
		pay(fd.ID, item, cf, pb2, 200_000, "2026-02-09", "6228480000000003", "line:2"), // 30 days
		pay(fd.ID, item, cf, pb0, 50_000, "2026-02-09", "6228480000000001", ""),
	)
	if _, err := f.s.Reverse(f.ctx, f.users["finance"], ids[4], funds.ReverseInput{Reason: "错发", OnDate: "2026-02-10"}); err != nil {
		t.Fatal(err)
	}
	// Bank batch lines of a plan of the fund: one failed out of four.
	if err := f.d.InTx(f.ctx, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		plan, err := tx.InsertID(f.ctx, `INSERT INTO distribution_plans (fund_id, item_id, period, region_code, title, payer_account, source, status,
			created_by, created_at, updated_at) VALUES (?, ?, '2026-01', ?, '计划', ?, '{}', 'paying', 1, ?, ?) RETURNING id`, fd.ID, item, county, cf, now, now)
		if err != nil {
			return err
		}
		batch, err := tx.InsertID(f.ctx, `INSERT INTO payment_batches (plan_id, batch_ref, region_code, lines, total_fen, status, created_by, created_at)
			VALUES (?, 'B-1', ?, 4, 400, 'reconciled', 1, ?) RETURNING id`, plan, county, now)
		if err != nil {
			return err
		}
		for i, st := range []string{"paid", "paid", "failed", "paid"} {
			line, err := tx.InsertID(f.ctx, `INSERT INTO plan_lines (plan_id, region_code, payee_id_number, payee_name, account_no, account_holder,
				amount_fen, status, updated_at) VALUES (?, ?, ?, '某', '1', '某', 100, ?, ?) RETURNING id`, plan, f.accountRegion(pb0), "ID"+itoa(int64(i)), st, now)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(f.ctx, `INSERT INTO payment_batch_lines (batch_id, line_no, plan_line_id, account_no, account_holder, amount_fen, status)
				VALUES (?, ?, ?, '1', '某', 100, ?)`, batch, i+1, line, st); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ev, err := f.s.Evaluate(f.ctx, f.users["finance"], 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Year != 2026 || ev.RegionCode != county || len(ev.Rows) != 2 {
		t.Fatalf("evaluation %+v", ev)
	}
	var r, z funds.EvalRow
	for _, row := range ev.Rows {
		switch row.FundCode {
		case "E-1":
			r = row
		case "E-2":
			z = row
		}
	}
	schedule := 142.0 / 294.0 // 2026-01-10 → 2026-06-01 of 2026-01-10 → 2026-10-31
	if r.AmountFen != 10_000_000 || r.IssuedFen != 4_000_000 || r.PaidFen != 400_000 || r.DisbursementRate != 0.1 ||
		math.Abs(r.ScheduleRate-schedule) > 1e-4 || !r.Behind || r.AvgDaysToPassbook != 20 || r.DirectShare != 0.75 ||
		r.HouseholdsReached != 3 || r.FailedRate != 0.25 || r.RegionName == "" {
		t.Fatalf("E-1 row %+v", r)
	}
	wantScore := int(math.Round(40*0.1 + 30*(0.1/r.ScheduleRate) + 15*0.75 + 15*0.75))
	if r.Score != wantScore {
		t.Fatalf("score %d, want %d", r.Score, wantScore)
	}
	if z.IssuedFen != 0 || z.PaidFen != 0 || z.DisbursementRate != 0 || !z.Behind || z.Score >= r.Score || z.FundID != idle.ID {
		t.Fatalf("E-2 row %+v", z)
	}
	_ = hh0
	// The other county evaluates nothing of this county's; another year has no rows.
	if ev, _ := f.s.Evaluate(f.ctx, f.users["finance_other"], 2026, ""); len(ev.Rows) != 0 {
		t.Fatalf("other county: %+v", ev.Rows)
	}
	if ev, _ := f.s.Evaluate(f.ctx, f.users["finance"], 2025, ""); len(ev.Rows) != 0 {
		t.Fatalf("2025: %+v", ev.Rows)
	}
	if _, err := f.s.Evaluate(f.ctx, f.users["finance"], 2026, other); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("region out of scope: %v", err)
	}
	// The export carries the same figures, in yuan and percent.
	for _, format := range []string{"csv", "xlsx"} {
		var b bytes.Buffer
		if err := f.s.ExportEvaluation(f.ctx, f.users["finance"], 2026, "", format, &b); err != nil {
			t.Fatal(err)
		}
		rd, err := tabular.Open(bytes.NewReader(b.Bytes()), "e."+format, tabular.Schema{Columns: evalSchema()}, tabular.Options{})
		if err != nil {
			t.Fatal(format, err)
		}
		found := false
		for {
			row, err := rd.Next()
			if err != nil {
				break
			}
			if row.Get("资金编码") == "E-1" {
				found = true
				if row.Get("发放到户(元)") != "4000.00" || row.Get("发放率") != "10.0%" || row.Get("直达占比") != "75.0%" || row.Get("进度滞后") != "是" {
					t.Fatalf("%s row %v", format, row)
				}
			}
		}
		if !found {
			t.Fatalf("%s: E-1 missing", format)
		}
	}
	if err := f.s.ExportEvaluation(f.ctx, f.users["finance"], 2026, "", "pdf", &bytes.Buffer{}); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("pdf: %v", err)
	}
}

func evalSchema() []tabular.Column {
	var cols []tabular.Column
	for _, c := range funds.EvaluationColumns {
		cols = append(cols, tabular.Column{Name: c})
	}
	return cols
}

func TestLedgerExportMasksAccountsExceptForRoot(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("L-1", county, "100000", true, "province")
	cf := f.finance(county)
	pb, _ := f.payee(0)
	f.book(
		funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: cf, AmountFen: 4_000_000, OnDate: "2026-01-15", Kind: "allocate"},
		pay(fd.ID, fd.Items[0].ID, cf, pb, 100_000, "2026-01-20", "6228480012345678", "R-1"),
	)
	var b bytes.Buffer
	if err := f.s.ExportLedger(f.ctx, &auth.Principal{Root: true, Role: auth.Admin}, "L-1", "csv", &b); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != 3 || !strings.Contains(b.String(), "6228480012345678") || !strings.Contains(b.String(), "1000.00") {
		t.Fatalf("root export:\n%s", b.String())
	}
	b.Reset()
	if err := f.s.ExportLedger(f.ctx, f.users["auditor"], "L-1", "csv", &b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "6228480012345678") || !strings.Contains(b.String(), "************5678") {
		t.Fatalf("auditor export:\n%s", b.String())
	}
	if err := f.s.ExportLedger(f.ctx, f.users["finance_other"], "L-1", "csv", &bytes.Buffer{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("other county: %v", err)
	}
	if err := f.s.ExportLedger(f.ctx, f.users["auditor"], "NOPE", "csv", &bytes.Buffer{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown fund: %v", err)
	}
}

// Money sent round a loop of three accounts (finance → department → village → finance) cannot
// be drawn: the closing link is left out of the chart and its amount reported as loop_fen.
func TestTraceBreaksLongerLoops(t *testing.T) {
	f := newFixture(t)
	fd := f.fund("LOOP-1", county, "1000", true, "province")
	cf := f.finance(county)
	dept, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "department", Name: "农业农村局", RegionCode: county})
	if err != nil {
		t.Fatal(err)
	}
	village, err := f.s.OpenAccount(f.ctx, f.users["finance"], funds.AccountInput{Kind: "village", Name: "村集体", RegionCode: "320921100201"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		from, to int64
		amount   string
	}{{fd.SourceAccount, cf, "1000"}, {cf, dept.ID, "100"}, {dept.ID, village.ID, "50"}, {village.ID, cf, "20"}} {
		if _, err := f.move("finance", fd.ID, m.from, m.to, m.amount, 0); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := f.s.Trace(f.ctx, f.users["finance"], fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	noCycles(t, tr)
	if tr.LoopFen != 2000 || len(tr.Links) != 3 {
		t.Fatalf("loop %d, links %+v", tr.LoopFen, tr.Links)
	}
}
