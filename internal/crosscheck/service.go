package crosscheck

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/jobs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// Service stores what the engine needs and produces: households' authorisations, registered
// datasets (metadata in the database, files under Dir), rule-set versions, runs and doubts
// with their verification.
type Service struct {
	DB       *db.DB
	Audit    *audit.Service
	Registry *registry.Service
	// Dir is the data directory; dataset files live in Dir/datasets/<sha256>.<format>.
	Dir string
	Log *slog.Logger

	jobs jobs.Tracker[Job]
	// runMu lets one run write doubts at a time in this process: two runs over the same
	// households would otherwise both decide "new" for the same finding.
	runMu sync.Mutex
	// live are the runs this process is executing (guarded by liveMu): Recover leaves them.
	liveMu sync.Mutex
	live   map[int64]bool
}

func (s *Service) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// RegionRef names a region with its level.
type RegionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// regionIn checks a region parameter ("" = the caller's scope) against the caller's scope for
// action and returns it with its name and level.
func regionIn(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, code string) (RegionRef, error) {
	if code == "" && p != nil {
		code = p.Scope
		if p.Root && code == "" {
			code = rootRegion(ctx, q)
		}
	}
	if !regioncode.Valid(code) {
		return RegionRef{}, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(action, code); err != nil {
		return RegionRef{}, err
	}
	r := RegionRef{Code: code}
	if err := q.QueryRowContext(ctx, `SELECT name, level FROM regions WHERE code = ?`, code).Scan(&r.Name, &r.Level); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, errs.E(errs.NotFound, "区划 %s 不存在", code)
		}
		return r, err
	}
	return r, nil
}

// rootRegion is the top of the region tree: the command line's operator acts on all of it.
func rootRegion(ctx context.Context, q db.Queryer) string {
	var code string
	_ = q.QueryRowContext(ctx, `SELECT code FROM regions WHERE parent_code IS NULL OR parent_code = '' ORDER BY code LIMIT 1`).Scan(&code)
	return code
}

// scopeOf is the region a principal acts for: its scope, or the whole tree at the command line.
func scopeOf(ctx context.Context, q db.Queryer, p *auth.Principal) string {
	if p.Scope == "" && p.Root {
		return rootRegion(ctx, q)
	}
	return p.Scope
}

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

// ---- rule sets ----

// RuleSetInfo is a stored (or the built-in) rule set and where it applies.
type RuleSetInfo struct {
	ID         int64  `json:"id"` // 0 = the built-in defaults
	RegionCode string `json:"region_code"`
	Version    int64  `json:"version"`
	// Inherited is true when the set belongs to a region above the one asked about (or is the
	// built-in default): changing it from here makes a new set for the caller's own region.
	Inherited bool    `json:"inherited"`
	Rules     []Rule  `json:"rules"`
	Note      string  `json:"note"`
	CreatedBy string  `json:"created_by"`
	CreatedAt *string `json:"created_at"`
}

// Set returns the engine's form of the stored set.
func (r RuleSetInfo) Set() RuleSet { return RuleSet{Version: r.Version, Rules: r.Rules} }

// Rules returns the rule set in force for region ("" = the caller's scope): the newest
// version of the most specific set stored for the region or a region above it, else the
// built-in defaults.
func (s *Service) Rules(ctx context.Context, p *auth.Principal, region string) (RuleSetInfo, error) {
	q := s.DB.Reader()
	r, err := regionIn(ctx, q, p, auth.DoubtRead, region)
	if err != nil {
		return RuleSetInfo{}, err
	}
	return effectiveRules(ctx, q, r.Code)
}

// RuleVersions lists every stored version of the sets that apply to region, newest first.
func (s *Service) RuleVersions(ctx context.Context, p *auth.Principal, region string) ([]RuleSetInfo, error) {
	q := s.DB.Reader()
	r, err := regionIn(ctx, q, p, auth.DoubtRead, region)
	if err != nil {
		return nil, err
	}
	return ruleVersions(ctx, q, r.Code)
}

// RulesInput is a new version of the caller's rule set.
type RulesInput struct {
	Rules []Rule `json:"rules"`
	Note  string `json:"note"`
}

