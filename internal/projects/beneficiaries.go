package projects

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// reviewStep is one level of the review of a direct-to-household application: who reviews an
// application in status From, and the status a pass leads to.
type reviewStep struct {
	From  string
	Role  auth.Role
	Level regioncode.Level
	Next  string
	Who   string // "村干部", "农办" in messages
}

// reviewChain is 村 → 镇 → 县: the village cadre, then the town's office, then the county's.
var reviewChain = []reviewStep{
	{"applied", auth.VillageCadre, regioncode.Village, "village", "村干部"},
	{"village", auth.PovertyOffice, regioncode.Town, "town", "农办"},
	{"town", auth.PovertyOffice, regioncode.County, "approved", "农办"},
}

var errNoBeneficiary = errs.E(errs.NotFound, "受益对象不存在")

func (in *BeneficiaryInput) normalize() {
	in.Link, in.ExpectedIncomeYuan, in.Note = strings.TrimSpace(in.Link), strings.TrimSpace(in.ExpectedIncomeYuan), strings.TrimSpace(in.Note)
}

func (in *BeneficiaryInput) validate() (int64, error) {
	v := errs.Validation{}
	if in.HouseholdID <= 0 {
		v.Add("household_id", "应为正整数")
	}
	if !slices.Contains(Links, in.Link) {
		v.Add("link", "应为 "+strings.Join(Links, "、")+" 之一")
	}
	var income int64
	if in.ExpectedIncomeYuan != "" {
		n, err := money.ParseYuan(in.ExpectedIncomeYuan)
		switch {
		case err != nil:
			v.Add("expected_income_yuan", err.Error())
		case n < 0:
			v.Add("expected_income_yuan", "不能为负数")
		case n > 1e10:
			v.Add("expected_income_yuan", "金额过大")
		}
		income = n
	}
	supText(v, "note", in.Note, 0, 500)
	return income, v.Err()
}

// AddBeneficiary names a household as a project's beneficiary. The household must be
// registered (or exited and still within its policy period) and live in the project's region;
// once per project. For a direct-to-household project it is an application (applied) recorded
// by the household's village cadre or the office, reviewed level by level; for other kinds the
// household is approved at once.
func (s *Service) AddBeneficiary(ctx context.Context, p *auth.Principal, projectID int64, in BeneficiaryInput) (Beneficiary, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Beneficiary{}, err
	}
	in.normalize()
	income, err := in.validate()
	if err != nil {
		return Beneficiary{}, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := supportProject(ctx, tx, p, projectID, auth.ProjectWrite, true)
		if err != nil {
			return err
		}
		if err := pr.requireActive(); err != nil {
			return err
		}
		var region, status string
		var until sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT region_code, status, policy_until FROM households WHERE id = ?`, in.HouseholdID).
			Scan(&region, &status, &until)
		if err == sql.ErrNoRows || err == nil && !p.InScope(region) {
			return errs.Missing("household_id", "户不存在或不在您的管辖范围内")
		}
		if err != nil {
			return err
		}
		if !regioncode.Within(region, pr.Region) {
			return errs.Field("household_id", "该户不在项目所在区域内")
		}
		today := s.today()
		if status != "registered" && !(status == "exited" && until.Valid && until.String >= today) {
			return errs.Field("household_id", "该户不是在档贫困户(或已脱贫且过了政策保持期)")
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM project_beneficiaries WHERE project_id = ? AND household_id = ?`,
			projectID, in.HouseholdID).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return errs.E(errs.Conflict, "该户已是本项目的受益对象")
		}
		st := "approved"
		if pr.Kind == "household" {
			st = "applied"
		}
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO project_beneficiaries (project_id, household_id, link, expected_income_fen, status, note,
			region_code, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			projectID, in.HouseholdID, in.Link, income, st, in.Note, region, p.UserID, now, now)
		if err != nil {
			return err
		}
		b, err := loadBeneficiary(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "project.beneficiary.add", "project_beneficiary", id, region, nil, b)
	})
	if err != nil {
		return Beneficiary{}, err
	}
	return loadBeneficiary(ctx, s.DB.Reader(), id)
}

// Beneficiaries lists a project's beneficiaries in the principal's scope with their reviews.
func (s *Service) Beneficiaries(ctx context.Context, p *auth.Principal, projectID int64) ([]Beneficiary, error) {
	q := s.DB.Reader()
	if _, err := supportProject(ctx, q, p, projectID, auth.ProjectRead, true); err != nil {
		return nil, err
	}
	cond, args := p.ScopeCond("b.region_code")
	out, err := queryBeneficiaries(ctx, q, `b.project_id = ? AND `+cond+` ORDER BY b.id`, append([]any{projectID}, args...)...)
	if err != nil {
		return nil, err
	}
	return out, attachReviews(ctx, q, out)
}

