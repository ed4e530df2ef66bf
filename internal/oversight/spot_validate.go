package oversight

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/projects"
	"sunshine/internal/regioncode"
)

// spotRoles are the roles whose users may inspect: they hold spot.write or alert.read.
func spotRoles() []string {
	var out []string
	for _, r := range auth.Roles {
		if r == auth.Admin { // runs the system, inspects nobody
			continue
		}
		if ps := auth.Permissions(r); slices.Contains(ps, auth.SpotWrite) || slices.Contains(ps, auth.AlertRead) {
			out = append(out, string(r))
		}
	}
	return out
}

func validDate(s string) bool {
	t, err := time.Parse(db.DateLayout, s)
	return err == nil && t.Format(db.DateLayout) == s
}

// validate checks the input's shape (not what it points at).
func (in *SpotPlanInput) validate() error {
	v := errs.Validation{}
	in.Title = strings.TrimSpace(in.Title)
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		v.Add("title", "请填写计划名称")
	case n > 100:
		v.Add("title", "不超过 100 字")
	}
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "应为 12 位区划代码")
	}
	f := in.Filter
	switch in.TargetKind {
	case SpotHousehold:
		if f.FundID != 0 || f.ItemID != 0 || f.Period != "" || f.From != "" || f.To != "" || f.projectFiltered() {
			v.Add("filter", "抽查农户时只能按状态和户类型筛选")
		}
		if f.Status != "" && !slices.Contains([]string{"applying", "registered", "exited", "removed"}, f.Status) {
			v.Add("filter.status", "应为 applying、registered、exited 或 removed")
		}
		if f.HouseholdType != "" && !slices.Contains([]string{"dibao", "tekun", "general"}, f.HouseholdType) {
			v.Add("filter.household_type", "应为 dibao、tekun 或 general")
		}
	case SpotPayment:
		if f.Status != "" || f.HouseholdType != "" || f.projectFiltered() {
			v.Add("filter", "抽查发放记录时只能按资金、项目、期间和日期筛选")
		}
		if f.FundID < 0 {
			v.Add("filter.fund_id", "应为正整数")
		}
		if f.ItemID < 0 {
			v.Add("filter.item_id", "应为正整数")
		}
		if f.Period != "" && !funds.ValidPeriod(f.Period) {
			v.Add("filter.period", "期间格式应为 2026、2026Q1 或 2026-03")
		}
		if f.From != "" && !validDate(f.From) {
			v.Add("filter.from", "日期格式应为 YYYY-MM-DD")
		}
		if f.To != "" && !validDate(f.To) {
			v.Add("filter.to", "日期格式应为 YYYY-MM-DD")
		}
		if f.From != "" && f.To != "" && validDate(f.From) && validDate(f.To) && f.From > f.To {
			v.Add("filter.to", "截止日期不能早于开始日期")
		}
	case SpotProject:
		if f.Status != "" || f.HouseholdType != "" || f.FundID != 0 || f.ItemID != 0 || f.Period != "" || f.From != "" || f.To != "" {
			v.Add("filter", "抽查项目时只能按项目类型、所处阶段和年度筛选")
		}
		if f.Kind != "" && !slices.Contains(projects.Kinds, f.Kind) {
			v.Add("filter.kind", "应为 household、carrier 或 village")
		}
		if f.Stage != nil && (*f.Stage < projects.Research || *f.Stage > projects.Done) {
			v.Add("filter.stage", "应为 0 到 9(9 为已完成全部阶段)")
		}
		if f.Year != 0 && (f.Year < 2000 || f.Year > 2099) {
			v.Add("filter.year", "应为 2000 到 2099 年")
		}
	default:
		v.Add("target_kind", "应为 household、payment 或 project")
	}
	if in.SampleSize < 1 || in.SampleSize > spotMaxSample {
		v.Add("sample_size", "应为 1 到 1000 的整数")
	}
	if in.InspectorsPerTarget < 1 || in.InspectorsPerTarget > spotMaxInspectors {
		v.Add("inspectors_per_target", "应为 1 到 10 的整数")
	}
	switch {
	case len(in.InspectorIDs) == 0:
		v.Add("inspector_ids", "请选择检查人员库")
	case len(in.InspectorIDs) > spotMaxPool:
		v.Add("inspector_ids", "检查人员库不超过 200 人")
	default:
		seen := map[int64]bool{}
		for _, id := range in.InspectorIDs {
			if id <= 0 || seen[id] {
				v.Add("inspector_ids", "人员编号无效或重复")
				break
			}
			seen[id] = true
		}
		if len(in.InspectorIDs) < in.InspectorsPerTarget && in.InspectorsPerTarget >= 1 {
			v.Add("inspectors_per_target", "每个对象的检查人数不能超过检查人员库人数")
		}
	}
	return v.Err()
}
