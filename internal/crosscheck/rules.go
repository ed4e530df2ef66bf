package crosscheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// Checks are the rule kinds: each is Go code that evaluates the matched
// rows of one household with a rule's Params. A RuleSet may hold several
// rules of one check (two property rules with different uses).
const (
	CheckAsset           = "asset"             // vehicle, farm machinery: a counted row per member
	CheckPeriodOverlap   = "period_overlap"    // social insurance, public employment overlapping the registration period
	CheckContributing    = "contributing"      // housing fund deposits during the registration period
	CheckIncomePerCapita = "income_per_capita" // taxable income per capita above the line
	CheckPropertyCount   = "property_count"    // more than MaxCount properties of the counted uses
	CheckFinancialAssets = "financial_assets"  // deposits + securities per person above Months × standard
	CheckBusiness        = "business"          // legal representative / shareholder of a company above a capital
	CheckDeceased        = "deceased"          // deceased member still listed
	CheckCadreRelative   = "cadre_relative"    // member is a cadre or a cadre's close relative (优亲厚友)
	CheckNameMismatch    = "name_mismatch"     // same ID number, another name: a data error
)

// CheckInfo describes a check for the console: which kinds it reads, its
// scope, which Params it uses and which placeholders its template may use.
type CheckInfo struct {
	Check        string   `json:"check"`
	Label        string   `json:"label"`
	Kinds        []Kind   `json:"kinds"`
	Scope        string   `json:"scope"`
	DataError    bool     `json:"data_error"`
	Params       []string `json:"params"`
	Placeholders []string `json:"placeholders"`
}

type check struct {
	CheckInfo
	typeCol map[Kind]int // column Include/ExcludeTypes apply to
	// keep is the row filter applied while scanning: rows it refuses are
	// not kept for evaluation.
	keep func(e *evaluator, c *check, r *Rule, f *fileInfo, m *row) bool
	// eval finds the doubts of one household among its kept rows (all
	// kinds the rule reads, already filtered by keep).
	eval func(e *evaluator, r *Rule, hh int32, rows []*row) []Doubt
}

var memberPH = []string{"name", "id", "detail", "count"}

