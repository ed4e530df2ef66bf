package oversight

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// catalogue is every check the engine knows, in the console's order.
var catalogue = []CheckInfo{
	{Check: CheckDeceasedListed, Label: "成员已死亡仍在册", Category: CatRegistry, Params: []string{}, Datasets: []string{"death"}},
	{Check: CheckNoHelper, Label: "在档户无帮扶责任人", Category: CatRegistry, Params: []string{"grace_days"}},
	{Check: CheckWeakVillageNoTeam, Label: "薄弱村无工作队或第一书记", Category: CatRegistry, Params: []string{}},
	{Check: CheckQuarterNoVisit, Label: "上季度未走访", Category: CatRegistry, Params: []string{"grace_days"}},
	{Check: CheckVisitFarFromHome, Label: "走访定位偏离住址", Category: CatVisits, Params: []string{}},
	{Check: CheckVisitSamePhoto, Label: "不同农户使用同一照片", Category: CatVisits, Params: []string{}},
	{Check: CheckVisitLateRecord, Label: "走访补录时间异常", Category: CatVisits, Params: []string{}},
	{Check: CheckVisitImpossibleTravel, Label: "走访轨迹不可能", Category: CatVisits, Params: []string{}},
	{Check: CheckDoubtOverdue, Label: "比对疑点逾期未核查", Category: CatCrosscheck, Params: []string{"grace_days"}},
	{Check: CheckFundIdle, Label: "资金滞留", Category: CatFunds, Params: []string{"days", "min_fen"}},
	{Check: CheckFundBehind, Label: "支出进度滞后", Category: CatFunds, Params: []string{"margin_pct"}},
	{Check: CheckFundUnfiled, Label: "资金未报备", Category: CatFunds, Params: []string{"days"}},
	{Check: CheckPayeeUnregistered, Label: "向非在档人员发放", Category: CatFunds, Params: []string{}},
	{Check: CheckPayeeRemoved, Label: "向已核销户发放", Category: CatFunds, Params: []string{}},
	{Check: CheckPayeeDeceased, Label: "向已死亡人员发放", Category: CatFunds, Params: []string{}, Datasets: []string{"death"}},
	{Check: CheckPayeeExited, Label: "向超过政策期的脱贫户发放", Category: CatFunds, Params: []string{}},
	{Check: CheckPaymentDuplicate, Label: "重复发放", Category: CatFunds, Params: []string{}},
	{Check: CheckAccountShared, Label: "一卡多人", Category: CatFunds, Params: []string{}},
	{Check: CheckAboveStandard, Label: "超标准发放", Category: CatFunds, Params: []string{"tolerance_fen"}},
	{Check: CheckPayeePublicEmployee, Label: "财政供养人员领取补贴", Category: CatFunds, Params: []string{}, Datasets: []string{"public_employee"}},
	{Check: CheckPayeeCadre, Label: "干部及近亲属领取补贴(优亲厚友)", Category: CatFunds, Params: []string{"relations"}, Datasets: []string{"cadre_relative"}},
	{Check: CheckHolderMismatch, Label: "账户户名与领取人不符", Category: CatFunds, Params: []string{}},
	{Check: CheckProjectStageOverdue, Label: "项目阶段逾期", Category: CatProjects, Params: []string{"grace_days"}},
	{Check: CheckAssetIncomeUndistributed, Label: "资产收益未按期分配", Category: CatProjects, Params: []string{"days"}},
	{Check: CheckAssetDistributionMismatch, Label: "收益分配与收益不符", Category: CatProjects, Params: []string{}},
	{Check: CheckAssetDistributionNonbeneficiary, Label: "向非收益对象分配", Category: CatProjects, Params: []string{}},
}

// Checks lists the checks a rule can run, for the console's rule editor.
func Checks() []CheckInfo {
	out := make([]CheckInfo, len(catalogue))
	for i, c := range catalogue {
		c.Params = slices.Clone(c.Params)
		c.Datasets = slices.Clone(c.Datasets)
		out[i] = c
	}
	return out
}

func checkInfo(check string) (CheckInfo, bool) {
	for _, c := range catalogue {
		if c.Check == check {
			return c, true
		}
	}
	return CheckInfo{}, false
}

// categoryOf is the category of a check ("" when unknown).
func categoryOf(check string) string {
	c, _ := checkInfo(check)
	return c.Category
}

// DefaultEscalation are the lights' thresholds when a rule set names none.
var DefaultEscalation = Escalation{YellowDaysBefore: 2, RedDaysAfter: 7}

