package partners

import (
	"context"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/projects"
)

// Projects are read here with plain, read-only SQL on the projects tables (0009_projects):
// the registers never write them. A project can take a partner while it is not failed and its
// last stage (收益分配) is not signed (stage 9 = all nine signed).

const candidateCols = `p.id, p.name, p.kind, p.region_code, COALESCE(r.name, ''), p.stage, p.budget_fen, p.benefit_mechanism, p.status`

type candidate struct {
	ProjectRef
	RegionName string
	Stage      int
	BudgetFen  int64
	Status     string
}

func queryCandidates(ctx context.Context, q db.Queryer, where string, args ...any) ([]candidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+candidateCols+` FROM projects p LEFT JOIN regions r ON r.code = p.region_code WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.ID, &c.Name, &c.Kind, &c.RegionCode, &c.RegionName, &c.Stage, &c.BudgetFen, &c.BenefitMechanism, &c.Status); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (c candidate) open() bool { return c.Status != "failed" && c.Stage < projects.Done }

// stageLabel names a project's current stage.
func stageLabel(stage int) string {
	if stage >= 0 && stage < len(projects.Stages) {
		return projects.Stages[stage].Label
	}
	return "已完成"
}

// Suggestions scores the open projects in the principal's scope for an entrepreneur: the best
// MaxSuggestions with at least one reason, best first.
func (s *Service) Suggestions(ctx context.Context, p *auth.Principal, id int64) ([]Suggestion, error) {
	q := s.DB.Reader()
	e, err := entrepreneurFor(ctx, q, p, id, auth.SocialRead)
	if err != nil {
		return nil, err
	}
	cond, args := p.ScopeCond("p.region_code")
	cands, err := queryCandidates(ctx, q, `p.status <> 'failed' AND p.stage < ? AND `+cond+` ORDER BY p.id`,
		append([]any{projects.Done}, args...)...)
	if err != nil {
		return nil, err
	}
	matched := map[int64]bool{}
	rows, err := q.QueryContext(ctx, `SELECT project_id FROM partner_matches WHERE entrepreneur_id = ?`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid int64
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return nil, err
		}
		matched[pid] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := map[int64]candidate{}
	refs := make([]ProjectRef, len(cands))
	for i, c := range cands {
		byID[c.ID], refs[i] = c, c.ProjectRef
	}
	out := []Suggestion{}
	for _, sc := range rank(e, refs) {
		c := byID[sc.ref.ID]
		out = append(out, Suggestion{ProjectID: c.ID, ProjectName: c.Name, ProjectKind: c.Kind, RegionCode: c.RegionCode,
			RegionName: c.RegionName, Stage: stageLabel(c.Stage), BudgetFen: c.BudgetFen, Score: sc.score, Reasons: sc.reasons,
			Matched: matched[c.ID]})
	}
	return out, nil
}

const matchCols = `m.id, m.entrepreneur_id, m.project_id, e.name, COALESCE(pr.name, ''), m.score, m.reasons, m.status, m.note,
	m.version, m.created_at, e.hometown_code, m.region_code`

const matchFrom = ` FROM partner_matches m JOIN partner_entrepreneurs e ON e.id = m.entrepreneur_id
	LEFT JOIN projects pr ON pr.id = m.project_id`

// storedMatch is a match with the regions its scope is checked on.
type storedMatch struct {
	Match
	hometown, region string
}

func queryMatches(ctx context.Context, q db.Queryer, where string, args ...any) ([]storedMatch, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+matchCols+matchFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storedMatch{}
	for rows.Next() {
		var x storedMatch
		var reasons string
		if err := rows.Scan(&x.ID, &x.EntrepreneurID, &x.ProjectID, &x.EntrepreneurName, &x.ProjectName, &x.Score, &reasons,
			&x.Status, &x.Note, &x.Version, &x.CreatedAt, &x.hometown, &x.region); err != nil {
			return nil, err
		}
		x.Reasons = jsonList(reasons)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Matches lists an entrepreneur's matches with projects in the principal's scope, newest first.
func (s *Service) Matches(ctx context.Context, p *auth.Principal, id int64) ([]Match, error) {
	if _, err := entrepreneurFor(ctx, s.DB.Reader(), p, id, auth.SocialRead); err != nil {
		return nil, err
	}
	cond, args := p.ScopeCond("m.region_code")
	rows, err := queryMatches(ctx, s.DB.Reader(), `m.entrepreneur_id = ? AND `+cond+` ORDER BY m.id DESC LIMIT ?`,
		append(append([]any{id}, args...), MaxListed)...)
	out := make([]Match, len(rows))
	for i, x := range rows {
		out[i] = x.Match
	}
	return out, err
}

// CreateMatch records that an entrepreneur is proposed for a project (对接), with the score
// and reasons the engine gives now. The project must be open and in the principal's scope.
func (s *Service) CreateMatch(ctx context.Context, p *auth.Principal, id int64, in MatchInput) (Match, error) {
	q := s.DB.Reader()
	e, err := entrepreneurFor(ctx, q, p, id, auth.SocialWrite)
	if err != nil {
		return Match{}, err
	}
	v := errs.Validation{}
	if in.ProjectID <= 0 {
		v.Add("project_id", "必填")
	}
	text(v, "note", &in.Note, 0, 1000)
	if err := v.Err(); err != nil {
		return Match{}, err
	}
	var mid int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		cs, err := queryCandidates(ctx, tx, `p.id = ?`, in.ProjectID)
		if err != nil {
			return err
		}
		if len(cs) == 0 || !p.InScope(cs[0].RegionCode) {
			return errs.Missing("project_id", "项目不存在")
		}
		c := cs[0]
		if !c.open() {
			return errs.Field("project_id", "项目已失败或已完成收益分配,不能再对接")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_matches WHERE entrepreneur_id = ? AND project_id = ?`,
			id, in.ProjectID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "该人士与该项目已有对接记录", Fields: map[string]string{"project_id": "已有对接记录"}}
		}
		score, reasons := Score(e, c.ProjectRef)
		now := db.Time(tx.Now)
		mid, err = tx.InsertID(ctx, `INSERT INTO partner_matches (entrepreneur_id, project_id, region_code, score, reasons, status, note,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?) RETURNING id`,
			id, in.ProjectID, c.RegionCode, score, jsonText(reasons), in.Note, p.UserID, now, now)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "match.create", "partner_match", mid, c.RegionCode, nil,
			map[string]any{"entrepreneur_id": id, "project_id": in.ProjectID, "score": score, "reasons": reasons, "note": in.Note})
	})
	if err != nil {
		return Match{}, err
	}
	return s.match(ctx, s.DB.Reader(), p, mid, auth.SocialRead)
}