var checks = map[string]*check{
	CheckAsset: {CheckInfo: CheckInfo{Check: CheckAsset, Label: "名下登记车辆或农机", Kinds: []Kind{KindVehicle, KindFarmMachinery},
		Scope: ScopeMember, Params: []string{"exclude_types", "include_types", "min_value_fen", "since"},
		Placeholders: append(slices.Clone(memberPH), "threshold")},
		typeCol: map[Kind]int{KindVehicle: vehType, KindFarmMachinery: farmType},
		keep:    keepAsset, eval: evalPerMember},
	CheckPeriodOverlap: {CheckInfo: CheckInfo{Check: CheckPeriodOverlap, Label: "在档期间参保或供职", Kinds: []Kind{KindSocialInsur, KindPublicEmployee},
		Scope: ScopeMember, Params: []string{"include_types", "exclude_types", "grace_days", "since"},
		Placeholders: append(slices.Clone(memberPH), "period")},
		typeCol: map[Kind]int{KindSocialInsur: siType},
		keep:    keepOverlap, eval: evalPerMember},
	CheckContributing: {CheckInfo: CheckInfo{Check: CheckContributing, Label: "在档期间缴存住房公积金", Kinds: []Kind{KindHousingFund},
		Scope: ScopeMember, Params: []string{"min_value_fen", "since"}, Placeholders: append(slices.Clone(memberPH), "period")},
		keep: keepContributing, eval: evalPerMember},
	CheckIncomePerCapita: {CheckInfo: CheckInfo{Check: CheckIncomePerCapita, Label: "人均应纳税所得额高于收入线", Kinds: []Kind{KindTax},
		Scope: ScopeHousehold, Params: []string{"line_fen", "since"},
		Placeholders: []string{"year", "total", "per_capita", "size", "threshold", "detail", "count"}},
		keep: keepSince, eval: evalIncome},
	CheckPropertyCount: {CheckInfo: CheckInfo{Check: CheckPropertyCount, Label: "房产套数或非住宅房产", Kinds: []Kind{KindRealEstate},
		Scope: ScopeHousehold, Params: []string{"include_types", "exclude_types", "max_count", "since"},
		Placeholders: []string{"count", "max", "detail"}},
		typeCol: map[Kind]int{KindRealEstate: reUse},
		keep:    keepTyped, eval: evalPropertyCount},
	CheckFinancialAssets: {CheckInfo: CheckInfo{Check: CheckFinancialAssets, Label: "人均金融资产超过低保标准的倍数", Kinds: []Kind{KindDeposit, KindSecurities},
		Scope: ScopeHousehold, Params: []string{"months", "standard_fen", "region_standard_fen"},
		Placeholders: []string{"total", "per_capita", "size", "months", "standard", "threshold", "detail", "count"}},
		keep: keepPositive, eval: evalFinancial},
	CheckBusiness: {CheckInfo: CheckInfo{Check: CheckBusiness, Label: "企业法定代表人或股东", Kinds: []Kind{KindBusiness},
		Scope: ScopeMember, Params: []string{"include_types", "exclude_types", "min_value_fen"},
		Placeholders: append(slices.Clone(memberPH), "threshold")},
		typeCol: map[Kind]int{KindBusiness: bizRole},
		keep:    keepBusiness, eval: evalPerMember},
	CheckDeceased: {CheckInfo: CheckInfo{Check: CheckDeceased, Label: "已死亡仍在册", Kinds: []Kind{KindDeath},
		Scope: ScopeMember, Params: []string{"since"}, Placeholders: memberPH},
		keep: keepDeceased, eval: evalPerMember},
	CheckCadreRelative: {CheckInfo: CheckInfo{Check: CheckCadreRelative, Label: "干部本人或近亲属", Kinds: []Kind{KindCadreRelative},
		Scope: ScopeMember, Params: []string{"include_types", "exclude_types"}, Placeholders: memberPH},
		typeCol: map[Kind]int{KindCadreRelative: crRel},
		keep:    keepTyped, eval: evalPerMember},
	CheckNameMismatch: {CheckInfo: CheckInfo{Check: CheckNameMismatch, Label: "同一身份证号姓名不一致", DataError: true,
		Kinds: []Kind{KindVehicle, KindFarmMachinery, KindSocialInsur, KindHousingFund, KindTax, KindRealEstate, KindDeposit,
			KindSecurities, KindBusiness, KindPublicEmployee, KindDeath, KindCadreRelative},
		Scope: ScopeMember, Params: nil, Placeholders: []string{"name", "id", "other", "dataset", "detail", "count"}},
		keep: keepNameMismatch, eval: evalNameMismatch},
}

// Checks lists the rule kinds for the console.
func Checks() []CheckInfo {
	out := make([]CheckInfo, 0, len(checks))
	for _, c := range checks {
		out = append(out, c.CheckInfo)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Check < out[j].Check })
	return out
}

