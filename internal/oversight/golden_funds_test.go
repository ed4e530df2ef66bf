package oversight

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// ledgerFx is a county fund with two items (生活补助 100.00 元 per household, 教育补助 50.00 元
// per person) allocated to the county's finance, which pays passbooks.
type ledgerFx struct {
	f      *fixture
	fs     *funds.Service
	fund   funds.Fund
	living int64 // item, household basis, 100.00
	edu    int64 // item, person basis, 50.00
	fin    int64 // county finance account
}

func newLedger(f *fixture) *ledgerFx {
	f.t.Helper()
	l := &ledgerFx{f: f, fs: &funds.Service{DB: f.DB, Audit: f.S.Audit}}
	l.fund = l.newFund("T-MAIN", "1000000", "2026-01-01", "2026-12-31", []funds.ItemInput{
		{Code: "living", Name: "生活补助", Basis: "household", StandardYuan: "100"},
		{Code: "edu", Name: "教育补助", Basis: "person", StandardYuan: "50"}})
	for _, it := range l.fund.Items {
		if it.Code == "living" {
			l.living = it.ID
		} else {
			l.edu = it.ID
		}
	}
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		l.fin, err = funds.FinanceAccount(f.Ctx, tx, f.City.UserID, countyCode)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	l.post(funds.Posting{FundID: l.fund.ID, From: l.fund.SourceAccount, To: l.fin, AmountFen: 100_000_000, OnDate: "2026-01-05", Kind: "allocate"})
	return l
}

func (l *ledgerFx) newFund(code, yuan, received, deadline string, items []funds.ItemInput) funds.Fund {
	l.f.t.Helper()
	fd, err := l.fs.CreateFund(l.f.Ctx, l.f.City, funds.FundInput{Code: code, Name: "测试资金" + code, SourceLevel: "province", Category: "subsidy",
		Year: 2026, AmountYuan: yuan, RegionCode: countyCode, ViaCity: true, ReceivedOn: received, Deadline: deadline, Items: items})
	if err != nil {
		l.f.t.Fatal(err)
	}
	return fd
}

// post books postings in one transaction and answers their transfer ids.
func (l *ledgerFx) post(ps ...funds.Posting) []int64 {
	l.f.t.Helper()
	var ids []int64
	err := l.f.DB.InTx(l.f.Ctx, func(tx *db.Tx) error {
		p := funds.NewPoster(l.f.Ctx, tx, l.f.City.UserID)
		for _, x := range ps {
			if err := p.Post(x); err != nil {
				return err
			}
		}
		var err error
		ids, err = p.Flush()
		return err
	})
	if err != nil {
		l.f.t.Fatal(err)
	}
	return ids
}

// passbook opens the payee's passbook (household 0 = not a registered member).
func (l *ledgerFx) passbook(idNumber, name, region string, household int64) int64 {
	l.f.t.Helper()
	var id int64
	if err := l.f.DB.InTx(l.f.Ctx, func(tx *db.Tx) (err error) {
		id, err = funds.PassbookAccount(l.f.Ctx, tx, l.f.City.UserID, funds.Payee{IDNumber: idNumber, Name: name, RegionCode: region, HouseholdID: household})
		return err
	}); err != nil {
		l.f.t.Fatal(err)
	}
	return id
}

// pay pays a passbook from the county finance and answers the transfer id.
func (l *ledgerFx) pay(pb, item int64, period, on string, fen int64, acct, holder string) int64 {
	return l.post(funds.Posting{FundID: l.fund.ID, From: l.fin, To: pb, AmountFen: fen, OnDate: on, Kind: "payment", ItemID: item,
		Period: period, AccountNo: acct, AccountHolder: holder})[0]
}

func (l *ledgerFx) reverse(id, pb int64, fen int64) {
	l.post(funds.Posting{FundID: l.fund.ID, From: pb, To: l.fin, AmountFen: fen, OnDate: "2026-07-01", Kind: "reversal", ReversesID: id})
}

