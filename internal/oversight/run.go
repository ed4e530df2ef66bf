package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// storeBatch is how many findings one write transaction stores.
const storeBatch = 1000

// InterruptedReason is the error of a run a stopped process left running.
const InterruptedReason = "服务重启，评估中断"

// pendingRun is a recorded run about to be evaluated.
type pendingRun struct {
	info  RunInfo
	rules RuleSetInfo
	start time.Time
}

func principalName(p *auth.Principal) string {
	if p.Name != "" {
		return p.Name
	}
	if p.Username != "" {
		return p.Username
	}
	return "system"
}

// startRun checks the caller may run the engine over region and records the run as running.
func (s *Service) startRun(ctx context.Context, p *auth.Principal, region, mode string) (pendingRun, error) {
	var pr pendingRun
	if mode != "full" && mode != "incremental" {
		return pr, fmt.Errorf("oversight: unknown run mode %q", mode)
	}
	pr.start = time.Now()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		code, err := engineRegion(ctx, tx, p, auth.AlertRun, region)
		if err != nil {
			return err
		}
		if pr.rules, err = effectiveAlertRules(ctx, tx, code); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO alert_runs (region_code, mode, status, ruleset_version, started_by, started_by_name, started_at)
			VALUES (?, ?, 'running', ?, ?, ?, ?) RETURNING id`, code, mode, pr.rules.Version, p.UserID, principalName(p), now)
		if err != nil {
			return err
		}
		pr.info = RunInfo{ID: id, RegionCode: code, Mode: mode, Status: "running", RulesetVersion: pr.rules.Version,
			ByRule: map[string]int{}, StartedBy: principalName(p), StartedAt: now}
		return nil
	})
	if err == nil {
		s.live.Store(pr.info.ID, struct{}{})
	}
	return pr, err
}

// evaluate runs collect over region with the rule set that applies there and stores what it
// finds: see store for what a finding does to the alerts. It answers the finished run.
func (s *Service) evaluate(ctx context.Context, p *auth.Principal, region, mode string,
	collect func(ctx context.Context, in *evalInput, emit func(Finding)) error) (RunInfo, error) {
	pr, err := s.startRun(ctx, p, region, mode)
	if err != nil {
		return RunInfo{}, err
	}
	return s.execute(ctx, p, pr, collect)
}

// execute evaluates a recorded run and records its outcome (done or failed).
func (s *Service) execute(ctx context.Context, p *auth.Principal, pr pendingRun,
	collect func(ctx context.Context, in *evalInput, emit func(Finding)) error) (RunInfo, error) {
	defer s.live.Delete(pr.info.ID)
	s.runMu.Lock()
	defer s.runMu.Unlock()
	info := pr.info
	lo, hi := regioncode.Range(info.RegionCode)
	in := &evalInput{At: s.DB.Clock(), Lo: lo, Hi: hi, Rules: enabledRules(pr.rules.Rules), Q: s.DB.Reader(), Dir: s.Dir, Cache: &s.facts}
	var found []Finding
	seen := map[string]bool{}
	err := collect(ctx, in, func(f Finding) {
		if f.Key == "" || seen[f.Key] {
			return
		}
		seen[f.Key] = true
		found = append(found, f)
	})
	if err == nil {
		err = s.store(ctx, p, &info, pr.rules, in.At, found)
	}
	if err != nil {
		return s.fail(ctx, p, info, pr.start, err)
	}
	for _, f := range found {
		info.ByRule[f.RuleKey]++
	}
	info.Found = len(found)
	byRule, _ := json.Marshal(info.ByRule)
	err = s.DB.InTx(context.WithoutCancel(ctx), func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		info.Status, info.FinishedAt, info.DurationMS = "done", &now, time.Since(pr.start).Milliseconds()
		if _, err := tx.ExecContext(ctx, `UPDATE alert_runs SET status = 'done', alerts_found = ?, alerts_new = ?, alerts_updated = ?,
			alerts_suppressed = ?, by_rule_json = ?, finished_at = ?, duration_ms = ? WHERE id = ?`,
			info.Found, info.New, info.Updated, info.Suppressed, string(byRule), now, info.DurationMS, info.ID); err != nil {
			return err
		}
		return record(ctx, tx, p, "alert.run", "alert_run", info.ID, info.RegionCode, nil, map[string]any{
			"mode": info.Mode, "ruleset_version": info.RulesetVersion, "found": info.Found, "new": info.New,
			"updated": info.Updated, "suppressed": info.Suppressed, "by_rule": info.ByRule})
	})
	if err != nil {
		return s.fail(ctx, p, info, pr.start, err)
	}
	return info, nil
}

// fail records a run's failure (even when ctx was cancelled) and returns err.
func (s *Service) fail(ctx context.Context, p *auth.Principal, info RunInfo, start time.Time, err error) (RunInfo, error) {
	msg := "服务器内部错误"
	if e, ok := errs.As(err); ok {
		msg = e.Message
	} else if errors.Is(err, context.Canceled) {
		msg = "评估已取消"
	}
	if s.Log != nil {
		s.Log.Error("alert run failed", "run", info.ID, "region", info.RegionCode, "err", err)
	}
	info.Status, info.Error = "failed", msg
	bg := context.WithoutCancel(ctx)
	ferr := s.DB.InTx(bg, func(tx *db.Tx) error {
		now := db.Time(tx.Now)
		info.FinishedAt, info.DurationMS = &now, time.Since(start).Milliseconds()
		if _, err := tx.ExecContext(bg, `UPDATE alert_runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ? WHERE id = ?`,
			msg, now, info.DurationMS, info.ID); err != nil {
			return err
		}
		return record(bg, tx, p, "alert.run", "alert_run", info.ID, info.RegionCode, nil, map[string]any{"mode": info.Mode, "error": msg})
	})
	if ferr != nil && s.Log != nil {
		s.Log.Error("record failed alert run", "run", info.ID, "err", ferr)
	}
	return info, err
}

type latestAlert struct {
	id      int64
	status  string
	hash    string
	version int64
}

// store writes the findings in batches, one transaction each, every new or updated alert with
// its alert.raise event. For the latest alert of a finding's key:
//   - pending (open, assigned, verifying) with the same evidence hash: nothing is written;
//   - pending with another hash: its evidence, explanation and amount are updated, version+1;
//   - closed with the same hash: suppressed (counted, nothing written);
//   - closed with another hash, or no alert yet: a new alert (prev_alert_id → the closed one).
func (s *Service) store(ctx context.Context, p *auth.Principal, info *RunInfo, rules RuleSetInfo, at time.Time, found []Finding) error {
	byKey := map[string]*Rule{}
	for i := range rules.Rules {
		byKey[rules.Rules[i].Key] = &rules.Rules[i]
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Key < found[j].Key })
	today := db.Date(at)
	for start := 0; start < len(found); start += storeBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := found[start:min(start+storeBatch, len(found))]
		var nNew, nUpd, nSup int
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			nNew, nUpd, nSup = 0, 0, 0
			latest, err := latestAlerts(ctx, tx, batch)
			if err != nil {
				return err
			}
			now := db.Time(tx.Now)
			for _, f := range batch {
				r := byKey[f.RuleKey]
				if r == nil {
					return fmt.Errorf("oversight: finding %s names no rule of the set (%q)", f.Key, f.RuleKey)
				}
				if len(f.Evidence) == 0 {
					f.Evidence = json.RawMessage("{}")
				}
				hash := evidenceHash(f.Evidence)
				old, has := latest[f.Key]
				pending := has && old.status != StatusClosed
				switch {
				case pending && old.hash == hash:
					continue
				case pending:
					if _, err := tx.ExecContext(ctx, `UPDATE alerts SET evidence_json = ?, evidence_hash = ?, explanation = ?, amount_fen = ?,
						last_run_id = ?, version = version + 1, updated_at = ? WHERE id = ?`,
						string(f.Evidence), hash, f.Explanation, f.AmountFen, info.ID, now, old.id); err != nil {
						return err
					}
					if err := record(ctx, tx, p, "alert.raise", "alert", old.id, f.RegionCode,
						map[string]any{"evidence_hash": old.hash, "version": old.version},
						map[string]any{"alert_key": f.Key, "evidence_hash": hash, "version": old.version + 1, "explanation": f.Explanation,
							"amount_fen": f.AmountFen, "run_id": info.ID}); err != nil {
						return err
					}
					nUpd++
				case has && old.hash == hash:
					nSup++
				default:
					var prev any
					if has {
						prev = old.id
					}
					deadline := addDays(today, r.DeadlineDays)
					id, err := tx.InsertID(ctx, `INSERT INTO alerts (alert_key, rule_key, rule_label, category, severity, department, region_code,
						entity_type, entity_id, household_id, amount_fen, explanation, evidence_json, evidence_hash, status, deadline,
						first_run_id, last_run_id, prev_alert_id, version, created_at, updated_at)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
						f.Key, r.Key, r.Label, categoryOf(r.Check), r.Severity, string(r.Department), f.RegionCode,
						f.EntityType, f.EntityID, db.NullID(f.HouseholdID), f.AmountFen, f.Explanation, string(f.Evidence), hash, deadline,
						info.ID, info.ID, prev, now, now)
					if err != nil {
						return err
					}
					if err := record(ctx, tx, p, "alert.raise", "alert", id, f.RegionCode, nil, map[string]any{
						"alert_key": f.Key, "rule_key": r.Key, "severity": r.Severity, "department": r.Department,
						"entity_type": f.EntityType, "entity_id": f.EntityID, "explanation": f.Explanation, "amount_fen": f.AmountFen,
						"evidence_hash": hash, "deadline": deadline, "prev_alert_id": prev, "run_id": info.ID}); err != nil {
						return err
					}
					nNew++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		info.New += nNew
		info.Updated += nUpd
		info.Suppressed += nSup
	}
	return nil
}