// DefaultRules are the checks of issue 5 with thresholds from practice.
// Thresholds are per place and year: the console edits them.
func DefaultRules() RuleSet {
	return RuleSet{Rules: []Rule{
		{Key: "vehicle", Check: CheckAsset, Kind: KindVehicle, Label: "名下有机动车(摩托车、电动车、农用车、残疾人车除外)",
			Scope: ScopeMember, Enabled: true,
			Params:  Params{ExcludeTypes: []string{"motorcycle", "ebike", "farm", "disabled"}},
			Explain: "成员 {name}({id}) 名下登记{detail}"},
		{Key: "farm_machinery", Check: CheckAsset, Kind: KindFarmMachinery, Label: "名下有大型农机",
			Scope: ScopeMember, Enabled: true, Params: Params{MinValueFen: 5_000_000},
			Explain: "成员 {name}({id}) 名下登记价值 {threshold} 以上的农机:{detail}"},
		{Key: "social_insurance", Check: CheckPeriodOverlap, Kind: KindSocialInsur, Label: "在档期间缴纳职工社会保险",
			Scope: ScopeMember, Enabled: true,
			Params:  Params{IncludeTypes: []string{"employee_pension", "employee_medical"}, GraceDays: 30},
			Explain: "成员 {name}({id}) 在家庭在档期间({period})缴纳职工社会保险:{detail}"},
		{Key: "housing_fund", Check: CheckContributing, Kind: KindHousingFund, Label: "在档期间缴存住房公积金",
			Scope: ScopeMember, Enabled: true, Params: Params{MinValueFen: 1},
			Explain: "成员 {name}({id}) 在家庭在档期间({period})缴存住房公积金:{detail}"},
		{Key: "tax_income", Check: CheckIncomePerCapita, Kind: KindTax, Label: "家庭人均应纳税所得额高于收入线",
			Scope: ScopeHousehold, Enabled: true, Params: Params{},
			Explain: "家庭 {year} 年度应纳税所得额合计 {total},{size} 人,人均 {per_capita},高于收入线 {threshold}:{detail}"},
		{Key: "residential_property", Check: CheckPropertyCount, Kind: KindRealEstate, Label: "家庭拥有两套及以上住宅",
			Scope: ScopeHousehold, Enabled: true, Params: Params{IncludeTypes: []string{"residential"}, MaxCount: 1},
			Explain: "家庭名下有 {count} 套住宅(超过 {max} 套):{detail}"},
		{Key: "nonresidential_property", Check: CheckPropertyCount, Kind: KindRealEstate, Label: "家庭拥有非住宅房产",
			Scope: ScopeHousehold, Enabled: true, Params: Params{ExcludeTypes: []string{"residential"}, MaxCount: 0},
			Explain: "家庭名下有 {count} 处非住宅房产:{detail}"},
		{Key: "financial_assets", Check: CheckFinancialAssets, Kind: "", Label: "家庭人均存款和证券超过 24 个月低保标准",
			Scope: ScopeHousehold, Enabled: true, Params: Params{Months: 24, StandardFen: 81_000},
			Explain: "家庭存款和证券合计 {total},{size} 人,人均 {per_capita},超过 {months} 个月低保标准({standard}/月)合计 {threshold}:{detail}"},
		{Key: "business", Check: CheckBusiness, Kind: KindBusiness, Label: "企业法定代表人或股东(注册资本 10 万元以上)",
			Scope: ScopeMember, Enabled: true,
			Params:  Params{IncludeTypes: []string{"legal_rep", "shareholder"}, MinValueFen: 10_000_000},
			Explain: "成员 {name}({id}) 为注册资本 {threshold} 以上企业的{detail}"},
		{Key: "public_employee", Check: CheckPeriodOverlap, Kind: KindPublicEmployee, Label: "在档期间为财政供养人员",
			Scope: ScopeMember, Enabled: true, Params: Params{GraceDays: 30},
			Explain: "成员 {name}({id}) 在家庭在档期间({period})为财政供养人员:{detail}"},
		{Key: "deceased", Check: CheckDeceased, Kind: KindDeath, Label: "已死亡仍在家庭成员中",
			Scope: ScopeMember, Enabled: true,
			Explain: "成员 {name}({id}) 已死亡({detail}),仍登记在家庭成员中"},
		{Key: "cadre_relative", Check: CheckCadreRelative, Kind: KindCadreRelative, Label: "干部本人或近亲属(优亲厚友)",
			Scope: ScopeMember, Enabled: true,
			Params:  Params{IncludeTypes: []string{"self", "spouse", "parent", "child", "sibling"}},
			Explain: "成员 {name}({id}) 为{detail}"},
		{Key: "name_mismatch", Check: CheckNameMismatch, Kind: "", Label: "同一身份证号姓名与档案不一致(数据错误)",
			Scope: ScopeMember, Enabled: true, DataError: true,
			Explain: "身份证号 {id} 在{dataset}中的姓名为“{other}”,与档案姓名“{name}”不一致"},
	}}
}