// DefaultRules is the built-in rule set (version 0): one rule per check, keyed by the check's
// name. Funds checks go to finance, registry and visits checks to the poverty office, overdue
// doubts to civil affairs; projects and assets checks to the poverty office, except a
// distribution that does not add up to its income (finance). Thresholds are data: the console
// edits them per city or county.
func DefaultRules() RuleSet {
	r := func(check, sev string, dept auth.Role, days int, p Params) Rule {
		c, _ := checkInfo(check)
		return Rule{Key: check, Check: check, Label: c.Label, Severity: sev, Department: dept, DeadlineDays: days, Enabled: true, Params: p}
	}
	po, fin := auth.PovertyOffice, auth.Finance
	return RuleSet{Version: 0, Escalation: DefaultEscalation, Rules: []Rule{
		r(CheckDeceasedListed, SevHigh, po, 10, Params{}),
		r(CheckNoHelper, SevMedium, po, 10, Params{GraceDays: 30}),
		r(CheckWeakVillageNoTeam, SevHigh, po, 15, Params{}),
		r(CheckQuarterNoVisit, SevMedium, po, 15, Params{GraceDays: 10}),
		r(CheckVisitFarFromHome, SevMedium, po, 10, Params{}),
		r(CheckVisitSamePhoto, SevHigh, po, 10, Params{}),
		r(CheckVisitLateRecord, SevLow, po, 15, Params{}),
		r(CheckVisitImpossibleTravel, SevHigh, po, 10, Params{}),
		r(CheckDoubtOverdue, SevMedium, auth.CivilAffairs, 7, Params{GraceDays: 5}),
		r(CheckFundIdle, SevMedium, fin, 15, Params{Days: 90, MinFen: 100_000}),
		r(CheckFundBehind, SevMedium, fin, 15, Params{MarginPct: 20}),
		r(CheckFundUnfiled, SevLow, fin, 15, Params{Days: 30}),
		r(CheckPayeeUnregistered, SevHigh, fin, 10, Params{}),
		r(CheckPayeeRemoved, SevHigh, fin, 10, Params{}),
		r(CheckPayeeDeceased, SevHigh, fin, 7, Params{}),
		r(CheckPayeeExited, SevMedium, fin, 10, Params{}),
		r(CheckPaymentDuplicate, SevHigh, fin, 7, Params{}),
		r(CheckAccountShared, SevHigh, fin, 10, Params{}),
		r(CheckAboveStandard, SevMedium, fin, 10, Params{ToleranceFen: 0}),
		r(CheckPayeePublicEmployee, SevHigh, fin, 10, Params{}),
		r(CheckPayeeCadre, SevHigh, fin, 10, Params{}),
		r(CheckHolderMismatch, SevMedium, fin, 10, Params{}),
		r(CheckProjectStageOverdue, SevMedium, po, 15, Params{GraceDays: 0}),
		r(CheckAssetIncomeUndistributed, SevMedium, po, 15, Params{Days: 90}),
		r(CheckAssetDistributionMismatch, SevHigh, fin, 10, Params{}),
		r(CheckAssetDistributionNonbeneficiary, SevHigh, po, 10, Params{}),
	}}
}

// Relations payee_cadre may be limited to.
var cadreRelations = []string{"self", "spouse", "parent", "child", "sibling", "in_law"}

var ruleKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// handlingRoles are the roles that may handle alerts (hold alert.handle): a rule's department.
func handlingRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.Roles {
		if slices.Contains(auth.Permissions(r), auth.AlertHandle) {
			out = append(out, r)
		}
	}
	return out
}

