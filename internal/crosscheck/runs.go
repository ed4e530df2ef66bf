package crosscheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// RunInput starts a run.
type RunInput struct {
	// DatasetIDs are the datasets to read; empty = the newest dataset of each kind the
	// principal may use.
	DatasetIDs []int64 `json:"dataset_ids"`
	// IncludeUnauthorised also checks households without an active authorisation.
	IncludeUnauthorised bool `json:"include_unauthorised"`
	// Region limits the run to a region in the caller's scope ("" = the whole scope).
	Region string `json:"region"`
}

// RunDataset is a dataset as a run used it.
type RunDataset struct {
	ID       int64  `json:"id"`
	Kind     Kind   `json:"kind"`
	SHA256   string `json:"sha256"`
	AsOf     string `json:"as_of"`
	FileName string `json:"file_name"`
}

// RunInfo is a run's record.
type RunInfo struct {
	ID                  int64        `json:"id"`
	RegionCode          string       `json:"region_code"`
	Status              string       `json:"status"` // running | done | failed
	RulesetID           int64        `json:"ruleset_id"`
	RulesetVersion      int64        `json:"ruleset_version"`
	Datasets            []RunDataset `json:"datasets"`
	IncludeUnauthorised bool         `json:"include_unauthorised"`
	Households          int64        `json:"households"` // households checked
	Members             int64        `json:"members"`
	SkippedUnauthorised int64        `json:"skipped_unauthorised"`
	RowsScanned         int64        `json:"rows_scanned"`
	RowsMatched         int64        `json:"rows_matched"`
	RowsRejected        int64        `json:"rows_rejected"`
	DoubtsFound         int64        `json:"doubts_found"`
	DoubtsNew           int64        `json:"doubts_new"`
	DoubtsRepeated      int64        `json:"doubts_repeated"`
	DoubtsUpdated       int64        `json:"doubts_updated"`
	DoubtsSuppressed    int64        `json:"doubts_suppressed"`
	Error               string       `json:"error"`
	StartedBy           int64        `json:"started_by"`
	StartedByName       string       `json:"started_by_name"`
	StartedAt           string       `json:"started_at"`
	FinishedAt          *string      `json:"finished_at"`
	DurationMS          int64        `json:"duration_ms"`
}

// plannedRun is a run recorded and ready to execute.
type plannedRun struct {
	info  RunInfo
	files []DatasetFile
	rules RuleSetInfo
}