var (
	keyPattern         = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	placeholderPattern = regexp.MustCompile(`\{([^{}]*)\}`)
)

// Validate checks a rule set before it is stored: unique keys, a known
// check reading a kind it understands, the check's scope, Params within
// bounds and a template using only the check's placeholders. The error is
// an errs.Invalid naming each offending field (rules[2].params.months).
func (rs RuleSet) Validate() error {
	bad := map[string]string{}
	seen := map[string]bool{}
	for i, r := range rs.Rules {
		at := func(f string) string { return "rules[" + strconv.Itoa(i) + "]." + f }
		if !keyPattern.MatchString(r.Key) {
			bad[at("key")] = "应为小写字母开头的字母、数字或下划线,最多40个字符"
		} else if seen[r.Key] {
			bad[at("key")] = "规则键重复: " + r.Key
		}
		seen[r.Key] = true
		c, ok := checks[r.Check]
		if !ok {
			bad[at("check")] = "未知的规则类型: " + r.Check
			continue
		}
		if r.Kind != "" && !slices.Contains(c.Kinds, r.Kind) {
			bad[at("kind")] = "规则类型 " + r.Check + " 不能读取数据集类型 " + string(r.Kind)
		}
		if r.Scope != c.Scope {
			bad[at("scope")] = "规则类型 " + r.Check + " 的范围应为 " + c.Scope
		}
		if r.DataError != c.DataError {
			bad[at("data_error")] = "只有姓名不一致规则标记为数据错误"
		}
		if l := utf8.RuneCountInString(strings.TrimSpace(r.Label)); l == 0 || l > 100 {
			bad[at("label")] = "名称不能为空,最多100个字"
		}
		if l := utf8.RuneCountInString(strings.TrimSpace(r.Explain)); l == 0 || l > 500 {
			bad[at("explain")] = "说明模板不能为空,最多500个字"
		} else {
			for _, m := range placeholderPattern.FindAllStringSubmatch(r.Explain, -1) {
				if !slices.Contains(c.Placeholders, m[1]) {
					bad[at("explain")] = "说明模板中的 {" + m[1] + "} 无法填写,可用: {" + strings.Join(c.Placeholders, "}、{") + "}"
					break
				}
			}
		}
		validateParams(c, r, at, bad)
	}
	if len(bad) == 0 {
		return nil
	}
	return &errs.Error{Code: errs.Invalid, Message: badRulesMessage(rs.Rules, bad), Fields: bad}
}

var badFieldPattern = regexp.MustCompile(`^rules\[(\d+)\]\.(.+)$`)

// badRulesMessage names the first problems with their rule (position, label and key) and
// field, in rule order: 比对规则有误:第 3 条规则「…」(financial_assets)的 params.months:应为 1 到 600 个月.
func badRulesMessage(rules []Rule, bad map[string]string) string {
	type item struct {
		i     int
		field string
		why   string
	}
	items := make([]item, 0, len(bad))
	for k, why := range bad {
		m := badFieldPattern.FindStringSubmatch(k)
		if m == nil {
			items = append(items, item{-1, k, why})
			continue
		}
		i, _ := strconv.Atoi(m[1])
		items = append(items, item{i, m[2], why})
	}
	sort.Slice(items, func(a, b int) bool {
		if items[a].i != items[b].i {
			return items[a].i < items[b].i
		}
		return items[a].field < items[b].field
	})
	var b strings.Builder
	b.WriteString("比对规则有误:")
	for n, it := range items {
		if n == 3 {
			fmt.Fprintf(&b, ";另有 %d 处", len(items)-3)
			break
		}
		if n > 0 {
			b.WriteString(";")
		}
		if it.i < 0 || it.i >= len(rules) {
			fmt.Fprintf(&b, "%s:%s", it.field, it.why)
			continue
		}
		r := rules[it.i]
		name := strings.TrimSpace(r.Label)
		if r := []rune(name); len(r) > 30 {
			name = string(r[:30]) + "…"
		}
		fmt.Fprintf(&b, "第 %d 条规则「%s」(%s)的 %s:%s", it.i+1, name, r.Key, it.field, it.why)
	}
	return b.String()
}

