package oversight

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"sunshine/internal/regioncode"
)

// plantMix books one case of every payment check (and near misses) in both counties.
func plantMix(f *fixture, l *ledgerFx) {
	f.t.Helper()
	acct := func(n int) string { return fmt.Sprintf("62228888%08d", n) }
	stranger := l.passbook(f.IDNumber(1), "路人", villageA, 0)
	l.pay(stranger, l.living, "2026-05", "2026-05-10", 10000, acct(1), "路人")
	hh, removed := l.person(villageA, "registered", 2, "核销户")
	f.exec(`UPDATE households SET status = 'removed', removed_on = '2026-03-01' WHERE id = ?`, hh)
	f.exec(`UPDATE members SET active = 0 WHERE household_id = ?`, hh)
	l.pay(removed, l.living, "2026-04", "2026-04-10", 10000, acct(2), "核销户")
	_, dead := l.person(villageB, "registered", 3, "死者")
	f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id_number = ?`, f.IDNumber(3))
	l.pay(dead, l.living, "2026-05", "2026-05-02", 10000, acct(3), "死者")
	hh, exited := l.person(villageOth, "exited", 4, "脱贫户")
	f.exec(`UPDATE households SET policy_until = '2026-06-30' WHERE id = ?`, hh)
	l.pay(exited, l.living, "2026-07", "2026-07-01", 10000, acct(4), "脱贫户")
	_, dup := l.person(villageA, "registered", 5, "重复")
	l.pay(dup, l.living, "2026-05", "2026-05-10", 10000, acct(5), "重复")
	l.pay(dup, l.living, "2026-05", "2026-05-11", 10000, acct(5), "重复")
	l.pay(dup, l.edu, "2026-05", "2026-05-11", 5000, acct(5), "重复")
	_, rev := l.person(villageA, "registered", 6, "冲销")
	l.pay(rev, l.living, "2026-05", "2026-05-10", 10000, acct(6), "冲销")
	l.reverse(l.pay(rev, l.living, "2026-05", "2026-05-11", 10000, acct(6), "冲销"), rev, 10000)
	_, s1 := l.person(villageA, "registered", 7, "共用甲")
	_, s2 := l.person(villageOth2, "registered", 8, "共用乙")
	l.pay(s1, l.living, "2026-05", "2026-05-10", 10000, acct(7), "共用甲")
	l.pay(s2, l.living, "2026-05", "2026-05-10", 10000, acct(7), "共用甲") // also a holder mismatch
	_, emp := l.person(villageB, "registered", 9, "在编")
	l.pay(emp, l.living, "2026-05", "2026-05-10", 10000, acct(9), "在编")
	_, cadre := l.person(villageB, "registered", 10, "亲属")
	l.pay(cadre, l.living, "2026-05", "2026-05-10", 10000, acct(10), "亲属")
	id := f.IDNumber
	f.writeDataset("death", cityCode, "2026-07-01", "身份证号,姓名,死亡日期\n"+id(11)+",数据集死者,2026-04-01\n", false)
	f.writeDataset("public_employee", cityCode, "2026-07-01", "身份证号,姓名,工作单位,职务,入职日期,离职日期\n"+id(9)+",在编,某局,科员,2020-01-01,\n", false)
	f.writeDataset("cadre_relative", cityCode, "2026-07-01",
		"亲属身份证号,亲属姓名,干部身份证号,干部姓名,干部职务,关系\n"+id(10)+",亲属,"+id(12)+",某干部,村主任,儿子\n", false)
	_, byData := l.person(villageOth, "registered", 11, "数据集死者")
	l.pay(byData, l.living, "2026-05", "2026-05-10", 10000, acct(11), "数据集死者")
}

// paymentFindings runs the full pass over the city and keeps the payment checks' findings.
func (f *fixture) fullPaymentFindings() map[string]Finding {
	f.t.Helper()
	lo, hi := regioncode.Range(cityCode)
	facts, err := loadFacts(f.Ctx, &f.S.facts, f.DB.Reader(), f.S.Dir, lo)
	if err != nil {
		f.t.Fatal(err)
	}
	in := &evalInput{At: f.Now, Lo: lo, Hi: hi, Rules: enabledRules(DefaultRules().Rules), Q: f.DB.Reader(), Dir: f.S.Dir, Facts: facts}
	out := map[string]Finding{}
	if err := evalFunds(f.Ctx, in, func(x Finding) {
		if slices.Contains(paymentChecks, x.RuleKey) {
			out[x.Key] = x
		}
	}); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// paymentsOnly is the full pass with only the payment checks (the fund-level ones, such as
// fund_behind, change with every payment and are the full run's alone).
func paymentsOnly(ctx context.Context, in *evalInput, emit func(Finding)) error {
	for c := range in.Rules {
		if !slices.Contains(paymentChecks, c) {
			delete(in.Rules, c)
		}
	}
	return evalFunds(ctx, in, emit)
}

func keysOf(m map[string]Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestIncrementalEqualsFull(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f)
	plantMix(f, l)
	full := f.fullPaymentFindings()
	for _, c := range paymentChecks {
		fired := false
		for _, x := range full {
			fired = fired || x.RuleKey == c
		}
		if !fired {
			t.Errorf("the mix plants no %s case", c)
		}
	}
	// Read in parallel id ranges (SQLite, when big), the same findings come out.
	defer func(n int64) { parallelScanMin = n }(parallelScanMin)
	parallelScanMin = 1
	split := f.fullPaymentFindings()
	parallelScanMin = 1 << 62
	if fmt.Sprint(keysOf(full)) != fmt.Sprint(keysOf(split)) {
		t.Fatalf("parallel ranges: keys differ:\n%v\n%v", keysOf(full), keysOf(split))
	}
	for k, a := range full {
		if string(a.Evidence) != string(split[k].Evidence) {
			t.Errorf("parallel ranges: %s differs", k)
		}
	}
	// The incremental pass over every passbook and account number finds exactly the same.
	var payees []int64
	var accts []string
	rows, err := f.DB.Reader().QueryContext(f.Ctx, `SELECT to_account, account_no FROM ledger_transfers WHERE kind = 'payment'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var to int64
		var a string
		if err := rows.Scan(&to, &a); err != nil {
			t.Fatal(err)
		}
		payees, accts = append(payees, to), append(accts, a)
	}
	rows.Close()
	lo, hi := regioncode.Range(cityCode)
	in := &evalInput{At: f.Now, Lo: lo, Hi: hi, Rules: enabledRules(DefaultRules().Rules), Q: f.DB.Reader(), Dir: f.S.Dir}
	incr := map[string]Finding{}
	if err := f.S.collectPayments(f.Ctx, in, payees, accts, func(x Finding) {
		if _, dup := incr[x.Key]; dup {
			t.Errorf("incremental emitted %s twice", x.Key)
		}
		incr[x.Key] = x
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keysOf(full)) != fmt.Sprint(keysOf(incr)) {
		t.Fatalf("keys differ:\nfull %v\nincr %v", keysOf(full), keysOf(incr))
	}
	for k, a := range full {
		b := incr[k]
		if string(a.Evidence) != string(b.Evidence) || a.Explanation != b.Explanation || a.AmountFen != b.AmountFen ||
			a.RegionCode != b.RegionCode || a.HouseholdID != b.HouseholdID || a.EntityID != b.EntityID {
			t.Errorf("%s differs:\nfull %+v %s\nincr %+v %s", k, a, a.Evidence, b, b.Evidence)
		}
	}

	// Through the runs: a full run stores them, the incremental run over every payment finds the
	// same and writes nothing; a second full run changes nothing either.
	first, err := f.S.evaluate(f.Ctx, f.City, cityCode, "full", paymentsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if first.New == 0 || first.Status != "done" {
		t.Fatalf("full run: %+v", first)
	}
	alerts := f.count(`SELECT COUNT(*) FROM alerts`)
	info, mark, err := f.S.EvaluatePayments(f.Ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode != "incremental" || info.Found != len(full) || info.New != 0 || info.Updated != 0 {
		t.Errorf("incremental after full: %+v (full payment findings %d)", info, len(full))
	}
	if top := f.count(`SELECT MAX(id) FROM ledger_transfers`); mark != top {
		t.Errorf("watermark %d, want %d", mark, top)
	}
	again, err := f.S.evaluate(f.Ctx, f.City, cityCode, "full", paymentsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if again.New != 0 || again.Updated != 0 || f.count(`SELECT COUNT(*) FROM alerts`) != alerts {
		t.Errorf("second full run: %+v", again)
	}
	// Nothing new: no run at all.
	if info, m2, err := f.S.EvaluatePayments(f.Ctx, mark); err != nil || info.ID != 0 || m2 != mark {
		t.Errorf("idle incremental: %+v %d %v", info, m2, err)
	}
}

func TestIncrementalNewPayment(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f)
	_, pb := l.person(villageA, "registered", 1, "甲")
	_, other := l.person(villageB, "registered", 2, "乙")
	l.pay(pb, l.living, "2026-05", "2026-05-10", 10000, "6222000000000001", "甲")
	l.pay(other, l.living, "2026-05", "2026-05-10", 10000, "6222000000000002", "乙")
	if _, err := f.S.evaluate(f.Ctx, f.City, cityCode, "full", paymentsOnly); err != nil {
		t.Fatal(err)
	}
	mark := f.count(`SELECT MAX(id) FROM ledger_transfers`)
	before := f.count(`SELECT COUNT(*) FROM alerts`)
	// Paid again for the same item and period, into the other payee's account.
	l.pay(pb, l.living, "2026-05", "2026-05-20", 10000, "6222000000000002", "乙")
	info, next, err := f.S.EvaluatePayments(f.Ctx, mark)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("%s:payee=%d:item=%d:period=2026-05", CheckPaymentDuplicate, pb, l.living),
		fmt.Sprintf("%s:payee=%d:item=%d:period=2026-05", CheckAboveStandard, pb, l.living),
		CheckAccountShared + ":account=" + accountHash("6222000000000002"),
		fmt.Sprintf("%s:payee=%d:account=%s", CheckHolderMismatch, pb, accountHash("6222000000000002")),
	}
	if info.New != len(want) || next <= mark || int(f.count(`SELECT COUNT(*) FROM alerts`)-before) != len(want) {
		t.Fatalf("incremental: %+v next %d", info, next)
	}
	for _, k := range want {
		if f.count(`SELECT COUNT(*) FROM alerts WHERE alert_key = ?`, k) != 1 {
			t.Errorf("no alert %s", k)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'alert.raise'`); n < int64(len(want)) {
		t.Errorf("alert.raise events: %d", n)
	}
	// The full run agrees: nothing new, nothing updated.
	full, err := f.S.evaluate(f.Ctx, f.City, cityCode, "full", paymentsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if full.New != 0 || full.Updated != 0 {
		t.Errorf("full after incremental: %+v", full)
	}
}

func TestWatchAdvancesWatermark(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f)
	_, pb := l.person(villageA, "registered", 1, "甲")
	l.pay(pb, l.living, "2026-05", "2026-05-10", 10000, "6222000000000001", "甲")
	l.pay(pb, l.living, "2026-05", "2026-05-11", 10000, "6222000000000001", "甲") // before the watcher: the full run's
	ctx := context.Background()
	if more, err := f.S.watchOnce(ctx); err != nil || more {
		t.Fatalf("first watch: %v %v", more, err)
	}
	start := f.count(`SELECT last_id FROM alert_watermarks WHERE name = 'payments'`)
	if start != f.count(`SELECT MAX(id) FROM ledger_transfers`) || f.count(`SELECT COUNT(*) FROM alerts`) != 0 {
		t.Fatalf("watermark starts at %d with %d alerts", start, f.count(`SELECT COUNT(*) FROM alerts`))
	}
	// New payments beyond one batch: worked through batch by batch.
	defer func(n int) { incrementalBatch = n }(incrementalBatch)
	incrementalBatch = 2
	_, p2 := l.person(villageA, "registered", 2, "乙")
	for _, day := range []string{"2026-06-01", "2026-06-02", "2026-06-03"} {
		l.pay(p2, l.living, "2026-06", day, 10000, "6222000000000009", "乙")
	}
	more, err := f.S.watchOnce(ctx)
	if err != nil || !more {
		t.Fatalf("second watch: %v %v", more, err)
	}
	mid := f.count(`SELECT last_id FROM alert_watermarks WHERE name = 'payments'`)
	if mid <= start || mid >= f.count(`SELECT MAX(id) FROM ledger_transfers`) {
		t.Errorf("after one batch the watermark is %d (start %d)", mid, start)
	}
	for more {
		if more, err = f.S.watchOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f.count(`SELECT last_id FROM alert_watermarks WHERE name = 'payments'`) != f.count(`SELECT MAX(id) FROM ledger_transfers`) {
		t.Error("watermark did not reach the newest transfer")
	}
	k := fmt.Sprintf("%s:payee=%d:item=%d:period=2026-06", CheckPaymentDuplicate, p2, l.living)
	if f.count(`SELECT COUNT(*) FROM alerts WHERE alert_key = ?`, k) != 1 {
		t.Errorf("no single alert %s", k)
	}
	// the payee paid before the watcher started is not evaluated incrementally
	if n := f.count(`SELECT COUNT(*) FROM alerts WHERE alert_key LIKE ?`, fmt.Sprintf("%%:payee=%d:%%", pb)); n != 0 {
		t.Errorf("old payments evaluated incrementally: %d", n)
	}
	// Watch itself stops with its context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	f.S.Watch(cctx, 1)
}
