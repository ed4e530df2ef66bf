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
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

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
