package crosscheck

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/errs"
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