// latestAlerts reads the newest alert of each key of the batch.
func latestAlerts(ctx context.Context, q db.Queryer, batch []Finding) (map[string]latestAlert, error) {
	out := make(map[string]latestAlert, len(batch))
	if len(batch) == 0 {
		return out, nil
	}
	args := make([]any, len(batch))
	for i, f := range batch {
		args[i] = f.Key
	}
	rows, err := q.QueryContext(ctx, `SELECT id, alert_key, status, evidence_hash, version FROM alerts WHERE alert_key IN (`+
		qmarks(len(args))+`) ORDER BY alert_key, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a latestAlert
		var key string
		if err := rows.Scan(&a.id, &key, &a.status, &a.hash, &a.version); err != nil {
			return nil, err
		}
		out[key] = a // ascending id: the last one read is the latest
	}
	return out, rows.Err()
}

// fullEvaluators are the category evaluators of a full run.
func fullEvaluators() []evaluator {
	return []evaluator{evalRegistry, evalVisits, evalCrosscheck, evalFunds, evalProjects}
}

// collectFull runs every category's checks, with the person facts loaded once.
func (s *Service) collectFull(ctx context.Context, in *evalInput, emit func(Finding)) error {
	if in.Facts == nil {
		facts, err := loadFacts(ctx, in.Cache, in.Q, in.Dir, in.Lo) // Lo is the run's region code
		if err != nil {
			return err
		}
		in.Facts = facts
	}
	for _, ev := range fullEvaluators() {
		if err := ev(ctx, in, emit); err != nil {
			return err
		}
	}
	return nil
}

// RunFull evaluates every enabled rule over region ("" = the caller's scope) and waits for the
// end (the command line's and the schedule's path).
func (s *Service) RunFull(ctx context.Context, p *auth.Principal, region string) (RunInfo, error) {
	return s.evaluate(ctx, p, region, "full", s.collectFull)
}

// RunInput is the body of POST /alert-runs.
type RunInput struct {
	Region string `json:"region"`
}

// StartRun records a full run and evaluates it in the background: the answer is the run,
// still running; GET /alert-runs/{id} shows how it ended.
func (s *Service) StartRun(ctx context.Context, p *auth.Principal, in RunInput) (RunInfo, error) {
	pr, err := s.startRun(ctx, p, in.Region, "full")
	if err != nil {
		return RunInfo{}, err
	}
	go func() {
		_, _ = s.execute(context.WithoutCancel(ctx), p, pr, s.collectFull)
	}()
	return pr.info, nil
}

const alertRunCols = `id, region_code, mode, status, ruleset_version, alerts_found, alerts_new, alerts_updated, alerts_suppressed,
	by_rule_json, error, started_by_name, started_at, finished_at, duration_ms`

func scanAlertRun(sc interface{ Scan(...any) error }) (RunInfo, error) {
	var r RunInfo
	var byRule string
	var fin sql.NullString
	if err := sc.Scan(&r.ID, &r.RegionCode, &r.Mode, &r.Status, &r.RulesetVersion, &r.Found, &r.New, &r.Updated, &r.Suppressed,
		&byRule, &r.Error, &r.StartedBy, &r.StartedAt, &fin, &r.DurationMS); err != nil {
		return r, err
	}
	if fin.Valid {
		r.FinishedAt = &fin.String
	}
	r.ByRule = map[string]int{}
	return r, json.Unmarshal([]byte(byRule), &r.ByRule)
}

// Runs pages through the runs under a region ("" = the caller's scope), newest first.
func (s *Service) Runs(ctx context.Context, p *auth.Principal, region string, after int64, limit int) ([]RunInfo, error) {
	q := s.DB.Reader()
	code, err := engineRegion(ctx, q, p, auth.AlertRead, region)
	if err != nil {
		return nil, err
	}
	if after <= 0 {
		after = 1 << 62
	}
	lo, hi := regioncode.Range(code)
	rows, err := q.QueryContext(ctx, `SELECT `+alertRunCols+` FROM alert_runs WHERE region_code BETWEEN ? AND ? AND id < ?
		ORDER BY id DESC LIMIT ?`, lo, hi, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RunInfo{}
	for rows.Next() {
		r, err := scanAlertRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

var errNoAlertRun = errs.E(errs.NotFound, "预警评估批次不存在")

// RunByID returns one run the principal may read.
func (s *Service) RunByID(ctx context.Context, p *auth.Principal, id int64) (RunInfo, error) {
	r, err := scanAlertRun(s.DB.Reader().QueryRowContext(ctx, `SELECT `+alertRunCols+` FROM alert_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return RunInfo{}, errNoAlertRun
	}
	if err != nil {
		return RunInfo{}, err
	}
	if !p.InScope(r.RegionCode) {
		return RunInfo{}, errNoAlertRun
	}
	return r, p.RequireIn(auth.AlertRead, r.RegionCode)
}

