package projects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// MaxBudgetFen bounds a project's budget (10 billion yuan).
const MaxBudgetFen = 1_000_000_000_000

// StageRules is the lifecycle with each stage's documents and signers.
func (s *Service) StageRules() []StageRule { return slices.Clone(Stages) }

// projText trims a text field and checks its length in characters.
func projText(v errs.Validation, field string, s *string, min, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s):
		v.Add(field, "含有无效字符")
	case n < min && min == 1:
		v.Add(field, "必填")
	case n < min:
		v.Add(field, fmt.Sprintf("至少 %d 个字", min))
	case n > max:
		v.Add(field, fmt.Sprintf("不超过 %d 个字", max))
	}
}

// projDate parses a YYYY-MM-DD date exactly.
func projDate(s string) (time.Time, bool) {
	d, err := time.Parse(db.DateLayout, s)
	return d, err == nil && d.Format(db.DateLayout) == s
}

// validate checks a project's fields (not the plan) and returns its budget in fen.
func (in *ProjectInput) validate(v errs.Validation) int64 {
	projText(v, "code", &in.Code, 0, 40)
	projText(v, "name", &in.Name, 1, 100)
	projText(v, "implementer", &in.Implementer, 1, 100)
	projText(v, "carrier_name", &in.CarrierName, 0, 100)
	projText(v, "scale", &in.Scale, 0, 200)
	projText(v, "benefit_mechanism", &in.BenefitMechanism, 0, 1000)
	projText(v, "targets", &in.Targets, 0, 1000)
	in.Kind, in.Subkind, in.RegionCode, in.StartOn = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Subkind),
		strings.TrimSpace(in.RegionCode), strings.TrimSpace(in.StartOn)
	if in.Code != "" && strings.ContainsAny(in.Code, " \t\r\n/\\") {
		v.Add("code", "项目编号不能含空格或斜杠")
	}
	switch in.Kind {
	case "household":
		if in.Subkind != "" {
			v.Add("subkind", "直接到户项目没有子类型")
		}
	case "village":
		if !slices.Contains(VillageSubkinds, in.Subkind) {
			v.Add("subkind", "村级增收项目应为 "+strings.Join(VillageSubkinds, "、")+" 之一")
		}
	case "carrier":
		if !slices.Contains(CarrierSubkinds, in.Subkind) {
			v.Add("subkind", "载体带动项目应为 enterprise 或 cooperative")
		}
		if in.CarrierName == "" {
			v.Add("carrier_name", "载体带动项目须填写载体(企业或合作社)名称")
		}
		if in.BenefitMechanism == "" {
			v.Add("benefit_mechanism", "载体带动项目须写明利益联结机制")
		}
	default:
		v.Add("kind", "项目类型应为 household、carrier 或 village")
	}
	switch regioncode.LevelOf(in.RegionCode) {
	case regioncode.County, regioncode.Town, regioncode.Village:
	default:
		v.Add("region_code", "应为县、镇或村的 12 位区划代码")
	}
	if in.Year < 2000 || in.Year > 2099 {
		v.Add("year", "年度应在 2000 到 2099 之间")
	}
	budget, err := money.ParseYuan(in.BudgetYuan)
	switch {
	case err != nil:
		v.Add("budget_yuan", err.Error())
	case budget <= 0:
		v.Add("budget_yuan", "预算应大于 0")
	case budget > MaxBudgetFen:
		v.Add("budget_yuan", "预算不超过 100 亿元")
	}
	if in.PlanID < 0 {
		v.Add("plan_id", "应为正整数")
	}
	return budget
}

// planDates is the planned start and end of the nine stages.
type planDates [Done][2]string