func validateParams(c *check, r Rule, at func(string) string, bad map[string]string) {
	p := r.Params
	uses := func(name string) bool { return slices.Contains(c.Params, name) }
	unused := func(name string, set bool) {
		if set && !uses(name) {
			bad[at("params."+name)] = "规则类型 " + c.Check + " 不使用该参数"
		}
	}
	unused("exclude_types", len(p.ExcludeTypes) > 0)
	unused("include_types", len(p.IncludeTypes) > 0)
	unused("min_value_fen", p.MinValueFen != 0)
	unused("line_fen", p.LineFen != 0)
	unused("months", p.Months != 0)
	unused("standard_fen", p.StandardFen != 0)
	unused("region_standard_fen", len(p.RegionStandardFen) > 0)
	unused("max_count", p.MaxCount != 0)
	unused("grace_days", p.GraceDays != 0)
	unused("since", p.Since != "")
	if len(p.IncludeTypes) > 0 && len(p.ExcludeTypes) > 0 {
		bad[at("params.include_types")] = "包含类型和排除类型只能设置一个"
	}
	for _, k := range kindsOf(c, r) {
		col, ok := c.typeCol[k]
		if !ok {
			continue
		}
		spec, _ := SpecOf(k)
		cc := spec.Columns[col]
		if cc.Type != Enum {
			continue // free text (machine type): any words
		}
		for name, list := range map[string][]string{"include_types": p.IncludeTypes, "exclude_types": p.ExcludeTypes} {
			for _, v := range list {
				if !slices.Contains(cc.Values, v) {
					bad[at("params."+name)] = "未知的" + cc.Label + " " + strconv.Quote(v) + ",可用: " + strings.Join(cc.Values, "、")
				}
			}
		}
	}
	if p.MinValueFen < 0 || p.MinValueFen > money.MaxFen {
		bad[at("params.min_value_fen")] = "金额超出范围"
	}
	if p.LineFen < 0 || p.LineFen > money.MaxFen {
		bad[at("params.line_fen")] = "金额超出范围"
	}
	if p.MaxCount < 0 || p.MaxCount > 1000 {
		bad[at("params.max_count")] = "应为 0 到 1000"
	}
	if p.GraceDays < 0 || p.GraceDays > 366 {
		bad[at("params.grace_days")] = "应为 0 到 366 天"
	}
	if p.Since != "" {
		if _, ok := parseDay(p.Since, false); !ok {
			bad[at("params.since")] = "日期格式应为 YYYY-MM-DD"
		}
	}
	if c.Check == CheckFinancialAssets {
		if p.Months < 1 || p.Months > 600 {
			bad[at("params.months")] = "应为 1 到 600 个月"
		}
		if p.StandardFen <= 0 && len(p.RegionStandardFen) == 0 {
			bad[at("params.standard_fen")] = "需要低保标准(元/月)"
		}
		if p.StandardFen < 0 || p.StandardFen > 100_000_000 {
			bad[at("params.standard_fen")] = "金额超出范围"
		}
		for code, v := range p.RegionStandardFen {
			if !regioncode.Valid(code) || v <= 0 || v > 100_000_000 {
				bad[at("params.region_standard_fen")] = "地区代码应为12位,标准应为正数: " + code
			}
		}
	}
}

// kindsOf lists the kinds a rule reads: its Kind, or every kind of its
// check when Kind is empty.
func kindsOf(c *check, r Rule) []Kind {
	if r.Kind != "" {
		return []Kind{r.Kind}
	}
	return c.Kinds
}

// ---- rows kept for evaluation ----

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

// ---- evaluation ----

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