// match loads a match whose entrepreneur and project both lie in the principal's scope.
func (s *Service) match(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Match, error) {
	x, err := matchFor(ctx, q, p, id, action)
	return x.Match, err
}

func matchFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (storedMatch, error) {
	if err := p.Require(action); err != nil {
		return storedMatch{}, err
	}
	rows, err := queryMatches(ctx, q, `m.id = ?`, id)
	if err != nil {
		return storedMatch{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].hometown) || !p.InScope(rows[0].region) {
		return storedMatch{}, errNoMatch
	}
	return rows[0], nil
}

// matchNext is where a match may go from each state.
var matchNext = map[string][]string{"proposed": {"contacted"}, "contacted": {"agreed", "declined"}}

// UpdateMatch moves a match on (proposed → contacted → agreed | declined) or changes its note,
// against the version read: of two updates of one version exactly one wins.
func (s *Service) UpdateMatch(ctx context.Context, p *auth.Principal, id int64, in MatchUpdate) (Match, error) {
	if _, err := matchFor(ctx, s.DB.Reader(), p, id, auth.SocialWrite); err != nil {
		return Match{}, err
	}
	if err := checkVersion(in.Version); err != nil {
		return Match{}, err
	}
	v := errs.Validation{}
	in.Status = strings.TrimSpace(in.Status)
	text(v, "note", &in.Note, 0, 1000)
	if in.Status != "" {
		oneOf(v, "status", &in.Status, MatchStatuses)
	}
	if err := v.Err(); err != nil {
		return Match{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := matchFor(ctx, tx, p, id, auth.SocialWrite)
		if err != nil {
			return err
		}
		if before.Version != in.Version {
			return errStale
		}
		after := before.Match
		if in.Status != "" && in.Status != before.Status {
			next := matchNext[before.Status]
			if len(next) == 0 {
				return errs.E(errs.Conflict, "对接已办结(%s),不能再变更", before.Status)
			}
			ok := false
			for _, n := range next {
				ok = ok || n == in.Status
			}
			if !ok {
				return errs.Field("status", "当前状态 "+before.Status+" 只能变更为 "+strings.Join(next, " 或 "))
			}
			after.Status = in.Status
		}
		if in.Note != "" { // a status-only update keeps the note
			after.Note = in.Note
		}
		if err := bump(ctx, tx, "partner_matches", id, in.Version, `status = ?, note = ?, `, after.Status, after.Note); err != nil {
			return err
		}
		after.Version++
		return record(ctx, tx, p, "match.update", "partner_match", id, before.region, before.Match, after)
	})
	if err != nil {
		return Match{}, err
	}
	return s.match(ctx, s.DB.Reader(), p, id, auth.SocialRead)
}