// buildPlan fills the nine stages' planned dates: given ones as given, the others chained from
// the previous stage's end (or start) with the rule's default duration. from is the first
// stage that may be planned (earlier ones keep base). It checks the order of the result.
// Only the first userN entries of plan are the caller's (field errors name them).
func buildPlan(v errs.Validation, base planDates, startOn string, plan []StagePlan, from, userN int) planDates {
	out := base
	given := map[int]bool{}
	for i, sp := range plan {
		f := fmt.Sprintf("plan[%d]", i)
		if sp.Stage < 0 || sp.Stage >= len(Stages) {
			v.Add(f+".stage", "阶段应为 0 到 8")
			continue
		}
		if given[sp.Stage] {
			v.Add(f+".stage", "阶段重复")
			continue
		}
		if sp.Stage < from {
			v.Add(f+".stage", "已开始或已完成的阶段不能修改计划")
			continue
		}
		given[sp.Stage] = true
		sp.PlannedStart, sp.PlannedEnd = strings.TrimSpace(sp.PlannedStart), strings.TrimSpace(sp.PlannedEnd)
		if _, ok := projDate(sp.PlannedStart); !ok {
			v.Add(f+".planned_start", "日期格式应为 YYYY-MM-DD")
			continue
		}
		if _, ok := projDate(sp.PlannedEnd); !ok {
			v.Add(f+".planned_end", "日期格式应为 YYYY-MM-DD")
			continue
		}
		if sp.PlannedEnd < sp.PlannedStart {
			v.Add(f+".planned_end", "计划结束不能早于计划开始")
			continue
		}
		out[sp.Stage] = [2]string{sp.PlannedStart, sp.PlannedEnd}
	}
	if len(v) > 0 {
		return out
	}
	for k := from; k < len(Stages); k++ {
		if given[k] {
			continue
		}
		start := startOn
		if k > 0 {
			start = out[k-1][1]
		}
		d, ok := projDate(start)
		if !ok {
			v.Add("start_on", "日期格式应为 YYYY-MM-DD")
			return out
		}
		out[k] = [2]string{start, d.AddDate(0, 0, Stages[k].Days).Format(db.DateLayout)}
	}
	for k := 1; k < len(Stages); k++ {
		if out[k][0] < out[k-1][0] || out[k][1] < out[k-1][1] {
			field := "start_on"
			for i, sp := range plan[:userN] {
				if sp.Stage == k || sp.Stage == k-1 {
					field = fmt.Sprintf("plan[%d].planned_start", i)
				}
			}
			v.Add(field, fmt.Sprintf("「%s」的计划不能早于「%s」", Stages[k].Label, Stages[k-1].Label))
			break
		}
	}
	return out
}

// checkPlanLink checks that a village plan exists in the principal's scope and belongs to the
// project's village or a village under the project's region.
func checkPlanLink(ctx context.Context, q db.Queryer, p *auth.Principal, planID int64, region string) error {
	var planRegion string
	err := q.QueryRowContext(ctx, `SELECT region_code FROM village_plans WHERE id = ?`, planID).Scan(&planRegion)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.InScope(planRegion) {
		return errs.Missing("plan_id", "村级项目规划不存在")
	}
	if err != nil {
		return err
	}
	if !regioncode.Within(planRegion, region) {
		return errs.Field("plan_id", "该规划不属于项目所在区划")
	}
	return nil
}

