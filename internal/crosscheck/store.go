package crosscheck

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// ancestors lists the codes of region and every region above it.
func ancestors(region string) []string {
	var out []string
	for c := region; c != ""; c = regioncode.Parent(c) {
		out = append(out, c)
	}
	return out
}

// ---- rule sets ----

const rulesetCols = `id, region_code, version, rules_json, note, created_by_name, created_at`

func scanRuleset(sc interface{ Scan(...any) error }) (RuleSetInfo, error) {
	var r RuleSetInfo
	var rules, at string
	if err := sc.Scan(&r.ID, &r.RegionCode, &r.Version, &rules, &r.Note, &r.CreatedBy, &at); err != nil {
		return r, err
	}
	r.CreatedAt = &at
	return r, json.Unmarshal([]byte(rules), &r.Rules)
}

// effectiveRules is the newest version of the most specific set stored for region or a region
// above it (a descendant's code sorts after its ancestors'), else the built-in defaults.
func effectiveRules(ctx context.Context, q db.Queryer, region string) (RuleSetInfo, error) {
	codes := ancestors(region)
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	r, err := scanRuleset(q.QueryRowContext(ctx, `SELECT `+rulesetCols+` FROM crosscheck_rulesets WHERE region_code IN (`+
		placeholders(len(codes))+`) ORDER BY region_code DESC, version DESC LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		def := DefaultRules()
		return RuleSetInfo{RegionCode: "", Version: def.Version, Inherited: true, Rules: def.Rules, Note: "系统默认规则"}, nil
	}
	if err != nil {
		return r, err
	}
	r.Inherited = r.RegionCode != region
	return r, nil
}

func ruleVersions(ctx context.Context, q db.Queryer, region string) ([]RuleSetInfo, error) {
	codes := ancestors(region)
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	rows, err := q.QueryContext(ctx, `SELECT `+rulesetCols+` FROM crosscheck_rulesets WHERE region_code IN (`+
		placeholders(len(codes))+`) ORDER BY region_code DESC, version DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RuleSetInfo{}
	for rows.Next() {
		r, err := scanRuleset(rows)
		if err != nil {
			return nil, err
		}
		r.Inherited = r.RegionCode != region
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- datasets ----

const datasetCols = `id, kind, sha256, file_name, format, size, source_dept, as_of, rows_total, rows_matched, rows_rejected,
	region_code, created_by, created_at, retired_at, retired_by, retired_reason`

func scanDataset(sc interface{ Scan(...any) error }, extra ...any) (Dataset, error) {
	var d Dataset
	var retiredAt sql.NullString
	var retiredBy sql.NullInt64
	dest := append([]any{&d.ID, &d.Kind, &d.SHA256, &d.FileName, &d.Format, &d.Size, &d.SourceDept, &d.AsOf, &d.Rows,
		&d.Matched, &d.Rejected, &d.RegionCode, &d.CreatedBy, &d.CreatedAt, &retiredAt, &retiredBy, &d.RetiredReason}, extra...)
	err := sc.Scan(dest...)
	d.KindLabel = kindLabel(d.Kind)
	d.RetiredAt, d.RetiredBy, d.Retired = strPtr(retiredAt), intPtr(retiredBy), retiredAt.Valid
	return d, err
}

func getDataset(ctx context.Context, q db.Queryer, id int64, detail bool) (Dataset, error) {
	var rejected string
	d, err := scanDataset(q.QueryRowContext(ctx, `SELECT `+datasetCols+`, rejected_json FROM datasets WHERE id = ?`, id), &rejected)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNoDataset
	}
	if err != nil || !detail {
		return d, err
	}
	return d, json.Unmarshal([]byte(rejected), &d.RejectedRows)
}

func datasetByFile(ctx context.Context, q db.Queryer, kind Kind, sha, region string) (Dataset, error) {
	d, err := scanDataset(q.QueryRowContext(ctx, `SELECT `+datasetCols+` FROM datasets WHERE kind = ? AND sha256 = ? AND region_code = ?`,
		kind, sha, region))
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNoDataset
	}
	return d, err
}

// visibleWhere bounds datasets to those registered under the principal's scope or by an
// office above it.
func visibleWhere(p *auth.Principal) (string, []any) {
	if p.Root {
		return "1 = 1", nil
	}
	lo, hi := regioncode.Range(p.Scope)
	up := ancestors(regioncode.Parent(p.Scope))
	args := []any{lo, hi}
	w := "(region_code BETWEEN ? AND ?"
	if len(up) > 0 {
		w += " OR region_code IN (" + placeholders(len(up)) + ")"
		for _, c := range up {
			args = append(args, c)
		}
	}
	return w + ")", args
}

func listDatasets(ctx context.Context, q db.Queryer, p *auth.Principal, kind Kind, activeOnly bool, after int64, limit int) ([]Dataset, error) {
	w, args := visibleWhere(p)
	if activeOnly {
		w += " AND retired_at IS NULL"
	}
	if kind != "" {
		w += " AND kind = ?"
		args = append(args, kind)
	}
	if after > 0 {
		w += " AND id < ?"
		args = append(args, after)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+datasetCols+` FROM datasets WHERE `+w+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Dataset{}
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// newestPerKind picks, per kind, the visible dataset in use (not retired) with the latest
// as-of date (then the latest registered).
func newestPerKind(ctx context.Context, q db.Queryer, p *auth.Principal) ([]Dataset, error) {
	w, args := visibleWhere(p)
	rows, err := q.QueryContext(ctx, `SELECT `+datasetCols+` FROM datasets WHERE `+w+` AND retired_at IS NULL ORDER BY kind, as_of DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dataset
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Kind != d.Kind {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// ---- authorisations ----

const authorisationCols = `a.id, a.household_id, a.region_code, a.signed_on, a.attachment_id, COALESCE(t.name, ''), a.note,
	a.recorded_by, a.created_at, a.revoked_on, a.revoked_reason`

func scanAuthorisation(sc interface{ Scan(...any) error }) (Authorisation, error) {
	var a Authorisation
	var rev sql.NullString
	err := sc.Scan(&a.ID, &a.HouseholdID, &a.RegionCode, &a.SignedOn, &a.AttachmentID, &a.AttachmentName, &a.Note,
		&a.RecordedBy, &a.CreatedAt, &rev, &a.RevokedReason)
	a.RevokedOn, a.Active = strPtr(rev), !rev.Valid
	return a, err
}

func getAuthorisation(ctx context.Context, q db.Queryer, id int64) (Authorisation, error) {
	a, err := scanAuthorisation(q.QueryRowContext(ctx, `SELECT `+authorisationCols+` FROM authorisations a
		LEFT JOIN attachments t ON t.id = a.attachment_id WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errNoAuthorisation
	}
	return a, err
}

func listAuthorisations(ctx context.Context, q db.Queryer, householdID int64) ([]Authorisation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+authorisationCols+` FROM authorisations a
		LEFT JOIN attachments t ON t.id = a.attachment_id WHERE a.household_id = ? ORDER BY a.id DESC`, householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Authorisation{}
	for rows.Next() {
		a, err := scanAuthorisation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ---- runs ----

const runCols = `id, region_code, status, ruleset_id, ruleset_version, datasets_json, include_unauthorised, households, members,
	skipped_unauthorised, rows_scanned, rows_matched, rows_rejected, doubts_found, doubts_new, doubts_repeated, doubts_updated,
	doubts_suppressed, error, started_by, started_by_name, started_at, finished_at, duration_ms`

func scanRun(sc interface{ Scan(...any) error }) (RunInfo, error) {
	var r RunInfo
	var sets string
	var incl int
	var fin sql.NullString
	err := sc.Scan(&r.ID, &r.RegionCode, &r.Status, &r.RulesetID, &r.RulesetVersion, &sets, &incl, &r.Households, &r.Members,
		&r.SkippedUnauthorised, &r.RowsScanned, &r.RowsMatched, &r.RowsRejected, &r.DoubtsFound, &r.DoubtsNew, &r.DoubtsRepeated,
		&r.DoubtsUpdated, &r.DoubtsSuppressed, &r.Error, &r.StartedBy, &r.StartedByName, &r.StartedAt, &fin, &r.DurationMS)
	if err != nil {
		return r, err
	}
	r.IncludeUnauthorised, r.FinishedAt = incl == 1, strPtr(fin)
	r.Datasets = []RunDataset{}
	return r, json.Unmarshal([]byte(sets), &r.Datasets)
}

func getRun(ctx context.Context, q db.Queryer, id int64) (RunInfo, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM crosscheck_runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNoRun
	}
	return r, err
}

func listRuns(ctx context.Context, q db.Queryer, region string, after int64, limit int) ([]RunInfo, error) {
	lo, hi := regioncode.Range(region)
	args := []any{lo, hi}
	w := ""
	if after > 0 {
		w = " AND id < ?"
		args = append(args, after)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+runCols+` FROM crosscheck_runs WHERE region_code BETWEEN ? AND ?`+w+
		` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RunInfo{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- doubts ----

// latestDoubts maps each finding under region to its latest doubt.
func latestDoubts(ctx context.Context, q db.Queryer, region string) (map[doubtKey]priorDoubt, error) {
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT id, household_id, rule_key, member_id, status, evidence_hash FROM doubts
		WHERE region_code BETWEEN ? AND ? ORDER BY id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[doubtKey]priorDoubt{}
	for rows.Next() {
		var k doubtKey
		var d priorDoubt
		if err := rows.Scan(&d.id, &k.household, &k.rule, &k.member, &d.status, &d.hash); err != nil {
			return nil, err
		}
		out[k] = d
	}
	return out, rows.Err()
}

const doubtRowCols = `d.id, d.run_id, d.last_run_id, d.household_id, h.household_no, h.head_name, d.member_id, COALESCE(m.name, ''),
	COALESCE(m.id_number, ''), d.region_code, COALESCE(g.name, ''), d.rule_key, d.rule_label, d.data_error, d.explanation, d.status,
	d.helper_id, COALESCE(e.name, ''), COALESCE(e.phone, ''), d.deadline, d.dispatched_at, d.closed_at, d.outcome_reason, d.version,
	d.created_at, d.updated_at`

const doubtJoins = ` FROM doubts d JOIN households h ON h.id = d.household_id
	LEFT JOIN members m ON m.id = d.member_id
	LEFT JOIN regions g ON g.code = d.region_code
	LEFT JOIN helpers e ON e.id = d.helper_id`

func scanDoubtRow(sc interface{ Scan(...any) error }, extra ...any) (DoubtRow, error) {
	var d DoubtRow
	var de int
	var helper sql.NullInt64
	var deadline, dispatched, closed sql.NullString
	err := sc.Scan(append([]any{&d.ID, &d.RunID, &d.LastRunID, &d.HouseholdID, &d.HouseholdNo, &d.HeadName, &d.MemberID, &d.MemberName,
		&d.idNumber, &d.RegionCode, &d.RegionName, &d.RuleKey, &d.RuleLabel, &de, &d.Explanation, &d.Status,
		&helper, &d.HelperName, &d.HelperPhone, &deadline, &dispatched, &closed, &d.OutcomeReason, &d.Version, &d.CreatedAt, &d.UpdatedAt}, extra...)...)
	d.DataError, d.HelperID = de == 1, intPtr(helper)
	d.Deadline, d.DispatchedAt, d.ClosedAt = strPtr(deadline), strPtr(dispatched), strPtr(closed)
	return d, err
}

// doubtWhere is the WHERE of a doubt filter (region range, status, overdue, rule, run,
// household): the list, its export and its statistics select the same doubts.
func doubtWhere(f DoubtFilter, today string) ([]string, []any) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"d.region_code BETWEEN ? AND ?"}
	args := []any{lo, hi}
	switch f.Status {
	case "":
	case "pending":
		where = append(where, "d.status IN ('open', 'dispatched')")
	default:
		where = append(where, "d.status = ?")
		args = append(args, f.Status)
	}
	if f.Overdue {
		where = append(where, "d.status = 'dispatched' AND d.deadline < ?")
		args = append(args, today)
	}
	if f.Rule != "" {
		where = append(where, "d.rule_key = ?")
		args = append(args, f.Rule)
	}
	if f.RunID > 0 {
		where = append(where, "d.id IN (SELECT x.doubt_id FROM crosscheck_run_doubts x WHERE x.run_id = ?)")
		args = append(args, f.RunID)
	}
	if f.Household > 0 {
		where = append(where, "d.household_id = ?")
		args = append(args, f.Household)
	}
	return where, args
}

func listDoubts(ctx context.Context, q db.Queryer, f DoubtFilter, today string) ([]DoubtRow, error) {
	where, args := doubtWhere(f, today)
	where = append(where, "(d.region_code, d.id) > (?, ?)")
	args = append(args, f.After.Region, f.After.ID, f.Limit)
	rows, err := q.QueryContext(ctx, `SELECT `+doubtRowCols+doubtJoins+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY d.region_code, d.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DoubtRow{}
	for rows.Next() {
		d, err := scanDoubtRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func getDoubt(ctx context.Context, q db.Queryer, id int64) (DoubtDetail, error) {
	var d DoubtDetail
	var ev string
	var att, proc, prev sql.NullInt64
	row, err := scanDoubtRow(q.QueryRowContext(ctx, `SELECT `+doubtRowCols+`, d.evidence_json, d.evidence_hash, d.dispatch_note,
		d.attachment_id, d.procedure_id, d.prev_doubt_id`+doubtJoins+` WHERE d.id = ?`, id),
		&ev, &d.EvidenceHash, &d.DispatchNote, &att, &proc, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNoDoubt
	}
	if err != nil {
		return d, err
	}
	d.DoubtRow = row
	d.AttachmentID, d.ProcedureID, d.PrevDoubtID = intPtr(att), intPtr(proc), intPtr(prev)
	var evidence []Evidence
	if err := json.Unmarshal([]byte(ev), &evidence); err != nil {
		return d, err
	}
	d.Evidence = []EvidenceView{}
	sets := map[int64]Dataset{}
	for _, e := range evidence {
		ds, ok := sets[e.DatasetID]
		if !ok {
			if ds, err = getDataset(ctx, q, e.DatasetID, false); err != nil && errs.CodeOf(err) != errs.NotFound {
				return d, err
			}
			sets[e.DatasetID] = ds
		}
		d.Evidence = append(d.Evidence, EvidenceView{DatasetID: e.DatasetID, Kind: ds.Kind, KindLabel: ds.KindLabel,
			SourceDept: ds.SourceDept, AsOf: ds.AsOf, FileName: ds.FileName, Line: e.Line, Fields: e.Fields})
	}
	return d, nil
}

type doubtGroup struct {
	child, rule, label, status string
	overdue                    bool
	n                          int64
}

// doubtGroups counts the doubts a filter selects by child region, rule, status and overdue,
// in one grouped read of the region's range.
func doubtGroups(ctx context.Context, q db.Queryer, f DoubtFilter, childLen int, today string) ([]doubtGroup, error) {
	where, args := doubtWhere(f, today)
	args = append([]any{childLen, today}, args...)
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(d.region_code, 1, ?), d.rule_key, MAX(d.rule_label), d.status,
		CASE WHEN d.status = 'dispatched' AND d.deadline < ? THEN 1 ELSE 0 END, COUNT(*)
		FROM doubts d WHERE `+strings.Join(where, " AND ")+` GROUP BY 1, 2, 4, 5`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []doubtGroup
	for rows.Next() {
		var g doubtGroup
		var od int
		if err := rows.Scan(&g.child, &g.rule, &g.label, &g.status, &od, &g.n); err != nil {
			return nil, err
		}
		g.overdue = od == 1
		out = append(out, g)
	}
	return out, rows.Err()
}

func childRegions(ctx context.Context, q db.Queryer, code string) ([]RegionRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, level FROM regions WHERE parent_code = ? ORDER BY code`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RegionRef
	for rows.Next() {
		var r RegionRef
		if err := rows.Scan(&r.Code, &r.Name, &r.Level); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
