package crosscheck

import (
	"slices"
	"strings"
)

// Which matched rows each check keeps for evaluation (the filters run as a file is scanned).

// row is a matched row kept for evaluation.
type row struct {
	file   int32 // index into the run's files
	member int32
	line   int64
	values []string
	nums   []int64
}

type fileInfo struct {
	DatasetFile
	spec KindSpec
	asOf Day
}

// evaluator holds what evaluation needs across households.
type evaluator struct {
	snap  *Snapshot
	files []fileInfo
	today Day
}

func (e *evaluator) kind(m *row) Kind { return e.files[m.file].Kind }

// typeAllowed applies IncludeTypes/ExcludeTypes to a row's type column.
// Enum columns compare canonical values (an unknown value is kept by an
// exclude list and refused by an include list); text columns compare the
// text.
func typeAllowed(c *check, r *Rule, f *fileInfo, m *row) bool {
	col, ok := c.typeCol[f.Kind]
	if !ok {
		return true
	}
	v := m.values[col]
	if cc := &f.spec.Columns[col]; cc.Type == Enum {
		v = ""
		if i := m.nums[col]; i >= 0 && int(i) < len(cc.Values) {
			v = cc.Values[i]
		}
	}
	if len(r.Params.IncludeTypes) > 0 && !slices.Contains(r.Params.IncludeTypes, v) {
		return false
	}
	return v == "" || !slices.Contains(r.Params.ExcludeTypes, v)
}

func (e *evaluator) since(r *Rule) Day {
	if r.Params.Since == "" {
		return 0
	}
	d, _ := parseDay(r.Params.Since, false)
	return d
}

func keepTyped(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if !typeAllowed(c, r, f, m) {
		return false
	}
	if f.Kind == KindRealEstate && m.nums[reRegOn] != 0 && Day(m.nums[reRegOn]) < e.since(r) {
		return false
	}
	return true
}

func keepAsset(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if !typeAllowed(c, r, f, m) {
		return false
	}
	regCol, valCol := vehRegistered, vehValue
	if f.Kind == KindFarmMachinery {
		regCol, valCol = farmRegistered, farmValue
	}
	if r.Params.MinValueFen > 0 && (m.values[valCol] == "" || m.nums[valCol] < r.Params.MinValueFen) {
		return false
	}
	return m.nums[regCol] == 0 || Day(m.nums[regCol]) >= e.since(r)
}

// period is a household's registration period: registered_on to exited_on
// (open while registered). An applying household, or one without a date,
// is checked over the year before the run.
func (e *evaluator) period(hh int32) (from, to Day) {
	h := &e.snap.Households[hh]
	from, to = h.RegisteredOn, h.ExitedOn
	if h.Status == "applying" || from == 0 {
		from = e.today - 365
	}
	if h.Status != "exited" {
		to = 0
	}
	return from, to
}

func periodText(from, to Day) string {
	if to == 0 {
		return from.String() + " 至今"
	}
	return from.String() + " 至 " + to.String()
}

// overlapDays is the length of [a1,a2]∩[b1,b2] in days; 0 ends are open.
func overlapDays(a1, a2, b1, b2 Day) int {
	const far = Day(1 << 30)
	if a2 == 0 {
		a2 = far
	}
	if b2 == 0 {
		b2 = far
	}
	lo, hi := max(a1, b1), min(a2, b2)
	if hi < lo {
		return 0
	}
	return int(hi-lo) + 1
}

func keepOverlap(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if !typeAllowed(c, r, f, m) {
		return false
	}
	fromCol, toCol := siFrom, siTo
	if f.Kind == KindPublicEmployee {
		fromCol, toCol = peFrom, peTo
	}
	from, to := Day(m.nums[fromCol]), Day(m.nums[toCol])
	if to != 0 && to < from {
		return false // a period that ends before it starts proves nothing
	}
	if s := e.since(r); s != 0 && to != 0 && to < s {
		return false
	}
	hf, ht := e.period(e.snap.Members[m.member].Household)
	return overlapDays(from, to, hf, ht) > r.Params.GraceDays
}

// asOf is the date a balance or deposit is stated for: the row's, else the
// dataset's, else the run's.
func (e *evaluator) asOf(f *fileInfo, d int64) Day {
	if d != 0 {
		return Day(d)
	}
	if f.asOf != 0 {
		return f.asOf
	}
	return e.today
}

func keepContributing(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if m.nums[hfMonthly] < max(r.Params.MinValueFen, 1) {
		return false
	}
	at := e.asOf(f, m.nums[hfAsOf])
	if at < e.since(r) {
		return false
	}
	hf, ht := e.period(e.snap.Members[m.member].Household)
	return at >= hf && (ht == 0 || at <= ht)
}

func keepSince(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	s := e.since(r)
	return s == 0 || int(m.nums[taxYear]) >= s.Time().Year()
}

func keepPositive(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	col := depBalance
	if f.Kind == KindSecurities {
		col = secValue
	}
	return m.nums[col] > 0
}

func keepBusiness(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if !typeAllowed(c, r, f, m) {
		return false
	}
	return r.Params.MinValueFen <= 0 || (m.values[bizCapital] != "" && m.nums[bizCapital] >= r.Params.MinValueFen)
}

func keepDeceased(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	d := Day(m.nums[deathDate])
	return d <= e.today && d >= e.since(r)
}

func keepNameMismatch(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool {
	if v := m.values[colName]; v == "" || v == e.snap.Members[m.member].Name {
		return false
	}
	return normName(m.values[colName]) != normName(e.snap.Members[m.member].Name)
}

// normName folds what differs between systems without naming another
// person: spaces anywhere and the middle dot of minority names in its
// several spellings.
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '\u3000', '·', '•', '・', '.', '．', '‧':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