// ReviewBeneficiary is one level's review of a direct-to-household application: the village
// cadre of the household's village, then the town's office, then the county's. A pass moves it
// up a level (approved after the county); a reject at any level ends it.
func (s *Service) ReviewBeneficiary(ctx context.Context, p *auth.Principal, id int64, in ReviewInput) (Beneficiary, error) {
	if err := p.Require(auth.ProjectSign); err != nil {
		return Beneficiary{}, err
	}
	in.Decision, in.Opinion = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Opinion)
	v := errs.Validation{}
	if in.Decision != "pass" && in.Decision != "reject" {
		v.Add("decision", "应为 pass 或 reject")
	}
	supText(v, "opinion", in.Opinion, 0, 500)
	if in.Decision == "reject" && in.Opinion == "" {
		v.Add("opinion", "不通过时须填写意见")
	}
	if in.Version <= 0 {
		v.Add("version", "必填")
	}
	if err := v.Err(); err != nil {
		return Beneficiary{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadBeneficiary(ctx, tx, id)
		if err == errNoBeneficiary || err == nil && !p.InScope(before.RegionCode) {
			return errNoBeneficiary
		}
		if err != nil {
			return err
		}
		var kind, status string
		if err := tx.QueryRowContext(ctx, `SELECT kind, status FROM projects WHERE id = ?`, before.ProjectID).Scan(&kind, &status); err != nil {
			return err
		}
		if kind != "household" {
			return errs.E(errs.Conflict, "只有直接到户项目的申请需要逐级审核")
		}
		if err := (supportRef{Status: status}).requireActive(); err != nil {
			return err
		}
		i := slices.IndexFunc(reviewChain, func(r reviewStep) bool { return r.From == before.Status })
		if i < 0 {
			return errs.E(errs.Conflict, "该申请已审结(%s)", map[string]string{"approved": "已批准", "rejected": "未通过"}[before.Status])
		}
		step := reviewChain[i]
		if p.Role != step.Role || regioncode.LevelOf(p.Scope) != step.Level {
			return errs.E(errs.Forbidden, "应由%s%s审核", supLevelLabels[step.Level], step.Who)
		}
		if before.Version != in.Version {
			return errStale
		}
		next := step.Next
		if in.Decision == "reject" {
			next = "rejected"
		}
		now := db.Time(tx.Now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO beneficiary_reviews (beneficiary_id, level, decision, opinion, reviewed_by,
			reviewed_by_name, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, string(step.Level), in.Decision, in.Opinion, p.UserID, p.Name, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE project_beneficiaries SET status = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, next, now, id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		after, err := loadBeneficiary(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "project.beneficiary.review", "project_beneficiary", id, before.RegionCode,
			map[string]any{"status": before.Status, "version": before.Version},
			map[string]any{"status": after.Status, "version": after.Version, "level": step.Level, "decision": in.Decision, "opinion": in.Opinion})
	})
	if err != nil {
		return Beneficiary{}, err
	}
	b, err := loadBeneficiary(ctx, s.DB.Reader(), id)
	if err != nil {
		return b, err
	}
	out := []Beneficiary{b}
	err = attachReviews(ctx, s.DB.Reader(), out)
	return out[0], err
}

const beneficiarySelect = `SELECT b.id, b.project_id, b.household_id, COALESCE(h.head_name, ''), b.region_code, COALESCE(r.name, ''),
	b.link, b.expected_income_fen, b.status, b.note, b.version, b.created_at
	FROM project_beneficiaries b LEFT JOIN households h ON h.id = b.household_id LEFT JOIN regions r ON r.code = b.region_code`

func queryBeneficiaries(ctx context.Context, q db.Queryer, where string, args ...any) ([]Beneficiary, error) {
	rows, err := q.QueryContext(ctx, beneficiarySelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Beneficiary{}
	for rows.Next() {
		var b Beneficiary
		if err := rows.Scan(&b.ID, &b.ProjectID, &b.HouseholdID, &b.HouseholdHead, &b.RegionCode, &b.RegionName, &b.Link,
			&b.ExpectedIncomeFen, &b.Status, &b.Note, &b.Version, &b.CreatedAt); err != nil {
			return nil, err
		}
		b.Reviews = []ReviewRecord{}
		out = append(out, b)
	}
	return out, rows.Err()
}

func loadBeneficiary(ctx context.Context, q db.Queryer, id int64) (Beneficiary, error) {
	bs, err := queryBeneficiaries(ctx, q, `b.id = ?`, id)
	if err != nil {
		return Beneficiary{}, err
	}
	if len(bs) == 0 {
		return Beneficiary{}, errNoBeneficiary
	}
	return bs[0], nil
}

// attachReviews fills each beneficiary's reviews, oldest first.
func attachReviews(ctx context.Context, q db.Queryer, bs []Beneficiary) error {
	if len(bs) == 0 {
		return nil
	}
	at := make(map[int64]int, len(bs))
	ids := make([]any, len(bs))
	for i, b := range bs {
		at[b.ID], ids[i] = i, b.ID
	}
	// in chunks: a project may have thousands of beneficiaries
	for lo := 0; lo < len(ids); lo += 500 {
		chunk := ids[lo:min(lo+500, len(ids))]
		rows, err := q.QueryContext(ctx, `SELECT beneficiary_id, level, decision, opinion, reviewed_by, reviewed_by_name, reviewed_at
			FROM beneficiary_reviews WHERE beneficiary_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) ORDER BY id`, chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var bid int64
			var r ReviewRecord
			if err := rows.Scan(&bid, &r.Level, &r.Decision, &r.Opinion, &r.ReviewedBy, &r.ReviewedByName, &r.ReviewedAt); err != nil {
				rows.Close()
				return err
			}
			bs[at[bid]].Reviews = append(bs[at[bid]].Reviews, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