// planRun checks the input, picks the datasets and rules, and records the run as running.
func (s *Service) planRun(ctx context.Context, p *auth.Principal, in RunInput) (plannedRun, error) {
	var pr plannedRun
	q := s.DB.Reader()
	if err := p.Require(auth.CrosscheckRun); err != nil {
		return pr, err
	}
	r, err := regionIn(ctx, q, p, auth.CrosscheckRun, in.Region)
	if err != nil {
		return pr, err
	}
	var sets []Dataset
	if len(in.DatasetIDs) == 0 {
		if sets, err = newestPerKind(ctx, q, p); err != nil {
			return pr, err
		}
		if len(sets) == 0 {
			return pr, errs.Field("dataset_ids", "没有可用的数据集(尚未登记或均已停用),请先登记外部数据")
		}
	}
	if len(in.DatasetIDs) > 100 {
		return pr, errs.Field("dataset_ids", "一次最多比对 100 个数据集")
	}
	for i, id := range in.DatasetIDs {
		if slices.Contains(in.DatasetIDs[:i], id) {
			return pr, errs.Field("dataset_ids", fmt.Sprintf("数据集 %d 重复", id))
		}
		ds, err := s.visibleDataset(ctx, q, p, id, false)
		if err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return pr, errs.E(errs.NotFound, "数据集 %d 不存在", id)
			}
			return pr, err
		}
		if ds.Retired {
			return pr, errs.Field("dataset_ids", fmt.Sprintf("数据集 %d(%s)已停用,不能用于新的比对", id, ds.FileName))
		}
		sets = append(sets, ds)
	}
	for _, ds := range sets {
		path := s.datasetPath(ds)
		if _, err := os.Stat(path); err != nil {
			return pr, errs.E(errs.Conflict, "数据集 %d(%s)的文件已不在数据目录中,请重新登记", ds.ID, ds.FileName)
		}
		asOf, _ := time.Parse(db.DateLayout, ds.AsOf)
		pr.files = append(pr.files, DatasetFile{ID: ds.ID, Kind: ds.Kind, Path: path, AsOf: asOf})
		pr.info.Datasets = append(pr.info.Datasets, RunDataset{ID: ds.ID, Kind: ds.Kind, SHA256: ds.SHA256, AsOf: ds.AsOf, FileName: ds.FileName})
	}
	if pr.rules, err = effectiveRules(ctx, q, r.Code); err != nil {
		return pr, err
	}
	pr.info.RegionCode, pr.info.Status = r.Code, "running"
	pr.info.RulesetID, pr.info.RulesetVersion = pr.rules.ID, pr.rules.Version
	pr.info.IncludeUnauthorised = in.IncludeUnauthorised
	pr.info.StartedBy, pr.info.StartedByName = p.UserID, actorName(p)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr.info.StartedAt = db.Time(tx.Now)
		sets, _ := json.Marshal(pr.info.Datasets)
		id, err := tx.InsertID(ctx, `INSERT INTO crosscheck_runs (region_code, status, ruleset_id, ruleset_version, datasets_json,
			include_unauthorised, started_by, started_by_name, started_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Code, pr.info.RulesetID, pr.info.RulesetVersion, string(sets), boolInt(in.IncludeUnauthorised),
			p.UserID, pr.info.StartedByName, pr.info.StartedAt)
		if err != nil {
			return err
		}
		pr.info.ID = id
		return record(ctx, tx, p, "crosscheck.run.start", "crosscheck_run", id, r.Code, nil, map[string]any{
			"datasets": pr.info.Datasets, "ruleset_id": pr.info.RulesetID, "ruleset_version": pr.info.RulesetVersion,
			"include_unauthorised": in.IncludeUnauthorised})
	})
	return pr, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RunNow runs a cross-check to the end (the command line's path).
func (s *Service) RunNow(ctx context.Context, p *auth.Principal, in RunInput, progress func(Progress)) (RunInfo, error) {
	pr, err := s.planRun(ctx, p, in)
	if err != nil {
		return RunInfo{}, err
	}
	return s.execute(ctx, p, pr, progress, nil)
}

// StartRun records a run and executes it in the background; the job reports progress.
func (s *Service) StartRun(ctx context.Context, p *auth.Principal, in RunInput) (Job, error) {
	pr, err := s.planRun(ctx, p, in)
	if err != nil {
		return Job{}, err
	}
	j := s.startJob(p, Job{Kind: "run", RunID: pr.info.ID, Files: len(pr.files), Phase: "scanning"})
	go func() {
		info, err := s.execute(context.Background(), p, pr, func(pg Progress) {
			j.Update(func(j *Job) {
				j.FileIndex, j.Files, j.BytesRead, j.BytesTotal, j.Rows, j.Matched = pg.File, pg.Files, pg.BytesRead, pg.TotalBytes, pg.RowsRead, pg.Matched
				if pg.Done {
					j.Phase = "writing"
				}
			})
		}, func() { j.Update(func(j *Job) { j.Phase = "writing" }) })
		j.Update(func(j *Job) {
			if info.ID != 0 {
				j.Run = &info
			}
		})
		s.finish(j, err)
	}()
	return j.Snapshot(), nil
}

// execute reads the registry and the datasets, evaluates the rules and writes the doubts; a
// failure is recorded on the run.
func (s *Service) execute(ctx context.Context, p *auth.Principal, pr plannedRun, progress func(Progress), writing func()) (RunInfo, error) {
	s.setLive(pr.info.ID, true)
	defer s.setLive(pr.info.ID, false)
	s.runMu.Lock()
	defer s.runMu.Unlock()
	start := time.Now()
	info := pr.info
	res, err := s.evaluate(ctx, &info, pr, progress)
	if err == nil {
		if writing != nil {
			writing()
		}
		err = s.writeDoubts(ctx, p, &info, pr.rules, res, time.Since(start))
	}
	if err != nil {
		msg := "服务器内部错误"
		if e, ok := errs.As(err); ok {
			msg = e.Message
		}
		info.Status, info.Error = "failed", msg
		// Recorded even when the run was cancelled (an interrupted command line).
		bg := context.WithoutCancel(ctx)
		ferr := s.DB.InTx(bg, func(tx *db.Tx) error {
			now := db.Time(tx.Now)
			info.FinishedAt, info.DurationMS = &now, time.Since(start).Milliseconds()
			if _, err := tx.ExecContext(bg, `UPDATE crosscheck_runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ? WHERE id = ?`,
				msg, now, info.DurationMS, info.ID); err != nil {
				return err
			}
			return record(bg, tx, p, "crosscheck.run.fail", "crosscheck_run", info.ID, info.RegionCode, nil, map[string]any{"error": msg})
		})
		if ferr != nil {
			s.logger().Error("record failed run", "run", info.ID, "err", ferr)
		}
		return info, err
	}
	return info, nil
}

// evaluate loads the registry of the run's region (authorised households only, unless the
// run includes the others) and runs the engine over the datasets.
func (s *Service) evaluate(ctx context.Context, info *RunInfo, pr plannedRun, progress func(Progress)) (Result, error) {
	q := s.DB.Reader()
	snap, err := LoadSnapshot(ctx, q)
	if err != nil {
		return Result{}, err
	}
	var authorised map[int64]bool
	if !info.IncludeUnauthorised {
		if authorised, err = authorisedHouseholds(ctx, q, info.RegionCode); err != nil {
			return Result{}, err
		}
	}
	prefix := regioncode.Prefix(info.RegionCode)
	var skipped int64
	snap = snap.Restrict(func(h *Household) bool {
		if !strings.HasPrefix(h.RegionCode, prefix) {
			return false
		}
		if authorised != nil && !authorised[h.ID] {
			skipped++
			return false
		}
		return true
	})
	info.SkippedUnauthorised = skipped
	info.Households, info.Members = int64(len(snap.Households)), int64(len(snap.Members))
	if progress == nil {
		progress = func(Progress) {}
	}
	res, err := Run(ctx, snap, pr.files, pr.rules.Set(), progress)
	if err != nil {
		var te *tabular.Error
		if errors.As(err, &te) { // the engine's message names the dataset: 数据集 7: 缺少必需的列 …
			return res, errs.E(errs.Invalid, "%s", err.Error())
		}
		return res, err
	}
	info.RowsScanned, info.RowsMatched = res.Rows, res.Matched
	for _, r := range res.Reports {
		info.RowsRejected += r.Rejected
	}
	return res, nil
}

// doubtKey identifies a finding across runs.
type doubtKey struct {
	household int64
	rule      string
	member    int64
}

type priorDoubt struct {
	id     int64
	status string
	hash   string
}

// writeDoubts applies a run's findings in one transaction: a finding with no earlier doubt is
// new; one whose latest doubt is pending is repeated (same evidence) or updated (evidence
// changed, the pending doubt carries the new evidence); one whose latest doubt is closed is
// suppressed when the evidence is the same and raised anew when it changed.
func (s *Service) writeDoubts(ctx context.Context, p *auth.Principal, info *RunInfo, rules RuleSetInfo, res Result, took time.Duration) error {
	labels := map[string]string{}
	for _, r := range rules.Rules {
		labels[r.Key] = r.Label
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		prior, err := latestDoubts(ctx, tx, info.RegionCode)
		if err != nil {
			return err
		}
		now := db.Time(tx.Now)
		var inserts [][]any
		type link struct {
			id      int64
			outcome string
		}
		var links []link
		var repeated []int64
		for _, d := range res.Doubts {
			ev, err := json.Marshal(nonNil(d.Evidence))
			if err != nil {
				return err
			}
			label := labels[d.RuleKey]
			if label == "" {
				label = d.RuleKey
			}
			k := doubtKey{d.HouseholdID, d.RuleKey, d.MemberID}
			pv, seen := prior[k]
			var prev any
			switch {
			case seen && pendingStatus(pv.status) && pv.hash == d.EvidenceHash:
				repeated = append(repeated, pv.id)
				links = append(links, link{pv.id, "repeated"})
				info.DoubtsRepeated++
				continue
			case seen && pendingStatus(pv.status):
				if _, err := tx.ExecContext(ctx, `UPDATE doubts SET evidence_json = ?, evidence_hash = ?, explanation = ?, rule_label = ?,
					last_run_id = ?, version = version + 1, updated_at = ? WHERE id = ?`,
					string(ev), d.EvidenceHash, d.Explanation, label, info.ID, now, pv.id); err != nil {
					return err
				}
				links = append(links, link{pv.id, "updated"})
				info.DoubtsUpdated++
				continue
			case seen && pv.hash == d.EvidenceHash:
				links = append(links, link{pv.id, "suppressed"})
				info.DoubtsSuppressed++
				continue
			case seen:
				prev = pv.id
			}
			region := d.RegionCode
			inserts = append(inserts, []any{info.ID, info.ID, d.HouseholdID, d.MemberID, region, d.RuleKey, label, boolInt(d.DataError),
				d.Explanation, string(ev), d.EvidenceHash, StatusOpen, prev, now, now})
			info.DoubtsNew++
		}
		info.DoubtsFound = int64(len(res.Doubts))
		if err := db.BulkInsert(ctx, tx, "doubts", []string{"run_id", "last_run_id", "household_id", "member_id", "region_code",
			"rule_key", "rule_label", "data_error", "explanation", "evidence_json", "evidence_hash", "status", "prev_doubt_id",
			"created_at", "updated_at"}, inserts); err != nil {
			return err
		}
		if len(inserts) > 0 {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM doubts WHERE run_id = ?`, info.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				links = append(links, link{id, "new"})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for start := 0; start < len(repeated); start += 500 {
			part := repeated[start:min(start+500, len(repeated))]
			args := []any{info.ID}
			for _, id := range part {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE doubts SET last_run_id = ? WHERE id IN (`+placeholders(len(part))+`)`, args...); err != nil {
				return err
			}
		}
		linkRows := make([][]any, len(links))
		for i, l := range links {
			linkRows[i] = []any{info.ID, l.id, l.outcome}
		}
		if err := db.BulkInsert(ctx, tx, "crosscheck_run_doubts", []string{"run_id", "doubt_id", "outcome"}, linkRows); err != nil {
			return err
		}
		info.Status, info.FinishedAt, info.DurationMS = "done", &now, took.Milliseconds()
		res, err := tx.ExecContext(ctx, `UPDATE crosscheck_runs SET status = 'done', households = ?, members = ?, skipped_unauthorised = ?,
			rows_scanned = ?, rows_matched = ?, rows_rejected = ?, doubts_found = ?, doubts_new = ?, doubts_repeated = ?,
			doubts_updated = ?, doubts_suppressed = ?, finished_at = ?, duration_ms = ? WHERE id = ? AND status = 'running'`,
			info.Households, info.Members, info.SkippedUnauthorised, info.RowsScanned, info.RowsMatched, info.RowsRejected,
			info.DoubtsFound, info.DoubtsNew, info.DoubtsRepeated, info.DoubtsUpdated, info.DoubtsSuppressed, now, info.DurationMS, info.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 { // a restarted server recovered it as interrupted meanwhile: its doubts are not written
			return errs.E(errs.Conflict, "比对批次 %d 已被标记为中断,结果未写入,请重新比对", info.ID)
		}
		return record(ctx, tx, p, "crosscheck.run", "crosscheck_run", info.ID, info.RegionCode, nil, map[string]any{
			"households": info.Households, "members": info.Members, "skipped_unauthorised": info.SkippedUnauthorised,
			"rows_scanned": info.RowsScanned, "rows_matched": info.RowsMatched, "rows_rejected": info.RowsRejected,
			"doubts_found": info.DoubtsFound, "doubts_new": info.DoubtsNew, "doubts_repeated": info.DoubtsRepeated,
			"doubts_updated": info.DoubtsUpdated, "doubts_suppressed": info.DoubtsSuppressed, "duration_ms": info.DurationMS})
	})
}

func (s *Service) setLive(id int64, on bool) {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	if s.live == nil {
		s.live = map[int64]bool{}
	}
	if on {
		s.live[id] = true
	} else {
		delete(s.live, id)
	}
}

// InterruptedReason is the error a run left running by a stopped server is closed with.
const InterruptedReason = "服务重启，比对中断"

// Recover closes runs left running by a process that died (a crash, a kill during a run):
// every run still running that this process is not executing is marked failed with
// InterruptedReason, in one transaction with an audit event per run. serve calls it at start,
// before it accepts requests; it answers how many runs it closed.
func (s *Service) Recover(ctx context.Context) (int, error) {
	s.liveMu.Lock()
	live := make(map[int64]bool, len(s.live))
	for id := range s.live {
		live[id] = true
	}
	s.liveMu.Unlock()
	var closed int
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		closed = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, region_code, started_at FROM crosscheck_runs WHERE status = 'running' ORDER BY id`)
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
			if !live[r.id] {
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
			if _, err := tx.ExecContext(ctx, `UPDATE crosscheck_runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ?
				WHERE id = ? AND status = 'running'`, InterruptedReason, now, ms, r.id); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.System, audit.Change{Action: "crosscheck.run.fail", EntityType: "crosscheck_run",
				EntityID: itoa(r.id), RegionCode: r.region, Before: map[string]any{"status": "running"},
				After: map[string]any{"status": "failed", "error": InterruptedReason}}); err != nil {
				return err
			}
			closed++
		}
		return nil
	})
	return closed, err
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Runs pages through the runs under a region, newest first.
func (s *Service) Runs(ctx context.Context, p *auth.Principal, region string, after int64, limit int) ([]RunInfo, error) {
	q := s.DB.Reader()
	r, err := regionIn(ctx, q, p, auth.DoubtRead, region)
	if err != nil {
		return nil, err
	}
	return listRuns(ctx, q, r.Code, after, limit)
}

// RunByID returns one run the principal may read.
func (s *Service) RunByID(ctx context.Context, p *auth.Principal, id int64) (RunInfo, error) {
	r, err := getRun(ctx, s.DB.Reader(), id)
	if err != nil {
		return r, err
	}
	if !p.InScope(r.RegionCode) {
		return RunInfo{}, errNoRun
	}
	return r, p.RequireIn(auth.DoubtRead, r.RegionCode)
}

var errNoRun = errs.E(errs.NotFound, "比对批次不存在")