// Validate checks a rule set before it is stored. The error is an errs.Invalid whose fields
// name the rule and field (rules[2].params.grace_days) and whose message names the rule by
// position, label and key.
func (rs RuleSet) Validate() error {
	bad := map[string]string{}
	seenKey := map[string]bool{}
	seenCheck := map[string]int{}
	roles := handlingRoles()
	for i, r := range rs.Rules {
		at := func(f string) string { return "rules[" + strconv.Itoa(i) + "]." + f }
		if !ruleKeyPattern.MatchString(r.Key) {
			bad[at("key")] = "应为小写字母开头的字母、数字或下划线,最多40个字符"
		} else if seenKey[r.Key] {
			bad[at("key")] = "规则键重复: " + r.Key
		}
		seenKey[r.Key] = true
		if l := utf8.RuneCountInString(strings.TrimSpace(r.Label)); l == 0 || l > 100 {
			bad[at("label")] = "名称不能为空,最多100个字"
		}
		if !slices.Contains([]string{SevLow, SevMedium, SevHigh}, r.Severity) {
			bad[at("severity")] = "严重程度应为 low、medium 或 high"
		}
		if !slices.Contains(roles, r.Department) {
			names := make([]string, len(roles))
			for k, ro := range roles {
				names[k] = string(ro)
			}
			bad[at("department")] = "承办部门应为有预警处置权限的角色: " + strings.Join(names, "、")
		}
		if r.DeadlineDays < 1 || r.DeadlineDays > 90 {
			bad[at("deadline_days")] = "办理期限应为 1 到 90 天"
		}
		c, ok := checkInfo(r.Check)
		if !ok {
			bad[at("check")] = "未知的检查类型: " + r.Check
			continue
		}
		if j, dup := seenCheck[r.Check]; dup {
			bad[at("check")] = fmt.Sprintf("检查类型 %s 已由第 %d 条规则使用,每种检查只能有一条规则", r.Check, j+1)
		}
		seenCheck[r.Check] = i
		validateParams(c, r.Params, at, bad)
	}
	e := rs.Escalation
	if e.YellowDaysBefore < 0 || e.YellowDaysBefore > 30 {
		bad["escalation.yellow_days_before"] = "黄灯提前天数应为 0 到 30"
	}
	if e.RedDaysAfter < 1 || e.RedDaysAfter > 90 {
		bad["escalation.red_days_after"] = "红灯逾期天数应为 1 到 90"
	}
	if len(bad) == 0 {
		return nil
	}
	return &errs.Error{Code: errs.Invalid, Message: badRulesMessage(rs.Rules, bad), Fields: bad}
}

func validateParams(c CheckInfo, p Params, at func(string) string, bad map[string]string) {
	uses := func(name string) bool { return slices.Contains(c.Params, name) }
	check := func(name string, set bool, ok bool, why string) {
		switch {
		case set && !uses(name):
			bad[at("params."+name)] = "检查类型 " + c.Check + " 不使用该参数"
		case uses(name) && !ok:
			bad[at("params."+name)] = why
		}
	}
	check("days", p.Days != 0, p.Days >= 1 && p.Days <= 3650, "天数应为 1 到 3650")
	check("grace_days", p.GraceDays != 0, p.GraceDays >= 0 && p.GraceDays <= 365, "宽限天数应为 0 到 365")
	check("margin_pct", p.MarginPct != 0, p.MarginPct >= 1 && p.MarginPct <= 100, "滞后幅度应为 1 到 100(百分点)")
	check("min_fen", p.MinFen != 0, p.MinFen >= 0 && p.MinFen <= 1_000_000_000_000, "最低余额应为 0 到 100 亿元(以分计)")
	check("tolerance_fen", p.ToleranceFen != 0, p.ToleranceFen >= 0 && p.ToleranceFen <= 100_000_000, "容差应为 0 到 100 万元(以分计)")
	relOK := true
	seen := map[string]bool{}
	for _, r := range p.Relations {
		if !slices.Contains(cadreRelations, r) || seen[r] {
			relOK = false
		}
		seen[r] = true
	}
	check("relations", len(p.Relations) > 0, relOK, "亲属关系应为 "+strings.Join(cadreRelations, "、")+" 中的不重复项")
}

var badFieldPattern = regexp.MustCompile(`^rules\[(\d+)\]\.(.+)$`)

// badRulesMessage names the first problems with their rule (position, label and key) and
// field, in rule order: 预警规则有误:第 3 条规则「…」(no_helper)的 params.grace_days:….
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
			items = append(items, item{1 << 30, k, why})
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
	b.WriteString("预警规则有误:")
	for n, it := range items {
		if n == 3 {
			fmt.Fprintf(&b, ";另有 %d 处", len(items)-3)
			break
		}
		if n > 0 {
			b.WriteString(";")
		}
		if it.i >= len(rules) {
			fmt.Fprintf(&b, "%s:%s", it.field, it.why)
			continue
		}
		r := rules[it.i]
		name := strings.TrimSpace(r.Label)
		if rr := []rune(name); len(rr) > 30 {
			name = string(rr[:30]) + "…"
		}
		fmt.Fprintf(&b, "第 %d 条规则「%s」(%s)的 %s:%s", it.i+1, name, r.Key, it.field, it.why)
	}
	return b.String()
}