// Recover closes runs left running by a process that died: every run still running that this
// process is not executing is marked failed with InterruptedReason, with an alert.run event
// each, in one transaction. serve calls it at start; it answers how many runs it closed.
func (s *Service) Recover(ctx context.Context) (int, error) {
	var closed int
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		closed = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, region_code, started_at FROM alert_runs WHERE status = 'running' ORDER BY id`)
		if err != nil {
			return err
		}
		type stale struct {
			id              int64
			region, started string
		}
		var list []stale
		for rows.Next() {
			var r stale
			if err := rows.Scan(&r.id, &r.region, &r.started); err != nil {
				rows.Close()
				return err
			}
			if _, live := s.live.Load(r.id); !live {
				list = append(list, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		for _, r := range list {
			ms := int64(0)
			if t := db.ParseTime(r.started); !t.IsZero() {
				ms = max(tx.Now.Sub(t).Milliseconds(), 0)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE alert_runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ?
				WHERE id = ? AND status = 'running'`, InterruptedReason, now, ms, r.id); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.System, audit.Change{Action: "alert.run", EntityType: "alert_run",
				EntityID: strconv.FormatInt(r.id, 10), RegionCode: r.region, Before: map[string]any{"status": "running"},
				After: map[string]any{"status": "failed", "error": InterruptedReason}}); err != nil {
				return err
			}
			closed++
		}
		return nil
	})
	return closed, err
}
