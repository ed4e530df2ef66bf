package oversight

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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

// Random spot checks (双随机): a plan fixes its population (the sorted ids of the targets its
// filter matches in its region), its inspector pool and a secret 32-byte seed, and publishes
// the SHA-256 of each. The draw reveals the seed and picks the sample and each target's
// inspectors with Draw, so anyone can repeat it (GET …/population, …/verify, or
// scripts/verify-draw.mjs).

// Spot plan statuses and target kinds.
const (
	SpotCommitted = "committed"
	SpotDrawn     = "drawn"
	SpotClosed    = "closed"

	SpotHousehold = "household"
	SpotPayment   = "payment"
	SpotProject   = "project"

	SpotOK      = "ok"
	SpotProblem = "problem"
)

// Limits of a plan: the population is stored with the plan, so it must stay a sensible size.
const (
	spotMaxPopulation = 500_000
	spotMaxSample     = 1000
	spotMaxInspectors = 10
	spotMaxPool       = 200
	spotMaxFinding    = 2000
)

// SpotFilter chooses the population: status and household_type for households; fund_id,
// item_id, period and the on_date range from/to for payments; kind (household, carrier,
// village), stage (0-8 the current stage, 9 completed) and year for projects. Empty fields do
// not filter.
type SpotFilter struct {
	Status        string `json:"status,omitempty"`
	HouseholdType string `json:"household_type,omitempty"`
	FundID        int64  `json:"fund_id,omitempty"`
	ItemID        int64  `json:"item_id,omitempty"`
	Period        string `json:"period,omitempty"`
	From          string `json:"from,omitempty"`
	To            string `json:"to,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Stage         *int   `json:"stage,omitempty"`
	Year          int    `json:"year,omitempty"`
}

// projectFiltered: a project field of the filter is set.
func (f SpotFilter) projectFiltered() bool { return f.Kind != "" || f.Stage != nil || f.Year != 0 }

// SpotPlanInput creates a plan.
type SpotPlanInput struct {
	Title               string     `json:"title"`
	RegionCode          string     `json:"region_code"`
	TargetKind          string     `json:"target_kind"`
	Filter              SpotFilter `json:"filter"`
	SampleSize          int        `json:"sample_size"`
	InspectorsPerTarget int        `json:"inspectors_per_target"`
	InspectorIDs        []int64    `json:"inspector_ids"`
}

// SpotPerson is an inspector.
type SpotPerson struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// SpotInspector is a candidate for a plan's inspector pool.
type SpotInspector struct {
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	RoleLabel string    `json:"role_label"`
	ScopeCode string    `json:"scope_code"`
}

// SpotTarget is one drawn target with its inspectors and result.
type SpotTarget struct {
	Pos        int          `json:"pos"` // 0-based position in draw order
	TargetID   int64        `json:"target_id"`
	Label      string       `json:"label"`
	RegionCode string       `json:"region_code"`
	Inspectors []SpotPerson `json:"inspectors"`
	Result     string       `json:"result"` // "" (not yet), ok, problem
	Finding    string       `json:"finding"`
	RecordedBy *int64       `json:"recorded_by"`
	RecordedAt *time.Time   `json:"recorded_at"`
}

// SpotPlan is a plan as answered. Seed is null until the draw; lists never carry it.
type SpotPlan struct {
	ID                  int64        `json:"id"`
	Title               string       `json:"title"`
	RegionCode          string       `json:"region_code"`
	RegionName          string       `json:"region_name"`
	TargetKind          string       `json:"target_kind"`
	Filter              SpotFilter   `json:"filter"`
	SampleSize          int          `json:"sample_size"`
	InspectorsPerTarget int          `json:"inspectors_per_target"`
	Inspectors          []SpotPerson `json:"inspectors"`
	PopulationCount     int          `json:"population_count"`
	PopulationHash      string       `json:"population_hash"`
	SeedHash            string       `json:"seed_hash"`
	Seed                *string      `json:"seed"`
	Status              string       `json:"status"`
	CreatedBy           int64        `json:"created_by"`
	CreatedByName       string       `json:"created_by_name"`
	CreatedAt           time.Time    `json:"created_at"`
	DrawnAt             *time.Time   `json:"drawn_at"`
	ClosedAt            *time.Time   `json:"closed_at"`
	Recorded            int          `json:"recorded"` // targets with a result
	Problems            int          `json:"problems"` // targets with result problem
	Targets             []SpotTarget `json:"targets"`
}

// SpotPopulation is a plan's population, to repeat the draw.
type SpotPopulation struct {
	PlanID         int64   `json:"plan_id"`
	TargetKind     string  `json:"target_kind"`
	PopulationHash string  `json:"population_hash"`
	Count          int     `json:"count"`
	IDs            []int64 `json:"ids"`
}

// SpotVerification is the server repeating a drawn plan's draw from what it published.
type SpotVerification struct {
	SeedMatchesHash       bool    `json:"seed_matches_hash"`
	PopulationMatchesHash bool    `json:"population_matches_hash"`
	SampleMatches         bool    `json:"sample_matches"`
	InspectorsMatch       bool    `json:"inspectors_match"`
	Recomputed            []int64 `json:"recomputed"`
}

// SpotFindingInput records the result of checking one target.
type SpotFindingInput struct {
	Result  string `json:"result"`
	Finding string `json:"finding"`
}

// spotRoles are the roles whose users may be inspectors: they hold spot.write or alert.read.
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

// SpotInspectors lists the candidates for a plan's inspector pool in a region: active users
// whose role holds spot.write or alert.read and whose scope covers the region.
func (s *Service) SpotInspectors(ctx context.Context, p *auth.Principal, region string) ([]SpotInspector, error) {
	if region == "" && p != nil {
		region = p.Scope
	}
	if !regioncode.Valid(region) {
		return nil, errs.Field("region", "应为 12 位区划代码")
	}
	if err := p.RequireIn(auth.SpotWrite, region); err != nil {
		return nil, err
	}
	return spotCandidates(ctx, s.DB.Reader(), region, nil)
}

// CreateSpotPlan fixes a plan's population, pool and secret seed.
func (s *Service) CreateSpotPlan(ctx context.Context, p *auth.Principal, in SpotPlanInput) (SpotPlan, error) {
	if err := p.Require(auth.SpotWrite); err != nil {
		return SpotPlan{}, err
	}
	if err := in.validate(); err != nil {
		return SpotPlan{}, err
	}
	if err := p.RequireIn(auth.SpotWrite, in.RegionCode); err != nil {
		return SpotPlan{}, err
	}
	seed := make([]byte, SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return SpotPlan{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, in.RegionCode).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return errs.Missing("region_code", "区划不存在")
		}
		pool, err := spotCandidates(ctx, tx, in.RegionCode, in.InspectorIDs)
		if err != nil {
			return err
		}
		if len(pool) != len(in.InspectorIDs) {
			have := map[int64]bool{}
			for _, c := range pool {
				have[c.UserID] = true
			}
			for _, uid := range in.InspectorIDs {
				if !have[uid] {
					return spotFieldErr("inspector_ids", fmt.Sprintf("用户 %d 不能作为检查人员: 须为在用账号、角色可查阅预警或开展抽查、管辖范围覆盖 %s", uid, in.RegionCode))
				}
			}
		}
		persons := make([]SpotPerson, len(pool))
		for i, c := range pool {
			persons[i] = SpotPerson{UserID: c.UserID, Name: c.Name}
		}
		slices.SortFunc(persons, func(a, b SpotPerson) int { return cmpInt64(a.UserID, b.UserID) })
		if err := spotCheckFilterRefs(ctx, tx, in); err != nil {
			return err
		}
		ids, err := spotPopulation(ctx, tx, in.RegionCode, in.TargetKind, in.Filter)
		if err != nil {
			return err
		}
		if len(ids) < in.SampleSize {
			return spotFieldErr("sample_size", fmt.Sprintf("抽查数量 %d 超过了符合条件的对象数 %d", in.SampleSize, len(ids)))
		}
		popJSON := PopulationJSON(ids)
		filterJSON, _ := json.Marshal(in.Filter)
		poolJSON, _ := json.Marshal(persons)
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO spot_plans (title, region_code, target_kind, filter_json, sample_size,
			inspectors_per_target, inspector_pool_json, population_json, population_hash, seed_hash, seed, status,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Title, in.RegionCode, in.TargetKind, string(filterJSON), in.SampleSize, in.InspectorsPerTarget, string(poolJSON),
			string(popJSON), PopulationHash(ids), SeedHash(seed), hex.EncodeToString(seed), SpotCommitted, p.UserID, now, now)
		if err != nil {
			return err
		}
		// The audit event publishes the commitment, never the seed.
		return record(ctx, tx, p, "spot.plan", "spot_plan", id, in.RegionCode, nil, map[string]any{
			"title": in.Title, "target_kind": in.TargetKind, "filter": in.Filter, "sample_size": in.SampleSize,
			"inspectors_per_target": in.InspectorsPerTarget, "inspectors": persons, "population_count": len(ids),
			"population_hash": PopulationHash(ids), "seed_hash": SeedHash(seed)})
	})
	if err != nil {
		return SpotPlan{}, err
	}
	return s.SpotPlan(ctx, p, id)
}

// SpotPlan reads one plan with its targets; the seed only once drawn.
func (s *Service) SpotPlan(ctx context.Context, p *auth.Principal, id int64) (SpotPlan, error) {
	if err := p.Require(auth.AlertRead); err != nil {
		return SpotPlan{}, err
	}
	pl, err := spotLoad(ctx, s.DB.Reader(), id, false)
	if err != nil {
		return SpotPlan{}, err
	}
	if !p.InScope(pl.RegionCode) {
		return SpotPlan{}, errs.Missing("id", "抽查计划不存在")
	}
	return pl.answer(ctx, s.DB.Reader(), true)
}

// SpotPlans lists the plans under a region, newest first (no seed, no targets).
func (s *Service) SpotPlans(ctx context.Context, p *auth.Principal, region string, after int64, limit int) ([]SpotPlan, error) {
	if err := p.Require(auth.AlertRead); err != nil {
		return nil, err
	}
	if region == "" {
		region = p.Scope
	}
	if !regioncode.Valid(region) {
		return nil, errs.Field("region", "应为 12 位区划代码")
	}
	if err := p.RequireIn(auth.AlertRead, region); err != nil {
		return nil, err
	}
	return spotList(ctx, s.DB.Reader(), p, region, after, limit)
}

// SpotPopulationOf answers a plan's population.
func (s *Service) SpotPopulationOf(ctx context.Context, p *auth.Principal, id int64) (SpotPopulation, error) {
	if err := p.Require(auth.AlertRead); err != nil {
		return SpotPopulation{}, err
	}
	pl, err := spotLoad(ctx, s.DB.Reader(), id, true)
	if err != nil {
		return SpotPopulation{}, err
	}
	if !p.InScope(pl.RegionCode) {
		return SpotPopulation{}, errs.Missing("id", "抽查计划不存在")
	}
	return SpotPopulation{PlanID: pl.ID, TargetKind: pl.TargetKind, PopulationHash: pl.PopulationHash, Count: len(pl.population), IDs: pl.population}, nil
}

// VerifySpotPlan repeats a drawn plan's draw from its revealed seed and stored population.
func (s *Service) VerifySpotPlan(ctx context.Context, p *auth.Principal, id int64) (SpotVerification, error) {
	if err := p.Require(auth.AlertRead); err != nil {
		return SpotVerification{}, err
	}
	pl, err := spotLoad(ctx, s.DB.Reader(), id, true)
	if err != nil {
		return SpotVerification{}, err
	}
	if !p.InScope(pl.RegionCode) {
		return SpotVerification{}, errs.Missing("id", "抽查计划不存在")
	}
	if pl.Status == SpotCommitted {
		return SpotVerification{}, errs.E(errs.Conflict, "计划尚未抽取,种子未公开,无法复核")
	}
	targets, err := spotTargets(ctx, s.DB.Reader(), id)
	if err != nil {
		return SpotVerification{}, err
	}
	return pl.verify(targets), nil
}

// verify recomputes the draw and compares it with the stored targets.
func (pl *spotRow) verify(targets []SpotTarget) SpotVerification {
	seed, err := hex.DecodeString(pl.seed)
	out := SpotVerification{Recomputed: []int64{}}
	if err != nil {
		return out
	}
	out.SeedMatchesHash = SeedHash(seed) == pl.SeedHash
	out.PopulationMatchesHash = PopulationHash(pl.population) == pl.PopulationHash
	out.Recomputed = DrawTargets(seed, pl.population, pl.SampleSize)
	out.SampleMatches = len(targets) == len(out.Recomputed)
	out.InspectorsMatch = out.SampleMatches
	pool := make([]int64, len(pl.Inspectors))
	for i, x := range pl.Inspectors {
		pool[i] = x.UserID
	}
	for i, t := range targets {
		if !out.SampleMatches {
			break
		}
		if t.Pos != i || t.TargetID != out.Recomputed[i] {
			out.SampleMatches, out.InspectorsMatch = false, false
			break
		}
		want := DrawInspectors(seed, pool, pl.InspectorsPerTarget, i)
		got := make([]int64, len(t.Inspectors))
		for k, x := range t.Inspectors {
			got[k] = x.UserID
		}
		if !slices.Equal(want, got) {
			out.InspectorsMatch = false
		}
	}
	return out
}

// DrawSpotPlan reveals the seed and draws the sample and each target's inspectors, once.
func (s *Service) DrawSpotPlan(ctx context.Context, p *auth.Principal, id int64) (SpotPlan, error) {
	if err := p.Require(auth.SpotWrite); err != nil {
		return SpotPlan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := writablePlan(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if pl.Status != SpotCommitted {
			return errs.E(errs.Conflict, "该计划已抽取,不能重复抽取")
		}
		seed, err := hex.DecodeString(pl.seed)
		if err != nil || SeedHash(seed) != pl.SeedHash {
			return errs.E(errs.Internal, "抽查计划 %d 的种子与其承诺值不符", id)
		}
		now := db.Time(tx.Now)
		res, err := tx.ExecContext(ctx, `UPDATE spot_plans SET status = ?, drawn_by = ?, drawn_at = ?, updated_at = ?
			WHERE id = ? AND status = ?`, SpotDrawn, p.UserID, now, now, id, SpotCommitted)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "该计划已抽取,不能重复抽取")
		}
		sample := DrawTargets(seed, pl.population, pl.SampleSize)
		labels, err := spotLabels(ctx, tx, pl.TargetKind, sample)
		if err != nil {
			return err
		}
		pool := make([]int64, len(pl.Inspectors))
		names := map[int64]string{}
		for i, x := range pl.Inspectors {
			pool[i] = x.UserID
			names[x.UserID] = x.Name
		}
		rows := make([][]any, len(sample))
		drawn := make([]map[string]any, len(sample))
		for i, tid := range sample {
			ins := DrawInspectors(seed, pool, pl.InspectorsPerTarget, i)
			persons := make([]SpotPerson, len(ins))
			for k, uid := range ins {
				persons[k] = SpotPerson{UserID: uid, Name: names[uid]}
			}
			pj, _ := json.Marshal(persons)
			lb := labels[tid]
			if lb.label == "" {
				lb.label = "#" + strconv.FormatInt(tid, 10)
				lb.region = pl.RegionCode
			}
			rows[i] = []any{id, i, tid, lb.label, lb.region, string(pj), ""}
			drawn[i] = map[string]any{"pos": i, "target_id": tid, "inspectors": ins}
		}
		if err := db.BulkInsert(ctx, tx, "spot_targets", []string{"plan_id", "pos", "target_id", "label", "region_code", "inspectors_json", "result"}, rows); err != nil {
			return err
		}
		return record(ctx, tx, p, "spot.draw", "spot_plan", id, pl.RegionCode, map[string]any{"status": SpotCommitted},
			map[string]any{"status": SpotDrawn, "seed": pl.seed, "seed_hash": pl.SeedHash, "population_hash": pl.PopulationHash, "targets": drawn})
	})
	if err != nil {
		return SpotPlan{}, err
	}
	return s.SpotPlan(ctx, p, id)
}

// RecordSpotFinding records the result of one target: only by its drawn inspectors or the
// plan's creator, while the plan is drawn (not closed).
func (s *Service) RecordSpotFinding(ctx context.Context, p *auth.Principal, id int64, pos int, in SpotFindingInput) (SpotPlan, error) {
	if err := p.Require(auth.SpotWrite); err != nil {
		return SpotPlan{}, err
	}
	in.Finding = strings.TrimSpace(in.Finding)
	v := errs.Validation{}
	switch in.Result {
	case SpotOK:
	case SpotProblem:
		if utf8.RuneCountInString(in.Finding) < 4 {
			v.Add("finding", "发现问题时请写明情况(至少 4 个字)")
		}
	default:
		v.Add("result", "应为 ok 或 problem")
	}
	if utf8.RuneCountInString(in.Finding) > spotMaxFinding {
		v.Add("finding", "不超过 2000 字")
	}
	if err := v.Err(); err != nil {
		return SpotPlan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := writablePlan(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		switch pl.Status {
		case SpotCommitted:
			return errs.E(errs.Conflict, "计划尚未抽取")
		case SpotClosed:
			return errs.E(errs.Conflict, "计划已结束,不能再录入")
		}
		t, err := spotTarget(ctx, tx, id, pos)
		if err != nil {
			return err
		}
		allowed := p.UserID == pl.CreatedBy
		for _, x := range t.Inspectors {
			allowed = allowed || x.UserID == p.UserID
		}
		if !allowed {
			return errs.E(errs.Forbidden, "只有该对象抽中的检查人员或计划创建人可以录入检查结果")
		}
		now := db.Time(tx.Now)
		if _, err := tx.ExecContext(ctx, `UPDATE spot_targets SET result = ?, finding = ?, recorded_by = ?, recorded_at = ?
			WHERE plan_id = ? AND pos = ?`, in.Result, in.Finding, p.UserID, now, id, pos); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE spot_plans SET updated_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "spot.finding", "spot_plan", id, pl.RegionCode,
			map[string]any{"pos": pos, "target_id": t.TargetID, "result": t.Result, "finding": t.Finding},
			map[string]any{"pos": pos, "target_id": t.TargetID, "result": in.Result, "finding": in.Finding})
	})
	if err != nil {
		return SpotPlan{}, err
	}
	return s.SpotPlan(ctx, p, id)
}

// CloseSpotPlan ends a drawn plan: its results are final.
func (s *Service) CloseSpotPlan(ctx context.Context, p *auth.Principal, id int64) (SpotPlan, error) {
	if err := p.Require(auth.SpotWrite); err != nil {
		return SpotPlan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := writablePlan(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		if pl.Status != SpotDrawn {
			if pl.Status == SpotClosed {
				return errs.E(errs.Conflict, "计划已结束")
			}
			return errs.E(errs.Conflict, "计划尚未抽取,不能结束")
		}
		now := db.Time(tx.Now)
		res, err := tx.ExecContext(ctx, `UPDATE spot_plans SET status = ?, closed_at = ?, updated_at = ? WHERE id = ? AND status = ?`,
			SpotClosed, now, now, id, SpotDrawn)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "计划已结束")
		}
		return record(ctx, tx, p, "spot.close", "spot_plan", id, pl.RegionCode, map[string]any{"status": SpotDrawn}, map[string]any{"status": SpotClosed})
	})
	if err != nil {
		return SpotPlan{}, err
	}
	return s.SpotPlan(ctx, p, id)
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// spotFieldErr is an invalid-input error naming a field with a full sentence.
func spotFieldErr(field, msg string) error {
	return &errs.Error{Code: errs.Invalid, Message: msg, Fields: map[string]string{field: msg}}
}

// writablePlan loads a plan (with its population when withPopulation) for a change by p: a plan
// outside p's scope does not exist for them.
func writablePlan(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64, withPopulation bool) (*spotRow, error) {
	pl, err := spotLoad(ctx, tx, id, withPopulation)
	if err != nil {
		return pl, err
	}
	if !p.InScope(pl.RegionCode) {
		return pl, errs.Missing("id", "抽查计划不存在")
	}
	return pl, p.RequireIn(auth.SpotWrite, pl.RegionCode)
}