// nextProjectCode is XM{year}-{county 6}-{seq 4}, one more than the highest of that year and county.
func nextProjectCode(ctx context.Context, tx *db.Tx, year int, region string) (string, error) {
	prefix := fmt.Sprintf("XM%d-%s-", year, region[:6])
	var last sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MAX(code) FROM projects WHERE code LIKE ?`, prefix+"%").Scan(&last); err != nil {
		return "", err
	}
	seq := 1
	if last.Valid {
		if n, err := strconv.Atoi(strings.TrimPrefix(last.String, prefix)); err == nil {
			seq = n + 1
		}
	}
	return fmt.Sprintf("%s%04d", prefix, seq), nil
}

// CreateProject registers a project at stage 0 (调研) with its nine planned stages and opens
// its ledger account, in one transaction with its audit event.
func (s *Service) CreateProject(ctx context.Context, p *auth.Principal, in ProjectInput) (ProjectDetail, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return ProjectDetail{}, err
	}
	today := s.today()
	v := errs.Validation{}
	budget := in.validate(v)
	if in.StartOn == "" {
		in.StartOn = today
	} else if _, ok := projDate(in.StartOn); !ok {
		v.Add("start_on", "日期格式应为 YYYY-MM-DD")
	}
	var plan planDates
	if len(v) == 0 {
		plan = buildPlan(v, plan, in.StartOn, in.Plan, 0, len(in.Plan))
	}
	if err := v.Err(); err != nil {
		return ProjectDetail{}, err
	}
	if err := p.RequireIn(auth.ProjectWrite, in.RegionCode); err != nil {
		return ProjectDetail{}, err
	}
	var id int64
	// A generated code is the county's next number: two registrations racing for it conflict
	// on the unique code, and the loser tries again with the number after.
	generated := in.Code == ""
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if generated {
			in.Code = ""
		}
		if err = s.createProject(ctx, p, &in, budget, plan, today, &id); !generated || errs.CodeOf(err) != errs.Conflict {
			break
		}
	}
	if err != nil {
		return ProjectDetail{}, err
	}
	return s.Project(ctx, p, id)
}

func (s *Service) createProject(ctx context.Context, p *auth.Principal, in *ProjectInput, budget int64, plan planDates, today string, idp *int64) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := projRegionExists(ctx, tx, "region_code", in.RegionCode); err != nil {
			return err
		}
		if in.PlanID > 0 {
			if err := checkPlanLink(ctx, tx, p, in.PlanID, in.RegionCode); err != nil {
				return err
			}
		}
		var err error
		if in.Code == "" {
			if in.Code, err = nextProjectCode(ctx, tx, in.Year, in.RegionCode); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects WHERE code = ?`, in.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "项目编号 " + in.Code + " 已存在", Fields: map[string]string{"code": "已存在"}}
		}
		now := db.Time(tx.Now)
		var id int64
		account, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at)
			VALUES ('project', ?, ?, ?, ?) RETURNING id`, in.Code+" "+in.Name, in.RegionCode, p.UserID, now)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO projects (code, name, kind, subkind, region_code, year, budget_fen, implementer,
			carrier_name, scale, benefit_mechanism, targets, stage, stage_since, stage_due, status, plan_id, account_id, version,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 'active', ?, ?, 1, ?, ?, ?) RETURNING id`,
			in.Code, in.Name, in.Kind, in.Subkind, in.RegionCode, in.Year, budget, in.Implementer, in.CarrierName, in.Scale,
			in.BenefitMechanism, in.Targets, today, plan[0][1], db.NullID(in.PlanID), account, p.UserID, now, now)
		if err != nil {
			return err
		}
		for k := range Stages {
			var start any
			if k == 0 {
				start = today
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_stages (project_id, stage, planned_start, planned_end, actual_start)
				VALUES (?, ?, ?, ?, ?)`, id, k, plan[k][0], plan[k][1], start); err != nil {
				return err
			}
		}
		x, err := projectFor(ctx, tx, p, id, auth.ProjectWrite)
		if err != nil {
			return err
		}
		*idp = id
		return record(ctx, tx, p, "project.create", "project", id, in.RegionCode, nil, x)
	})
}

// UpdateProject edits a project's descriptive fields and the planned dates of stages not yet
// begun. Kind, region and code never change.
func (s *Service) UpdateProject(ctx context.Context, p *auth.Principal, id int64, in ProjectInput) (ProjectDetail, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return ProjectDetail{}, err
	}
	if in.Version <= 0 {
		return ProjectDetail{}, errs.Field("version", "缺少版本号")
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		old, err := projectFor(ctx, tx, p, id, auth.ProjectWrite)
		if err != nil {
			return err
		}
		v := errs.Validation{}
		if k := strings.TrimSpace(in.Kind); k != "" && k != old.Kind {
			v.Add("kind", "项目类型不能修改")
		}
		if r := strings.TrimSpace(in.RegionCode); r != "" && r != old.RegionCode {
			v.Add("region_code", "项目所在区划不能修改")
		}
		if c := strings.TrimSpace(in.Code); c != "" && c != old.Code {
			v.Add("code", "项目编号不能修改")
		}
		if err := v.Err(); err != nil {
			return err
		}
		in.Kind, in.RegionCode, in.Code = old.Kind, old.RegionCode, old.Code
		budget := in.validate(v)
		if in.StartOn != "" {
			v.Add("start_on", "开始日期不能修改,请修改各阶段计划")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if old.Status != "active" {
			return errs.E(errs.Conflict, "项目已%s,不能修改", map[string]string{"completed": "完成", "failed": "容错认定为失败"}[old.Status])
		}
		if in.Version != old.Version {
			return errStale
		}
		if in.PlanID > 0 && (old.PlanID == nil || *old.PlanID != in.PlanID) {
			if err := checkPlanLink(ctx, tx, p, in.PlanID, old.RegionCode); err != nil {
				return err
			}
		}
		var base planDates
		stages, err := projStageRows(ctx, tx, old, db.Date(tx.Now))
		if err != nil {
			return err
		}
		for _, st := range stages {
			if st.PlannedStart != nil && st.PlannedEnd != nil {
				base[st.Stage] = [2]string{*st.PlannedStart, *st.PlannedEnd}
			}
		}
		from := old.Stage + 1
		plan := base
		if len(in.Plan) > 0 {
			given := make([]StagePlan, 0, len(in.Plan))
			given = append(given, in.Plan...)
			// stages not given keep their dates: pass them as given
			have := map[int]bool{}
			for _, sp := range in.Plan {
				have[sp.Stage] = true
			}
			for k := from; k < len(Stages); k++ {
				if !have[k] {
					given = append(given, StagePlan{Stage: k, PlannedStart: base[k][0], PlannedEnd: base[k][1]})
				}
			}
			plan = buildPlan(v, base, base[0][0], given, from, len(in.Plan))
			if err := v.Err(); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE projects SET name = ?, subkind = ?, year = ?, budget_fen = ?, implementer = ?, carrier_name = ?,
			scale = ?, benefit_mechanism = ?, targets = ?, plan_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Name, in.Subkind, in.Year, budget, in.Implementer, in.CarrierName, in.Scale, in.BenefitMechanism, in.Targets,
			db.NullID(in.PlanID), db.Time(tx.Now), id, in.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return err
			}
			return errStale
		}
		for k := from; k < len(Stages); k++ {
			if plan[k] != base[k] {
				if _, err := tx.ExecContext(ctx, `UPDATE project_stages SET planned_start = ?, planned_end = ? WHERE project_id = ? AND stage = ?`,
					plan[k][0], plan[k][1], id, k); err != nil {
					return err
				}
			}
		}
		x, err := projectFor(ctx, tx, p, id, auth.ProjectWrite)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "project.update", "project", id, old.RegionCode, old, x)
	})
	if err != nil {
		return ProjectDetail{}, err
	}
	return s.Project(ctx, p, id)
}

// Project is the project page.
func (s *Service) Project(ctx context.Context, p *auth.Principal, id int64) (ProjectDetail, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return ProjectDetail{}, err
	}
	q, today := s.DB.Reader(), s.today()
	rows, err := queryProjects(ctx, q, today, `p.id = ?`, id)
	if err != nil {
		return ProjectDetail{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].RegionCode) {
		return ProjectDetail{}, errNoProject
	}
	return projDetail(ctx, q, rows[0], today)
}

// projListRegion resolves a list's region filter: the principal's scope by default, else a
// region in it.
func projListRegion(p *auth.Principal, region string) (string, error) {
	if region == "" {
		if p.Root && p.Scope == "" {
			return "", nil
		}
		return p.Scope, nil
	}
	if !regioncode.Valid(region) {
		return "", errs.Field("region", "区划代码须为 12 位数字")
	}
	if !p.InScope(region) {
		return "", errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", region)
	}
	return region, nil
}

// projectWhere is the WHERE of a project list or board under region with the filter's
// conditions (all on the projects table).
func projectWhere(p *auth.Principal, region string, f ProjectFilter, today string) (string, []any) {
	where := []string{}
	args := []any{}
	if region != "" {
		lo, hi := regioncode.Range(region)
		where, args = append(where, "p.region_code BETWEEN ? AND ?"), append(args, lo, hi)
	}
	cond, cargs := p.ScopeCond("p.region_code")
	where, args = append(where, cond), append(args, cargs...)
	if f.Kind != "" {
		where, args = append(where, "p.kind = ?"), append(args, f.Kind)
	}
	if f.Stage >= 0 {
		where, args = append(where, "p.stage = ?"), append(args, f.Stage)
	}
	if f.Status != "" {
		where, args = append(where, "p.status = ?"), append(args, f.Status)
	}
	if f.Year > 0 {
		where, args = append(where, "p.year = ?"), append(args, f.Year)
	}
	if f.Overdue {
		where, args = append(where, "p.status = 'active' AND p.stage_due < ?"), append(args, today)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		where, args = append(where, "(p.name LIKE ? OR p.code LIKE ?)"), append(args, "%"+s+"%", "%"+s+"%")
	}
	return strings.Join(where, " AND "), args
}

func (f *ProjectFilter) check() error {
	v := errs.Validation{}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		v.Add("kind", "项目类型应为 household、carrier 或 village")
	}
	if f.Stage < -1 || f.Stage > Done {
		v.Add("stage", "阶段应为 0 到 9")
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		v.Add("status", "状态应为 active、completed 或 failed")
	}
	if f.Year != 0 && (f.Year < 2000 || f.Year > 2099) {
		v.Add("year", "年度应在 2000 到 2099 之间")
	}
	if utf8.RuneCountInString(f.Q) > 100 {
		v.Add("q", "不超过 100 个字")
	}
	return v.Err()
}

// Projects pages through the projects under a region, newest first (limit+1 rows for
// httpx.NewList).
func (s *Service) Projects(ctx context.Context, p *auth.Principal, f ProjectFilter) ([]Project, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	region, err := projListRegion(p, f.Region)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	today := s.today()
	where, args := projectWhere(p, region, f, today)
	if f.After > 0 {
		where, args = where+" AND p.id < ?", append(args, f.After)
	}
	return queryProjects(ctx, s.DB.Reader(), today, where+" ORDER BY p.id DESC LIMIT ?", append(args, f.Limit+1)...)
}
