package crosscheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sunshine/internal/idcard"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// Evaluation: a check turns one household's kept rows into doubts with their evidence.

// evalPerMember raises one doubt per member with kept rows.
func evalPerMember(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt {
	var out []Doubt
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].member == rows[i].member {
			j++
		}
		out = append(out, e.doubt(r, hh, rows[i].member, rows[i:j], nil))
		i = j
	}
	return out
}

func evalIncome(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt {
	h := &e.snap.Households[hh]
	size := int64(max(h.Size, 1))
	byYear := map[int64][]*row{}
	for _, m := range rows {
		byYear[m.nums[taxYear]] = append(byYear[m.nums[taxYear]], m)
	}
	years := make([]int64, 0, len(byYear))
	for y := range byYear {
		years = append(years, y)
	}
	slices.Sort(years)
	for i := len(years) - 1; i >= 0; i-- {
		y := years[i]
		var total int64
		for _, m := range byYear[y] {
			total += m.nums[taxIncome]
		}
		line := r.Params.LineFen
		if line == 0 {
			line = e.snap.incomeLine(int(y), h.RegionCode)
		}
		if line <= 0 || total/size <= line {
			continue
		}
		return []Doubt{e.doubt(r, hh, -1, byYear[y], map[string]string{
			"year": strconv.FormatInt(y, 10), "total": fmtYuan(total), "per_capita": fmtYuan(total / size),
			"size": strconv.FormatInt(size, 10), "threshold": fmtYuan(line),
		})}
	}
	return nil
}

func evalPropertyCount(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt {
	seen := map[string]bool{}
	var counted []*row
	n := 0
	for _, m := range rows {
		counted = append(counted, m)
		if id := m.values[reID]; id != "" {
			if seen[id] {
				continue // owned jointly by two members: one property
			}
			seen[id] = true
		}
		n++
	}
	if n <= r.Params.MaxCount {
		return nil
	}
	return []Doubt{e.doubt(r, hh, -1, counted, map[string]string{
		"count": strconv.Itoa(n), "max": strconv.Itoa(r.Params.MaxCount),
	})}
}

// standard is the monthly minimum-living standard of a region: the most
// specific RegionStandardFen entry, else StandardFen.
func standard(p *Params, region string) int64 {
	best, bestLen := p.StandardFen, -1
	for code, v := range p.RegionStandardFen {
		if regioncode.Within(region, code) && len(regioncode.Prefix(code)) > bestLen {
			best, bestLen = v, len(regioncode.Prefix(code))
		}
	}
	return best
}

func evalFinancial(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt {
	h := &e.snap.Households[hh]
	size := int64(max(h.Size, 1))
	// A balance is stated per account holder and institution at a date:
	// of several statements keep the latest, so two monthly extracts of
	// one account are not added up.
	type acct struct {
		member int32
		kind   Kind
		inst   string
	}
	latest := map[acct]*row{}
	for _, m := range rows {
		k := e.kind(m)
		instCol, dateCol := depBank, depAsOf
		if k == KindSecurities {
			instCol, dateCol = secBroker, secAsOf
		}
		a := acct{m.member, k, m.values[instCol]}
		if p, ok := latest[a]; !ok || e.asOf(&e.files[m.file], m.nums[dateCol]) > e.asOf(&e.files[p.file], p.nums[dateCol]) {
			latest[a] = m
		}
	}
	var total int64
	var used []*row
	for _, m := range rows {
		k := e.kind(m)
		instCol, valCol := depBank, depBalance
		if k == KindSecurities {
			instCol, valCol = secBroker, secValue
		}
		if latest[acct{m.member, k, m.values[instCol]}] == m {
			total += m.nums[valCol]
			used = append(used, m)
		}
	}
	std := standard(&r.Params, h.RegionCode)
	threshold := int64(r.Params.Months) * std
	if std <= 0 || total/size <= threshold {
		return nil
	}
	return []Doubt{e.doubt(r, hh, -1, used, map[string]string{
		"total": fmtYuan(total), "per_capita": fmtYuan(total / size), "size": strconv.FormatInt(size, 10),
		"months": strconv.Itoa(r.Params.Months), "standard": fmtYuan(std), "threshold": fmtYuan(threshold),
	})}
}

func evalNameMismatch(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt {
	var out []Doubt
	for i := 0; i < len(rows); {
		j := i
		var names, sets []string
		for j < len(rows) && rows[j].member == rows[i].member {
			if n := rows[j].values[colName]; !slices.Contains(names, n) {
				names = append(names, n)
			}
			if l := e.files[rows[j].file].spec.Label; !slices.Contains(sets, l) {
				sets = append(sets, l)
			}
			j++
		}
		out = append(out, e.doubt(r, hh, rows[i].member, rows[i:j], map[string]string{
			"other": strings.Join(names, "、"), "dataset": strings.Join(sets, "、"),
		}))
		i = j
	}
	return out
}

// doubt builds a doubt with its explanation and evidence. member is -1 for
// a household doubt; vars adds the check's own placeholders.
func (e *evaluator) doubt(r *Rule, hh int32, member int32, rows []*row, vars map[string]string) Doubt {
	h := &e.snap.Households[hh]
	d := Doubt{HouseholdID: h.ID, RegionCode: h.RegionCode, RuleKey: r.Key, DataError: r.DataError}
	fill := map[string]string{"count": strconv.Itoa(len(rows))}
	if member >= 0 {
		m := &e.snap.Members[member]
		d.MemberID = m.ID
		fill["name"] = m.Name
		fill["id"] = idcard.Mask(idcard.Unpack(m.Key))
	}
	if r.Params.MinValueFen > 0 {
		fill["threshold"] = fmtYuan(r.Params.MinValueFen)
	}
	from, to := e.period(hh)
	fill["period"] = periodText(from, to)
	details := make([]string, 0, len(rows))
	for _, m := range rows {
		details = append(details, e.describe(m, member < 0))
		d.Evidence = append(d.Evidence, e.evidence(m))
	}
	fill["detail"] = strings.Join(details, ";")
	for k, v := range vars {
		fill[k] = v
	}
	d.Explanation = fillTemplate(r.Explain, fill)
	d.EvidenceHash = evidenceHash(d.Evidence)
	return d
}

func (e *evaluator) evidence(m *row) Evidence {
	f := &e.files[m.file]
	fields := make(map[string]string, len(m.values))
	for i, v := range m.values {
		if v != "" {
			fields[f.spec.Columns[i].Name] = v
		}
	}
	fields["kind"] = string(f.Kind)
	return Evidence{DatasetID: f.ID, Line: m.line, Fields: fields}
}

// evidenceHash is SHA-256 over the evidence rows' contents (kind and
// fields, not dataset id or line), sorted: the same rows found again in a
// newer edition of a dataset give the same hash, a changed value another.
func evidenceHash(ev []Evidence) string {
	lines := make([]string, len(ev))
	for i, x := range ev {
		keys := make([]string, 0, len(x.Fields))
		for k := range x.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(x.Fields[k])
			b.WriteByte(0x1f)
		}
		lines[i] = b.String()
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{0x1e})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// describe renders one evidence row in Chinese; who prefixes the member's
// name and masked ID (household doubts name the member of each row).
func (e *evaluator) describe(m *row, who bool) string {
	f := &e.files[m.file]
	v, n := m.values, m.nums
	col := func(i int) *Column { return &f.spec.Columns[i] }
	enum := func(i int) string {
		if n[i] >= 0 && int(n[i]) < len(col(i).Values) && v[i] != "" {
			if isCanonical(col(i), v[i]) {
				return col(i).display(v[i])
			}
		}
		return v[i]
	}
	date := func(i int) string { return Day(n[i]).String() }
	yuan := func(i int) string {
		if v[i] == "" {
			return ""
		}
		return fmtYuan(n[i])
	}
	var parts []string
	add := func(s ...string) {
		for _, x := range s {
			if strings.TrimSpace(x) == "" {
				return
			}
		}
		parts = append(parts, strings.Join(s, ""))
	}
	var s string
	switch f.Kind {
	case KindVehicle:
		s = strings.TrimSpace(enum(vehType) + " " + v[vehPlate])
		add(date(vehRegistered), " 登记")
		add("价值 ", yuan(vehValue))
	case KindFarmMachinery:
		s = v[farmType]
		add(date(farmRegistered), " 登记")
		add("价值 ", yuan(farmValue))
	case KindSocialInsur:
		s = enum(siType)
		if v[siEmployer] != "" {
			s += "(" + v[siEmployer] + ")"
		}
		add("缴费期间 ", periodText(Day(n[siFrom]), Day(n[siTo])))
		add("月缴费基数 ", yuan(siBase))
	case KindHousingFund:
		s = strings.TrimSpace(v[hfEmployer] + " 住房公积金")
		add("月缴存 ", yuan(hfMonthly))
		add("余额 ", yuan(hfBalance))
		add("截至 ", e.asOf(f, n[hfAsOf]).String())
	case KindTax:
		s = strconv.FormatInt(n[taxYear], 10) + " 年度应纳税所得额 " + yuan(taxIncome)
	case KindRealEstate:
		s = strings.TrimSpace(enum(reUse) + " " + v[reAddress])
		if v[reArea] != "" {
			s += " " + strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", n[reArea]/100, n[reArea]%100), "0"), ".") + "㎡"
		}
		if v[reID] != "" {
			s += "(" + v[reID] + ")"
		}
		add(date(reRegOn), " 登记")
	case KindDeposit:
		s = strings.TrimSpace(v[depBank] + " 存款余额 " + yuan(depBalance))
		add("截至 ", e.asOf(f, n[depAsOf]).String())
	case KindSecurities:
		s = strings.TrimSpace(v[secBroker] + " 证券市值 " + yuan(secValue))
		add("截至 ", e.asOf(f, n[secAsOf]).String())
	case KindBusiness:
		s = enum(bizRole) + ":" + v[bizName]
		if v[bizCode] != "" {
			s += "(" + v[bizCode] + ")"
		}
		add("注册资本 ", yuan(bizCapital))
	case KindPublicEmployee:
		s = strings.TrimSpace(v[peEmployer] + " " + v[pePosition])
		if v[peFrom] != "" {
			add(periodText(Day(n[peFrom]), Day(n[peTo])))
		} else if v[peTo] != "" {
			add("至 ", date(peTo))
		}
	case KindDeath:
		s = "死亡日期 " + date(deathDate)
	case KindCadreRelative:
		s = "干部 " + v[crCadreName]
		if v[crCadreID] != "" {
			s += "(" + idcard.Mask(strings.ToUpper(v[crCadreID])) + ")"
		}
		if v[crPosition] != "" {
			s += " " + v[crPosition]
		}
		rel := enum(crRel)
		if rel == "本人" {
			s = "干部本人:" + strings.TrimPrefix(s, "干部 ")
		} else {
			s += " 的" + rel
		}
	}
	if len(parts) > 0 {
		s += "," + strings.Join(parts, ",")
	}
	// A quoted cell may hold line breaks; an explanation is one line.
	s = strings.Join(strings.Fields(s), " ")
	if who {
		mm := &e.snap.Members[m.member]
		s = mm.Name + "(" + idcard.Mask(idcard.Unpack(mm.Key)) + ") " + s
	}
	return s
}

func isCanonical(c *Column, v string) bool { return slices.Contains(c.Values, v) }

// fmtYuan renders fen for explanations: 8.6 万元 from ten thousand yuan
// up, else 5,000 元 (decimals only when there are any).
func fmtYuan(fen int64) string {
	neg := ""
	if fen < 0 {
		neg, fen = "-", -fen
	}
	if fen >= 1_000_000 {
		// 万元 with at most two decimals, rounded half up.
		w := (fen + 50) / 100 // yuan
		whole, frac := w/10_000, (w%10_000+50)/100
		if frac == 100 {
			whole, frac = whole+1, 0
		}
		s := strconv.FormatInt(whole, 10)
		if frac > 0 {
			s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
		}
		return neg + s + " 万元"
	}
	s := money.FormatYuan(fen)
	return neg + strings.TrimSuffix(s, ".00") + " 元"
}

// fillTemplate replaces each {name} of t by vars[name]; unknown names stay
// as written (Validate refuses them before a rule is stored).
func fillTemplate(t string, vars map[string]string) string {
	var b strings.Builder
	b.Grow(len(t) + 64)
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(t[:i])
		if v, ok := vars[t[i+1:i+j]]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(t[i : i+j+1])
		}
		t = t[i+j+1:]
	}
	b.WriteString(t)
	return b.String()
}