// person is a registered member with a passbook: household, passbook.
func (l *ledgerFx) person(village, status string, n int, name string) (hh, pb int64) {
	hh = l.f.Household(village, status)
	l.f.Member(hh, l.f.IDNumber(n), name)
	return hh, l.passbook(l.f.IDNumber(n), name, village, hh)
}

func pk(acct int64) string { return fmt.Sprintf(":payee=%d", acct) }

func TestGoldenFundsPayees(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f)
	acct := func(n int) string { return fmt.Sprintf("62220000%08d", n) }

	// payee_unregistered: nobody's member; a member of a household still applying; near miss: a member.
	stranger := l.passbook(f.IDNumber(10), "路人甲", villageA, 0)
	l.pay(stranger, l.living, "2026-05", "2026-05-10", 10000, acct(10), "路人甲")
	_, applying := l.person(villageA, "applying", 11, "申请人")
	l.pay(applying, l.living, "2026-05", "2026-05-10", 10000, acct(11), "申请人")
	_, member := l.person(villageA, "registered", 12, "在册人")
	l.pay(member, l.living, "2026-05", "2026-05-10", 10000, acct(12), "在册人")

	// payee_removed: household removed on 2026-03-01 (members inactive); paid that day vs the day after.
	removed := func(n int, name, on string) int64 {
		hh, pb := l.person(villageA, "registered", n, name)
		f.exec(`UPDATE households SET status = 'removed', removed_on = '2026-03-01' WHERE id = ?`, hh)
		f.exec(`UPDATE members SET active = 0, left_on = '2026-03-01' WHERE household_id = ?`, hh)
		l.pay(pb, l.living, "2026-03", on, 10000, acct(n), name)
		return pb
	}
	remSameDay := removed(20, "核销当日", "2026-03-01")
	remAfter := removed(21, "核销之后", "2026-03-02")

	// payee_deceased: died 2026-05-01 (registry); paid the day before vs the day after; a death only the dataset knows.
	dead := func(n int, name, on string) int64 {
		_, pb := l.person(villageA, "registered", n, name)
		f.exec(`UPDATE members SET deceased_on = '2026-05-01' WHERE id_number = ?`, f.IDNumber(n))
		l.pay(pb, l.living, "2026-04", on, 10000, acct(n), name)
		return pb
	}
	deadBefore := dead(30, "死前领取", "2026-04-30")
	deadAfter := dead(31, "死后领取", "2026-05-02")
	_, byData := l.person(villageA, "registered", 32, "数据集死亡")
	l.pay(byData, l.living, "2026-06", "2026-06-15", 10000, acct(32), "数据集死亡")
	_, byDataEarly := l.person(villageA, "registered", 33, "死前数据集")
	l.pay(byDataEarly, l.living, "2026-05", "2026-05-31", 10000, acct(33), "死前数据集")

	// payee_exited: policy_until 2026-06-30; paid on it vs the day after.
	exited := func(n int, name, on string) int64 {
		hh, pb := l.person(villageB, "exited", n, name)
		f.exec(`UPDATE households SET exited_on = '2024-06-30', policy_until = '2026-06-30' WHERE id = ?`, hh)
		l.pay(pb, l.living, "2026-06", on, 10000, acct(n), name)
		return pb
	}
	exitOnDay := exited(40, "政策期末日", "2026-06-30")
	exitAfter := exited(41, "政策期后", "2026-07-01")

	// public employee: employment ended before the payment vs employed at the time.
	_, formerEmp := l.person(villageA, "registered", 50, "已离职")
	l.pay(formerEmp, l.living, "2026-05", "2026-05-10", 10000, acct(50), "已离职")
	_, employee := l.person(villageA, "registered", 51, "在职者")
	l.pay(employee, l.living, "2026-05", "2026-05-10", 10000, acct(51), "在职者")
	unregEmp := l.passbook(f.IDNumber(52), "在编非户", villageA, 0) // the datasets know people outside the registry too
	l.pay(unregEmp, l.living, "2026-05", "2026-05-10", 10000, acct(52), "在编非户")

	// cadre relative
	_, spouse := l.person(villageA, "registered", 60, "村官配偶")
	l.pay(spouse, l.living, "2026-05", "2026-05-10", 10000, acct(60), "村官配偶")

	// holder_mismatch: another name vs the same name with a space (and an empty holder).
	_, odd := l.person(villageA, "registered", 70, "张三")
	l.pay(odd, l.living, "2026-05", "2026-05-10", 10000, "6222111122223333", "李四")
	_, spaced := l.person(villageA, "registered", 71, "王五")
	l.pay(spaced, l.living, "2026-05", "2026-05-10", 10000, acct(71), " 王　五 ")
	l.pay(spaced, l.living, "2026-06", "2026-06-10", 10000, acct(71), "")

	key := func(n int) uint64 { k, _ := idcard.Pack(f.IDNumber(n)); return k }
	facts := &personFacts{
		deaths: map[uint64]deathFact{key(32): {Day: 20260601, Dataset: 9, Line: 4}, key(33): {Day: 20260601, Dataset: 9, Line: 5}},
		employ: map[uint64][]employment{
			key(50): {{From: 20200101, To: 20260331, Employer: "某局", Dataset: 8, Line: 2}},
			key(51): {{From: 20240101, Employer: "某镇政府", Position: "科员", Dataset: 8, Line: 3}},
			key(52): {{Employer: "某学校", Dataset: 8, Line: 4}},
		},
		cadre: map[uint64][]cadreRel{key(60): {{Relation: "spouse", CadreName: "赵支书", CadrePosition: "村党支部书记", Dataset: 7, Line: 2}}},
	}
	got := f.findings(evalFunds, facts, nil)
	k := func(check string, pb int64) string { return check + pk(pb) }
	want(t, got, []string{
		k(CheckPayeeUnregistered, stranger), k(CheckPayeeUnregistered, applying), k(CheckPayeeUnregistered, unregEmp),
		k(CheckPayeeRemoved, remAfter),
		k(CheckPayeeDeceased, deadAfter), k(CheckPayeeDeceased, byData),
		k(CheckPayeeExited, exitAfter),
		k(CheckPayeePublicEmployee, employee), k(CheckPayeePublicEmployee, unregEmp),
		k(CheckPayeeCadre, spouse),
		k(CheckHolderMismatch, odd) + ":account=" + accountHash("6222111122223333"),
	}, []string{
		k(CheckPayeeUnregistered, member), k(CheckPayeeUnregistered, remSameDay),
		k(CheckPayeeRemoved, remSameDay),
		k(CheckPayeeDeceased, deadBefore), k(CheckPayeeDeceased, byDataEarly),
		k(CheckPayeeExited, exitOnDay),
		k(CheckPayeePublicEmployee, formerEmp),
		k(CheckPayeeCadre, member),
		k(CheckHolderMismatch, spaced) + ":account=" + accountHash(acct(71)),
	})
	// nothing else fired on these payees
	for key, x := range got {
		if x.RuleKey == CheckFundBehind || x.RuleKey == CheckFundIdle || x.RuleKey == CheckFundUnfiled {
			continue
		}
		if strings.HasPrefix(key, CheckHolderMismatch) && !strings.Contains(key, pk(odd)) {
			t.Errorf("unexpected holder mismatch %s: %s", key, x.Explanation)
		}
		if strings.Contains(string(x.Evidence), f.IDNumber(10)) || strings.Contains(x.Explanation, f.IDNumber(10)) {
			t.Errorf("raw ID number in %s", key)
		}
	}
	x := got[k(CheckPayeeDeceased, deadAfter)]
	if x.AmountFen != 10000 || x.HouseholdID == 0 || x.RegionCode != villageA || !strings.Contains(x.Explanation, "2026-05-01") ||
		!strings.Contains(x.Explanation, "死后领取") || !strings.Contains(string(x.Evidence), `"death_source":"registry"`) {
		t.Errorf("deceased: %+v %s", x, x.Evidence)
	}
	if x := got[k(CheckPayeeDeceased, byData)]; !strings.Contains(string(x.Evidence), `"dataset_id":9`) || !strings.Contains(x.Explanation, "数据集") {
		t.Errorf("dataset death: %s %s", x.Explanation, x.Evidence)
	}
	if x := got[k(CheckPayeeExited, exitAfter)]; !strings.Contains(x.Explanation, "2026-06-30") || x.RegionCode != villageB {
		t.Errorf("exited: %s", x.Explanation)
	}
	if x := got[k(CheckHolderMismatch, odd)+":account="+accountHash("6222111122223333")]; !strings.Contains(x.Explanation, "************3333") ||
		strings.Contains(x.Explanation, "6222111122223333") || strings.Contains(string(x.Evidence), "6222111122223333") || !strings.Contains(x.Explanation, "李四") {
		t.Errorf("holder: %s %s", x.Explanation, x.Evidence)
	}
	if x := got[k(CheckPayeePublicEmployee, employee)]; !strings.Contains(string(x.Evidence), `"employer":"某镇政府"`) ||
		!strings.Contains(string(x.Evidence), `"from":"2024-01-01"`) || !strings.Contains(x.Explanation, "至今") || x.AmountFen != 10000 {
		t.Errorf("public employee: %s %s", x.Explanation, x.Evidence)
	}
	if x := got[k(CheckPayeeCadre, spouse)]; !strings.Contains(x.Explanation, "赵支书") || !strings.Contains(x.Explanation, "配偶") ||
		!strings.Contains(string(x.Evidence), `"relation":"spouse"`) {
		t.Errorf("cadre: %s %s", x.Explanation, x.Evidence)
	}
	// The relations filter: only cadres themselves → the spouse is quiet.
	got = f.findings(evalFunds, facts, func(r map[string]*Rule) { r[CheckPayeeCadre].Params.Relations = []string{"self"} })
	want(t, got, nil, []string{k(CheckPayeeCadre, spouse)})
	// Without facts the dataset-only cases are quiet, the registry's death still fires.
	got = f.findings(evalFunds, nil, nil)
	want(t, got, []string{k(CheckPayeeDeceased, deadAfter)}, []string{k(CheckPayeeDeceased, byData), k(CheckPayeePublicEmployee, employee),
		k(CheckPayeeCadre, spouse)})
	// Rules off: nothing of theirs.
	got = f.findings(evalFunds, facts, func(r map[string]*Rule) {
		for _, c := range paymentChecks {
			delete(r, c)
		}
	})
	for key := range got {
		for _, c := range paymentChecks {
			if strings.HasPrefix(key, c+":") {
				t.Errorf("%s fired with its rule off", key)
			}
		}
	}
}

