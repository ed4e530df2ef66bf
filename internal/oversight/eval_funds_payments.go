package oversight

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sunshine/internal/funds"
	"sunshine/internal/idcard"
)

// ---- payment checks ----

// checkPayees walks each payee's records (only the payees in only, when not nil).
func (d *fundsData) checkPayees(in *evalInput, only map[int32]bool, emit func(Finding)) {
	for start := 0; start < len(d.recs); {
		end := start + 1
		for end < len(d.recs) && d.recs[end].payee == d.recs[start].payee {
			end++
		}
		pi := d.recs[start].payee
		if only == nil || only[pi] {
			d.checkPayee(in, &d.payees[pi], d.recs[start:end], emit)
		}
		start = end
	}
}

// checkPayee runs every payee check over one payee's records (sorted by item, period, date).
func (d *fundsData) checkPayee(in *evalInput, p *fpayee, recs []payRec, emit func(Finding)) {
	who := p.name
	if who == "" {
		who = idcard.Mask(p.idNo())
	}
	base := func(r *Rule, suffix string, amount int64, explanation string, ev *fundsEvidence) {
		ev.Check = r.Check
		if ev.Payee == nil {
			ev.Payee = d.payeeEv(p)
		}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":payee=" + strconv.FormatInt(p.id, 10) + suffix, RegionCode: p.region,
			EntityType: "account", EntityID: p.id, HouseholdID: p.household, AmountFen: amount, Explanation: explanation,
			Evidence: evidence(ev)})
	}
	after := func(day int32) []payRec { // the payments dated after day
		var out []payRec
		for _, r := range recs {
			if r.date > day {
				out = append(out, r)
			}
		}
		sortByDate(out)
		return out
	}
	// payee_unregistered: in no household, or in one still applying
	if r := in.rule(CheckPayeeUnregistered); r != nil && (p.household == 0 || p.status == "applying") {
		ev := &fundsEvidence{}
		all := slices.Clone(recs)
		sortByDate(all)
		d.payments(ev, all)
		why := "不在任何在档户中"
		if p.household != 0 {
			why = "所在户 " + p.hhNo + " 尚未识别纳入"
		}
		base(r, "", ev.TotalFen, fmt.Sprintf("%s(%s)%s,仍向其发放 %d 笔共 %s", who, idcard.Mask(p.idNo()), why, ev.PaymentCount, yuan(ev.TotalFen)), ev)
	}
	// payee_removed: paid after the household was removed
	if r := in.rule(CheckPayeeRemoved); r != nil && p.status == "removed" && p.removedOn != 0 {
		if hit := after(p.removedOn); len(hit) > 0 {
			ev := &fundsEvidence{RemovedOn: ymdText(p.removedOn)}
			d.payments(ev, hit)
			base(r, "", ev.TotalFen, fmt.Sprintf("农户 %s(户主 %s)已于 %s 核销,其后仍向 %s 发放 %d 笔共 %s", p.hhNo, p.head, ev.RemovedOn, who,
				ev.PaymentCount, yuan(ev.TotalFen)), ev)
		}
	}
	// payee_exited: paid after the policy period of an exited household
	if r := in.rule(CheckPayeeExited); r != nil && p.status == "exited" {
		until := p.policyUntil
		if until == 0 {
			until = p.exitedOn
		}
		if until != 0 {
			if hit := after(until); len(hit) > 0 {
				ev := &fundsEvidence{ExitedOn: ymdText(p.exitedOn), PolicyUntil: ymdText(p.policyUntil)}
				d.payments(ev, hit)
				base(r, "", ev.TotalFen, fmt.Sprintf("农户 %s(户主 %s)已脱贫,政策期至 %s,其后仍向 %s 发放 %d 笔共 %s", p.hhNo, p.head, ymdText(until), who,
					ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_deceased: paid after the death (registry or death dataset, the earlier)
	if r := in.rule(CheckPayeeDeceased); r != nil {
		day, source := p.deceased, "registry"
		var ds, line int64
		if f, ok := d.facts.Death(p.key); ok && p.key != 0 && (day == 0 || f.Day < day) {
			day, source, ds, line = f.Day, "dataset", f.Dataset, f.Line
		}
		if day != 0 {
			if hit := after(day); len(hit) > 0 {
				ev := &fundsEvidence{DeathDate: ymdText(day), DeathSource: source, Dataset: ds, DatasetLine: line}
				d.payments(ev, hit)
				src := "户籍成员信息"
				if source == "dataset" {
					src = fmt.Sprintf("死亡人员数据集 %d 第 %d 行", ds, line)
				}
				base(r, "", ev.TotalFen, fmt.Sprintf("%s 已于 %s 死亡(%s),其后仍发放 %d 笔共 %s", who, ev.DeathDate, src, ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_public_employee: paid while employed (财政供养)
	if r := in.rule(CheckPayeePublicEmployee); r != nil && p.key != 0 {
		if jobs := d.facts.Employments(p.key); len(jobs) > 0 {
			var hit []payRec
			used := map[int]bool{}
			for _, rec := range recs {
				for j, e := range jobs {
					if (e.From == 0 || rec.date >= e.From) && (e.To == 0 || rec.date <= e.To) {
						hit = append(hit, rec)
						used[j] = true
						break
					}
				}
			}
			if len(hit) > 0 {
				sortByDate(hit)
				ev := &fundsEvidence{}
				var first employment
				for j, e := range jobs {
					if used[j] {
						if len(ev.Employment) == 0 {
							first = e
						}
						ev.Employment = append(ev.Employment, evEmployment{Employer: e.Employer, Position: e.Position, From: ymdText(e.From),
							To: ymdText(e.To), DatasetID: e.Dataset, DatasetLine: e.Line})
					}
				}
				d.payments(ev, hit)
				e := first
				span := ymdText(e.From) + " 至 " + ymdText(e.To)
				if e.To == 0 {
					span = ymdText(e.From) + " 至今"
				}
				base(r, "", ev.TotalFen, fmt.Sprintf("%s 为财政供养人员(%s,%s),任职期间领取 %d 笔共 %s", who, e.Employer, strings.TrimSpace(span),
					ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_cadre: a cadre or a cadre's close relative (relations filter)
	if r := in.rule(CheckPayeeCadre); r != nil && p.key != 0 {
		var rels []cadreRel
		for _, c := range d.facts.Cadre(p.key) {
			if len(r.Params.Relations) == 0 || slices.Contains(r.Params.Relations, c.Relation) {
				rels = append(rels, c)
			}
		}
		if len(rels) > 0 {
			all := slices.Clone(recs)
			sortByDate(all)
			ev := &fundsEvidence{}
			for _, c := range rels {
				ev.Cadre = append(ev.Cadre, evCadre{Relation: c.Relation, CadreName: c.CadreName, CadrePosition: c.CadrePosition,
					DatasetID: c.Dataset, DatasetLine: c.Line})
			}
			d.payments(ev, all)
			c := rels[0]
			rel := relationLabel(c.Relation)
			what := fmt.Sprintf("干部 %s(%s)的%s", c.CadreName, c.CadrePosition, rel)
			if c.Relation == "self" {
				what = fmt.Sprintf("干部本人(%s)", c.CadrePosition)
			}
			base(r, "", ev.TotalFen, fmt.Sprintf("%s 为%s,领取 %d 笔共 %s", who, what, ev.PaymentCount, yuan(ev.TotalFen)), ev)
		}
	}
	// per item and period: payment_duplicate, above_standard
	dup, above := in.rule(CheckPaymentDuplicate), in.rule(CheckAboveStandard)
	if dup != nil || above != nil {
		for s := 0; s < len(recs); {
			e := s + 1
			for e < len(recs) && recs[e].item == recs[s].item && recs[e].period == recs[s].period {
				e++
			}
			group := recs[s:e]
			s = e
			it := d.items[int64(group[0].item)]
			suffix := ":item=" + strconv.Itoa(int(group[0].item)) + ":period=" + periodText(group[0].period)
			var sum int64
			for _, g := range group {
				sum += d.amt(g)
			}
			if dup != nil && len(group) > 1 {
				ev := &fundsEvidence{ItemID: int64(group[0].item), Item: it.name, Period: periodText(group[0].period)}
				d.payments(ev, group)
				extra := sum - d.amt(group[0])
				base(dup, suffix, extra, fmt.Sprintf("%s 的“%s”%s 期发放 %d 笔(应为 1 笔),共 %s,多发 %s", who, d.itemName(group[0].item), ev.Period,
					len(group), yuan(sum), yuan(extra)), ev)
			}
			if above != nil && it.name != "" {
				persons := int64(1)
				if it.basis == "person" {
					persons = max(p.size, 1)
				}
				allowed := it.standard * persons
				if sum > allowed+above.Params.ToleranceFen {
					ev := &fundsEvidence{ItemID: int64(group[0].item), Item: it.name, Period: periodText(group[0].period), StandardFen: it.standard,
						Basis: it.basis, Persons: persons, AllowedFen: allowed}
					d.payments(ev, group)
					std := "每户 " + yuan(it.standard)
					if it.basis == "person" {
						std = fmt.Sprintf("每人 %s × %d 人", yuan(it.standard), persons)
					}
					base(above, suffix, sum-allowed, fmt.Sprintf("%s 的“%s”%s 期发放 %s,超过标准 %s(%s),超出 %s", who, it.name, ev.Period,
						yuan(sum), yuan(allowed), std, yuan(sum-allowed)), ev)
				}
			}
		}
	}
	// holder_mismatch: per account number the payee was paid into under another name
	if r := in.rule(CheckHolderMismatch); r != nil {
		byAcct := map[uint32][]payRec{}
		for _, rec := range recs {
			if rec.odd() {
				byAcct[rec.account()] = append(byAcct[rec.account()], rec)
			}
		}
		accts := make([]uint32, 0, len(byAcct))
		for a := range byAcct {
			accts = append(accts, a)
		}
		slices.SortFunc(accts, func(a, b uint32) int { return strings.Compare(d.acctNos[a], d.acctNos[b]) })
		for _, a := range accts {
			hit := byAcct[a]
			sortByDate(hit)
			no := d.acctNos[a]
			ev := &fundsEvidence{AccountNo: funds.MaskAccount(no), Holder: d.holderOf(hit)}
			d.payments(ev, hit)
			base(r, ":account="+accountHash(no), ev.TotalFen, fmt.Sprintf("发放给 %s 的 %d 笔共 %s 打入账户 %s,户名为“%s”,与领取人不符", who,
				ev.PaymentCount, yuan(ev.TotalFen), ev.AccountNo, ev.Holder), ev)
		}
	}
}

// holderOf is the account holder name of the first of the mismatched payments.
func (d *fundsData) holderOf(recs []payRec) string { return d.holders[recs[0].id] }

func sortByDate(recs []payRec) {
	slices.SortFunc(recs, func(a, b payRec) int {
		if a.date != b.date {
			return cmpInt(int64(a.date), int64(b.date))
		}
		return cmpInt(a.id, b.id)
	})
}

func relationLabel(r string) string {
	switch r {
	case "self":
		return "本人"
	case "spouse":
		return "配偶"
	case "parent":
		return "父母"
	case "child":
		return "子女"
	case "sibling":
		return "兄弟姐妹"
	case "in_law":
		return "姻亲"
	}
	return "亲属"
}

// unitOf is what account_shared counts: the payee's household, or the payee alone.
func (p *fpayee) unit() int64 {
	if p.household != 0 {
		return p.household
	}
	return -p.id
}

// checkShared finds account numbers paid to payees of two or more households (一卡多人),
// only the numbers in only when not nil.
func (d *fundsData) checkShared(in *evalInput, only map[uint32]bool, emit func(Finding)) {
	r := in.rule(CheckAccountShared)
	if r == nil {
		return
	}
	first := make(map[uint32]int64)
	multi := map[uint32]bool{}
	for _, rec := range d.recs {
		a := rec.account()
		if a == 0 || only != nil && !only[a] {
			continue
		}
		u := d.payees[rec.payee].unit()
		if f, ok := first[a]; !ok {
			first[a] = u
		} else if f != u {
			multi[a] = true
		}
	}
	if len(multi) == 0 {
		return
	}
	byAcct := map[uint32][]payRec{}
	for _, rec := range d.recs {
		if multi[rec.account()] {
			byAcct[rec.account()] = append(byAcct[rec.account()], rec)
		}
	}
	accts := make([]uint32, 0, len(byAcct))
	for a := range byAcct {
		accts = append(accts, a)
	}
	slices.SortFunc(accts, func(a, b uint32) int { return strings.Compare(d.acctNos[a], d.acctNos[b]) })
	for _, a := range accts {
		recs := byAcct[a]
		sortByDate(recs)
		no := d.acctNos[a]
		ev := &fundsEvidence{Check: r.Check, AccountNo: funds.MaskAccount(no)}
		var payees []int32
		units := map[int64]bool{}
		region := ""
		for _, rec := range recs {
			if !slices.Contains(payees, rec.payee) {
				payees = append(payees, rec.payee)
			}
		}
		slices.SortFunc(payees, func(a, b int32) int { return cmpInt(d.payees[a].id, d.payees[b].id) })
		var names []string
		for i, pi := range payees {
			p := &d.payees[pi]
			ev.Payees = append(ev.Payees, *d.payeeEv(p))
			units[p.unit()] = true
			names = append(names, p.name)
			if i == 0 {
				region = p.region
			} else {
				region = commonRegion(region, p.region)
			}
		}
		ev.Households = len(units)
		d.payments(ev, recs)
		p0 := &d.payees[payees[0]]
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":account=" + accountHash(no), RegionCode: region, EntityType: "account", EntityID: p0.id,
			AmountFen: ev.TotalFen, Explanation: fmt.Sprintf("同一账户 %s 为 %d 户 %d 人(%s)收款 %d 笔共 %s", ev.AccountNo, ev.Households, len(payees),
				strings.Join(names, "、"), ev.PaymentCount, yuan(ev.TotalFen)), Evidence: evidence(ev)})
	}
}

// commonRegion is the most specific region containing both codes (12-digit codes, padded).
func commonRegion(a, b string) string {
	if a == b {
		return a
	}
	for _, n := range []int{9, 6, 4, 2} {
		if len(a) >= n && len(b) >= n && a[:n] == b[:n] {
			return a[:n] + strings.Repeat("0", 12-n)
		}
	}
	return a
}