// SetRules stores a new version of the rule set of the caller's own region, which must be the
// city or a county: rules differ by place, and a town's own thresholds would make one county's
// doubts incomparable. Old versions stay; runs name the version they used.
func (s *Service) SetRules(ctx context.Context, p *auth.Principal, in RulesInput) (RuleSetInfo, error) {
	var out RuleSetInfo
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		region := scopeOf(ctx, tx, p)
		if err := p.RequireIn(auth.CrosscheckRules, region); err != nil {
			return err
		}
		if lv := regioncode.LevelOf(region); lv != regioncode.City && lv != regioncode.County && lv != regioncode.Province {
			return errs.E(errs.Forbidden, "比对规则只能由市级或县级账号修改(您的管辖范围是 %s)", region)
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > 500 {
			return errs.Field("note", "说明不超过 500 字")
		}
		if len(in.Rules) == 0 {
			return errs.Field("rules", "至少需要一条规则")
		}
		if err := (RuleSet{Rules: in.Rules}).Validate(); err != nil {
			if _, ok := errs.As(err); ok {
				return err
			}
			return errs.Field("rules", err.Error())
		}
		prev, err := effectiveRules(ctx, tx, region)
		if err != nil {
			return err
		}
		rules, err := json.Marshal(in.Rules)
		if err != nil {
			return err
		}
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM crosscheck_rulesets WHERE region_code = ?`, region).Scan(&version); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO crosscheck_rulesets (region_code, version, rules_json, note, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, region, version, string(rules), in.Note, p.UserID, actorName(p), now)
		if err != nil {
			return err
		}
		out = RuleSetInfo{ID: id, RegionCode: region, Version: version, Rules: in.Rules, Note: in.Note, CreatedBy: actorName(p), CreatedAt: &now}
		return record(ctx, tx, p, "crosscheck.rules", "crosscheck_ruleset", id, region,
			map[string]any{"ruleset_id": prev.ID, "region_code": prev.RegionCode, "version": prev.Version, "rules": prev.Rules},
			map[string]any{"version": version, "rules": in.Rules, "note": in.Note})
	})
	return out, err
}

func actorName(p *auth.Principal) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Username
}

// ---- background jobs ----

// Job is a dataset registration or a run working in the background, polled by the console
// (see package jobs); what it did is in the database (datasets, crosscheck_runs) and the trail.
type Job struct {
	ID         string      `json:"id"`
	Kind       string      `json:"kind"` // dataset | run
	State      string      `json:"state"`
	File       string      `json:"file,omitempty"`
	BytesRead  int64       `json:"bytes_read"`
	BytesTotal int64       `json:"bytes_total"`
	Rows       int64       `json:"rows"`
	Matched    int64       `json:"matched"`
	FileIndex  int         `json:"file_index"` // run: the file being read (0-based)
	Files      int         `json:"files"`
	Phase      string      `json:"phase"` // scanning | writing | done
	DatasetID  int64       `json:"dataset_id,omitempty"`
	RunID      int64       `json:"run_id,omitempty"`
	Dataset    *Dataset    `json:"dataset,omitempty"`
	Run        *RunInfo    `json:"run,omitempty"`
	Report     *ScanReport `json:"report,omitempty"`
	Error      *jobs.Error `json:"error,omitempty"`
}

// Job states.
const (
	JobRunning = jobs.Running
	JobDone    = jobs.Done
	JobFailed  = jobs.Failed
)

// startJob registers a running job for p.
func (s *Service) startJob(p *auth.Principal, j Job) *jobs.Job[Job] {
	return s.jobs.Start(p, func(id string) Job {
		j.ID, j.State = id, JobRunning
		return j
	})
}

// finish records the job's end.
func (s *Service) finish(j *jobs.Job[Job], err error) {
	j.End(func(j *Job) {
		if err == nil {
			j.State, j.Phase = JobDone, "done"
			return
		}
		j.State, j.Error = JobFailed, jobs.Failure(s.logger(), "crosscheck job "+j.ID+" ("+j.Kind+")", err)
	})
}

// Job returns a job the principal started.
func (s *Service) Job(_ context.Context, p *auth.Principal, id string) (Job, error) {
	j, ok := s.jobs.Get(p, id)
	if !ok {
		return Job{}, errs.E(errs.NotFound, "任务不存在(任务只对发起人可见,完成一小时后清除)")
	}
	return j, nil
}