func TestGoldenFundsDuplicatesSharedAbove(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f)
	// payment_duplicate: twice for 2026-05 (fires), once for 2026-06 (same item other period: quiet);
	// another payee twice for 2026-05 with one reversed (quiet).
	_, dup := l.person(villageA, "registered", 1, "重复人")
	l.pay(dup, l.living, "2026-05", "2026-05-10", 10000, "6222000000000001", "重复人")
	l.pay(dup, l.living, "2026-05", "2026-05-20", 10000, "6222000000000001", "重复人")
	l.pay(dup, l.living, "2026-06", "2026-06-10", 10000, "6222000000000001", "重复人")
	_, rev := l.person(villageA, "registered", 2, "冲销人")
	l.pay(rev, l.living, "2026-05", "2026-05-10", 10000, "6222000000000002", "冲销人")
	second := l.pay(rev, l.living, "2026-05", "2026-05-20", 10000, "6222000000000002", "冲销人")
	l.reverse(second, rev, 10000)
	// same period, different items: not a duplicate
	l.pay(rev, l.edu, "2026-05", "2026-05-20", 5000, "6222000000000002", "冲销人")

	// account_shared: one number paid to two households (fires); two accounts, same holder name
	// (quiet); two members of one household on one account (quiet).
	_, s1 := l.person(villageA, "registered", 10, "共用甲")
	_, s2 := l.person(villageB, "registered", 11, "共用乙")
	l.pay(s1, l.living, "2026-05", "2026-05-10", 10000, "6222555566667777", "共用甲")
	l.pay(s2, l.living, "2026-05", "2026-05-10", 10000, "6222555566667777", "共用甲")
	_, n1 := l.person(villageA, "registered", 12, "同名人")
	_, n2 := l.person(villageA, "registered", 13, "同名人")
	l.pay(n1, l.living, "2026-05", "2026-05-10", 10000, "6222000000000012", "同名人")
	l.pay(n2, l.living, "2026-05", "2026-05-10", 10000, "6222000000000013", "同名人")
	fam, m1 := l.person(villageA, "registered", 14, "家人甲")
	f.Member(fam, f.IDNumber(15), "家人乙")
	m2 := l.passbook(f.IDNumber(15), "家人乙", villageA, fam)
	l.pay(m1, l.living, "2026-05", "2026-05-10", 10000, "6222000000000014", "家人甲")
	l.pay(m2, l.edu, "2026-05", "2026-05-10", 5000, "6222000000000014", "家人甲")

	// above_standard: household item exactly 100.00 (quiet) vs 100.01 (fires); person item
	// 50.00 × 3 members: 150.00 (quiet) vs 150.01 (fires).
	_, exact := l.person(villageA, "registered", 20, "刚好")
	l.pay(exact, l.living, "2026-05", "2026-05-10", 10000, "6222000000000020", "刚好")
	_, over := l.person(villageA, "registered", 21, "超一分")
	l.pay(over, l.living, "2026-05", "2026-05-10", 10001, "6222000000000021", "超一分")
	three := func(n int, name string, fen int64) int64 {
		hh, pb := l.person(villageB, "registered", n, name)
		f.Member(hh, f.IDNumber(n+100), name+"子")
		f.Member(hh, f.IDNumber(n+200), name+"女")
		l.pay(pb, l.edu, "2026", "2026-03-01", fen, fmt.Sprintf("62220000000000%02d", n), name)
		return pb
	}
	perExact := three(22, "三口刚好", 15000)
	perOver := three(23, "三口超标", 15001)

	item := func(it int64, p string) string { return fmt.Sprintf(":item=%d:period=%s", it, p) }
	shared := CheckAccountShared + ":account=" + accountHash("6222555566667777")
	got := f.findings(evalFunds, nil, nil)
	want(t, got, []string{
		CheckPaymentDuplicate + pk(dup) + item(l.living, "2026-05"),
		shared,
		CheckAboveStandard + pk(over) + item(l.living, "2026-05"),
		CheckAboveStandard + pk(perOver) + item(l.edu, "2026"),
		// the duplicate is also above the standard for its period
		CheckAboveStandard + pk(dup) + item(l.living, "2026-05"),
	}, []string{
		CheckPaymentDuplicate + pk(dup) + item(l.living, "2026-06"),
		CheckPaymentDuplicate + pk(rev) + item(l.living, "2026-05"),
		CheckPaymentDuplicate + pk(rev) + item(l.edu, "2026-05"),
		CheckAccountShared + ":account=" + accountHash("6222000000000012"),
		CheckAccountShared + ":account=" + accountHash("6222000000000013"),
		CheckAccountShared + ":account=" + accountHash("6222000000000014"),
		CheckAboveStandard + pk(exact) + item(l.living, "2026-05"),
		CheckAboveStandard + pk(perExact) + item(l.edu, "2026"),
		CheckAboveStandard + pk(rev) + item(l.living, "2026-05"),
	})
	d := got[CheckPaymentDuplicate+pk(dup)+item(l.living, "2026-05")]
	if d.AmountFen != 10000 || !strings.Contains(d.Explanation, "2026-05") || !strings.Contains(d.Explanation, "生活补助") {
		t.Errorf("duplicate: %d %s", d.AmountFen, d.Explanation)
	}
	s := got[shared]
	if s.AmountFen != 20000 || strings.Contains(s.Key+s.Explanation+string(s.Evidence), "6222555566667777") ||
		!strings.Contains(s.Explanation, "************7777") || !strings.Contains(string(s.Evidence), `"households":2`) ||
		s.RegionCode != "320921100000" { // the town both villages share
		t.Errorf("shared: %+v %s", s, s.Evidence)
	}
	if a := got[CheckAboveStandard+pk(perOver)+item(l.edu, "2026")]; a.AmountFen != 1 || !strings.Contains(a.Explanation, "3 人") {
		t.Errorf("above standard per person: %d %s", a.AmountFen, a.Explanation)
	}
	// A tolerance of one fen lets 100.01 pass.
	got = f.findings(evalFunds, nil, func(r map[string]*Rule) { r[CheckAboveStandard].Params.ToleranceFen = 1 })
	want(t, got, nil, []string{CheckAboveStandard + pk(over) + item(l.living, "2026-05"), CheckAboveStandard + pk(perOver) + item(l.edu, "2026")})
	// The other county's run sees none of it.
	lo, hi := regioncode.Range(otherCode)
	in := &evalInput{At: f.Now, Lo: lo, Hi: hi, Rules: enabledRules(DefaultRules().Rules), Q: f.DB.Reader(), Dir: f.S.Dir}
	if err := evalFunds(f.Ctx, in, func(x Finding) { t.Errorf("other county: %s", x.Key) }); err != nil {
		t.Fatal(err)
	}
}

func TestGoldenFundLevel(t *testing.T) {
	f := newFixture(t)
	l := newLedger(f) // T-MAIN: 1,000,000 yuan from 2026-01-01 to 2026-12-31, almost nothing paid → behind
	_, pb := l.person(villageA, "registered", 1, "领取人")
	l.pay(pb, l.living, "2026-05", "2026-05-10", 10000, "6222000000000001", "领取人")
	// fund_idle: money moved to a village account on 2026-03-01 and left (136 days) vs moved on
	// 2026-06-01 (44 days); a small idle balance under min_fen.
	open := func(name string) int64 {
		var id int64
		if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
			id, err = tx.InsertID(f.Ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('village', ?, ?, 1, ?) RETURNING id`,
				name, villageA, db.Time(tx.Now))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	idle, fresh, small := open("甲村集体"), open("乙村集体"), open("丙村集体")
	mv := func(to int64, on string, fen int64) {
		l.post(funds.Posting{FundID: l.fund.ID, From: l.fin, To: to, AmountFen: fen, OnDate: on, Kind: "transfer"})
	}
	mv(idle, "2026-03-01", 5_000_000)
	mv(fresh, "2026-06-01", 5_000_000)
	mv(small, "2026-01-10", 50_000)
	// fund_behind near miss: a fund received two weeks ago (schedule ≈ 4%, within the 20-point margin).
	young := l.newFund("T-YOUNG", "1000", "2026-07-01", "2027-06-30", []funds.ItemInput{{Code: "x", Name: "新项目", Basis: "household", StandardYuan: "10"}})
	// fund_unfiled: bypassing the city, received 2026-05-01 and not filed (fires); received
	// 2026-07-01 (quiet: 14 days); received 2026-04-01 but filed (quiet).
	unfiled := l.newFund("T-UNFILED", "1000", "2026-05-01", "2026-12-31", []funds.ItemInput{{Code: "x", Name: "直达项目", Basis: "household", StandardYuan: "10"}})
	filed := l.newFund("T-FILED", "1000", "2026-04-01", "2026-12-31", []funds.ItemInput{{Code: "x", Name: "直达项目", Basis: "household", StandardYuan: "10"}})
	f.exec(`UPDATE funds SET via_city = 0 WHERE id IN (?, ?, ?)`, unfiled.ID, filed.ID, young.ID)
	f.exec(`UPDATE funds SET filed_on = '2026-04-10' WHERE id = ?`, filed.ID)

	fk := func(check string, id int64) string { return fmt.Sprintf("%s:fund=%d", check, id) }
	ik := func(acct int64) string { return fmt.Sprintf("%s:account=%d:fund=%d", CheckFundIdle, acct, l.fund.ID) }
	got := f.findings(evalFunds, nil, nil)
	want(t, got, []string{fk(CheckFundBehind, l.fund.ID), fk(CheckFundUnfiled, unfiled.ID), ik(idle)},
		[]string{fk(CheckFundBehind, young.ID), fk(CheckFundUnfiled, young.ID), fk(CheckFundUnfiled, filed.ID), ik(fresh), ik(small), ik(l.fin)})
	if x := got[ik(idle)]; x.AmountFen != 5_000_000 || !strings.Contains(x.Explanation, "136 天") || x.RegionCode != villageA {
		t.Errorf("idle: %d %s", x.AmountFen, x.Explanation)
	}
	if x := got[fk(CheckFundBehind, l.fund.ID)]; !strings.Contains(x.Explanation, "100.00") || x.AmountFen <= 0 || x.EntityType != "fund" {
		t.Errorf("behind: %d %s", x.AmountFen, x.Explanation)
	}
	// The margin is data: at 60 points the main fund is not behind.
	got = f.findings(evalFunds, nil, func(r map[string]*Rule) { r[CheckFundBehind].Params.MarginPct = 60 })
	want(t, got, nil, []string{fk(CheckFundBehind, l.fund.ID)})
	// And so is the idle threshold: at 150 days the village account is not idle yet.
	got = f.findings(evalFunds, nil, func(r map[string]*Rule) { r[CheckFundIdle].Params.Days = 150 })
	want(t, got, nil, []string{ik(idle)})
}

// writeDataset registers a dataset file (CSV) of a kind for a region and answers its id.
func (f *fixture) writeDataset(kind, region, asOf, csv string, retired bool) int64 {
	f.t.Helper()
	sum := sha256.Sum256([]byte(csv))
	sha := hex.EncodeToString(sum[:])
	dir := filepath.Join(f.S.Dir, "datasets")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, sha+".csv"), []byte(csv), 0o644); err != nil {
		f.t.Fatal(err)
	}
	var ret any
	if retired {
		ret = "2026-07-01T00:00:00.000000Z"
	}
	var id int64
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) (err error) {
		id, err = tx.InsertID(f.Ctx, `INSERT INTO datasets (kind, sha256, file_name, format, size, source_dept, as_of, rows_total, rows_matched,
			rows_rejected, region_code, created_by, created_at, retired_at) VALUES (?, ?, 'f.csv', 'csv', ?, '测试', ?, 1, 0, 0, ?, 1, ?, ?) RETURNING id`,
			kind, sha, len(csv), asOf, region, db.Time(tx.Now), ret)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestLoadFactsFromDatasets(t *testing.T) {
	f := newFixture(t)
	id := f.IDNumber
	death := f.writeDataset("death", cityCode, "2026-07-01", "身份证号,姓名,死亡日期\n"+id(1)+",甲,2026-05-01\n"+id(2)+",乙,2026/06/02\n", false)
	f.writeDataset("death", cityCode, "2026-01-01", "身份证号,姓名,死亡日期\n"+id(3)+",旧,2025-01-01\n", false)  // older: not read
	f.writeDataset("death", cityCode, "2026-07-10", "身份证号,姓名,死亡日期\n"+id(4)+",停,2025-01-01\n", true)   // retired
	f.writeDataset("death", otherCode, "2026-07-10", "身份证号,姓名,死亡日期\n"+id(5)+",外,2025-01-01\n", false) // another county
	county := f.writeDataset("public_employee", countyCode, "2026-07-01",
		"身份证号,姓名,工作单位,职务,入职日期,离职日期\n"+id(6)+",丙,某局,科员,2020-01-01,\n"+id(6)+",丙,某镇,,2010-01-01,2015-12\n", false)
	cadre := f.writeDataset("cadre_relative", cityCode, "2026-07-01",
		"亲属身份证号,亲属姓名,干部身份证号,干部姓名,干部职务,关系\n"+id(7)+",丁,"+id(8)+",戊,村支书,妻子\n", false)
	f.exec(`UPDATE members SET deceased_on = '2026-03-03' WHERE id = (SELECT MIN(id) FROM members)`)

	facts, err := loadFacts(f.Ctx, &f.S.facts, f.DB.Reader(), f.S.Dir, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	key := func(n int) uint64 { k, _ := idcard.Pack(id(n)); return k }
	if fmt.Sprint(facts.Datasets) != fmt.Sprint([]int64{death, county, cadre}) {
		t.Errorf("datasets %v, want %v", facts.Datasets, []int64{death, county, cadre})
	}
	if d, ok := facts.Death(key(1)); !ok || d.Day != 20260501 || d.Dataset != death || d.Line != 2 {
		t.Errorf("death 1: %+v %v", d, ok)
	}
	if d, _ := facts.Death(key(2)); d.Day != 20260602 {
		t.Errorf("death 2: %+v", d)
	}
	for _, n := range []int{3, 4, 5} {
		if _, ok := facts.Death(key(n)); ok {
			t.Errorf("death %d read from a dataset that is not in use here", n)
		}
	}
	jobs := facts.Employments(key(6))
	if len(jobs) != 2 || jobs[0].From != 20200101 || jobs[0].To != 0 || jobs[0].Employer != "某局" || jobs[1].To != 20151231 {
		t.Errorf("employment: %+v", jobs)
	}
	if c := facts.Cadre(key(7)); len(c) != 1 || c[0].Relation != "spouse" || c[0].CadreName != "戊" {
		t.Errorf("cadre: %+v", c)
	}
	var first string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT id_number FROM members WHERE id = (SELECT MIN(id) FROM members)`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	k0, _ := idcard.Pack(first)
	if d, src := facts.DeathOf(k0); d != "2026-03-03" || src != "registry" {
		t.Errorf("registry death: %s %s", d, src)
	}
	if d, src := facts.DeathOf(key(1)); d != "2026-05-01" || src != "dataset" {
		t.Errorf("dataset death: %s %s", d, src)
	}
	// Cached: the same dataset maps come back while the set is unchanged; a new one reloads.
	again, err := loadFacts(f.Ctx, &f.S.facts, f.DB.Reader(), f.S.Dir, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%p", again.deaths) != fmt.Sprintf("%p", facts.deaths) {
		t.Error("facts read again though no dataset changed")
	}
	newer := f.writeDataset("death", cityCode, "2026-07-12", "身份证号,姓名,死亡日期\n"+id(9)+",新,2026-07-01\n", false)
	again, err = loadFacts(f.Ctx, &f.S.facts, f.DB.Reader(), f.S.Dir, countyCode)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.Death(key(9)); !ok || again.Datasets[len(again.Datasets)-1] != newer {
		t.Errorf("new dataset not read: %v", again.Datasets)
	}
	if _, ok := again.Death(key(1)); ok {
		t.Error("the superseded death dataset is still read")
	}
}

// FuzzFundsText: the holder-name comparison ignores exactly the spaces normName drops, period
// codes round-trip, and a masked account number keeps its length and last four.
func FuzzFundsText(f *testing.F) {
	f.Add("张 三", "张三", "2026-05", "6222111122223333")
	f.Add(" 王　五 ", "王五", "2026", "1234")
	f.Add("", "李四", "1999-13", "")
	f.Add("a\u00a0b", "ab", "20x6-01", "622")
	f.Fuzz(func(t *testing.T, holder, name, period, acct string) {
		norm := normName(name)
		got := sameName([]byte(holder), norm)
		h := normName(holder)
		if want := h == "" || h == norm; got != want && norm != "" {
			t.Errorf("sameName(%q, %q) = %v, want %v", holder, norm, got, want)
		}
		c := periodCode([]byte(period))
		if c != 0 && funds.ValidPeriod(period) && periodText(c) != period {
			t.Errorf("period %q → %d → %q", period, c, periodText(c))
		}
		if funds.ValidPeriod(period) && c == 0 {
			t.Errorf("valid period %q not packed", period)
		}
		m := []rune(funds.MaskAccount(acct))
		r := []rune(acct)
		if len(m) != len(r) || len(r) > 4 && string(m[len(m)-4:]) != string(r[len(r)-4:]) {
			t.Errorf("mask %q → %q", acct, string(m))
		}
		if len(r) > 8 && strings.Trim(string(r[4:len(r)-4]), "*") != "" && string(m) == acct {
			t.Errorf("mask %q kept it whole", acct)
		}
	})
}
