package projects

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// VillagePlanStatuses are a village plan's statuses: drafted, filed upward (备案), received there
// with a receipt number, or returned for changes (and filed again).
var VillagePlanStatuses = []string{"draft", "filed", "received", "returned"}

// PlanFilter selects village plans; keyset-paginated by id descending.
type PlanFilter struct {
	Region string
	Year   int
	Status string
	After  int64
	Limit  int
}

var errNoVillagePlan = errs.E(errs.NotFound, "村级项目规划不存在")

func (in *PlanInput) normalize() {
	in.RegionCode, in.Title, in.Content = strings.TrimSpace(in.RegionCode), strings.TrimSpace(in.Title), strings.TrimSpace(in.Content)
}

func (in *PlanInput) validate() error {
	v := errs.Validation{}
	if regioncode.LevelOf(in.RegionCode) != regioncode.Village {
		v.Add("region_code", "应为村级区划代码(12 位)")
	}
	if in.Year < 2000 || in.Year > 2099 {
		v.Add("year", "应为 2000 到 2099 之间的年份")
	}
	supText(v, "title", in.Title, 1, 200)
	supText(v, "content", in.Content, 0, 20000)
	return v.Err()
}

// CreatePlan drafts a village's yearly project plan.
func (s *Service) CreatePlan(ctx context.Context, p *auth.Principal, in PlanInput) (VillagePlan, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return VillagePlan{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return VillagePlan{}, err
	}
	if err := p.RequireIn(auth.ProjectWrite, in.RegionCode); err != nil {
		return VillagePlan{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, in.RegionCode).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Missing("region_code", "区划不存在")
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO village_plans (region_code, year, title, content, status, created_by, created_at)
			VALUES (?, ?, ?, ?, 'draft', ?, ?) RETURNING id`, in.RegionCode, in.Year, in.Title, in.Content, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		pl, err := loadVillagePlan(ctx, tx, id)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "village_plan.create", "village_plan", id, in.RegionCode, nil, pl)
	})
	if err != nil {
		return VillagePlan{}, err
	}
	return loadVillagePlan(ctx, s.DB.Reader(), id)
}

// Plans lists the village plans in the principal's scope, newest first.
func (s *Service) Plans(ctx context.Context, p *auth.Principal, f PlanFilter) ([]VillagePlan, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return nil, err
	}
	v := errs.Validation{}
	if f.Region != "" && !regioncode.Valid(f.Region) {
		v.Add("region", "区划代码须为 12 位数字")
	}
	if f.Year != 0 && (f.Year < 2000 || f.Year > 2099) {
		v.Add("year", "应为 2000 到 2099 之间的年份")
	}
	if f.Status != "" && !slices.Contains(VillagePlanStatuses, f.Status) {
		v.Add("status", "应为 "+strings.Join(VillagePlanStatuses, "、")+" 之一")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	cond, args := p.ScopeCond("v.region_code")
	where := []string{cond}
	if f.Region != "" {
		if err := p.RequireIn(auth.ProjectRead, f.Region); err != nil {
			return nil, err
		}
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "v.region_code BETWEEN ? AND ?"), append(args, lo, hi)
	}
	if f.Year != 0 {
		where, args = append(where, "v.year = ?"), append(args, f.Year)
	}
	if f.Status != "" {
		where, args = append(where, "v.status = ?"), append(args, f.Status)
	}
	if f.After > 0 {
		where, args = append(where, "v.id < ?"), append(args, f.After)
	}
	return queryVillagePlans(ctx, s.DB.Reader(), strings.Join(where, " AND ")+fmt.Sprintf(" ORDER BY v.id DESC LIMIT %d", f.Limit+1), args...)
}

// Plan is one village plan in the principal's scope.
func (s *Service) Plan(ctx context.Context, p *auth.Principal, id int64) (VillagePlan, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return VillagePlan{}, err
	}
	return villagePlanFor(ctx, s.DB.Reader(), p, id)
}

// PlanFile is the text of a village plan (its attachment) for download.
func (s *Service) PlanFile(ctx context.Context, p *auth.Principal, id int64) (registry.Attachment, []byte, error) {
	pl, err := s.Plan(ctx, p, id)
	if err != nil {
		return registry.Attachment{}, nil, err
	}
	if pl.AttachmentID == nil {
		return registry.Attachment{}, nil, errs.E(errs.NotFound, "该规划尚未上传规划文本")
	}
	a := registry.Attachment{ID: *pl.AttachmentID}
	var data []byte
	err = s.DB.Reader().QueryRowContext(ctx, `SELECT sha256, name, content_type, size, created_at, data FROM attachments WHERE id = ?`, a.ID).
		Scan(&a.SHA256, &a.Name, &a.ContentType, &a.Size, &a.CreatedAt, &data)
	return a, data, err
}

// AttachPlan stores the plan's text (a scanned or written document) on a draft or returned
// plan, replacing any earlier one.
func (s *Service) AttachPlan(ctx context.Context, p *auth.Principal, id int64, file registry.Attachment, data []byte) (VillagePlan, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return VillagePlan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := villagePlanFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.Status != "draft" && before.Status != "returned" {
			return errs.E(errs.Conflict, "规划已报备,不能再更换规划文本")
		}
		if err := registry.StoreFile(ctx, tx, &file, data, before.RegionCode, p.UserID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE village_plans SET attachment_id = ?, version = version + 1 WHERE id = ? AND version = ?`,
			file.ID, id, before.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		return record(ctx, tx, p, "village_plan.attach", "village_plan", id, before.RegionCode,
			map[string]any{"attachment_id": before.AttachmentID}, map[string]any{"attachment": file})
	})
	if err != nil {
		return VillagePlan{}, err
	}
	return loadVillagePlan(ctx, s.DB.Reader(), id)
}

// FilePlan files (备案) a draft or returned plan with the village's town. The plan's text
// must be attached first.
func (s *Service) FilePlan(ctx context.Context, p *auth.Principal, id int64, version int) (VillagePlan, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return VillagePlan{}, err
	}
	if version <= 0 {
		return VillagePlan{}, errs.Field("version", "必填")
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := villagePlanFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.Status != "draft" && before.Status != "returned" {
			return errs.E(errs.Conflict, "规划已报备,不能重复报备")
		}
		if before.AttachmentID == nil {
			return errs.Field("attachment", "请先上传规划文本")
		}
		if before.Version != version {
			return errStale
		}
		town := regioncode.Parent(before.RegionCode)
		res, err := tx.ExecContext(ctx, `UPDATE village_plans SET status = 'filed', filed_to = ?, filed_by = ?, filed_at = ?,
			receipt_no = '', decided_by = NULL, decided_at = NULL, opinion = '', version = version + 1 WHERE id = ? AND version = ?`,
			town, p.UserID, db.Time(tx.Now), id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		return record(ctx, tx, p, "village_plan.file", "village_plan", id, before.RegionCode,
			map[string]any{"status": before.Status, "version": before.Version, "opinion": before.Opinion},
			map[string]any{"status": "filed", "version": before.Version + 1, "filed_to": town})
	})
	if err != nil {
		return VillagePlan{}, err
	}
	return loadVillagePlan(ctx, s.DB.Reader(), id)
}

// DecidePlan is the town office's answer to a filed plan: received with a receipt number
// (generated BA{year}-{town}-{seq} when empty) or returned with an opinion.
func (s *Service) DecidePlan(ctx context.Context, p *auth.Principal, id int64, d PlanDecision) (VillagePlan, error) {
	if err := p.Require(auth.ProjectSign); err != nil {
		return VillagePlan{}, err
	}
	d.Decision, d.ReceiptNo, d.Opinion = strings.TrimSpace(d.Decision), strings.TrimSpace(d.ReceiptNo), strings.TrimSpace(d.Opinion)
	v := errs.Validation{}
	if d.Decision != "receive" && d.Decision != "return" {
		v.Add("decision", "应为 receive 或 return")
	}
	supText(v, "receipt_no", d.ReceiptNo, 0, 50)
	supText(v, "opinion", d.Opinion, 0, 2000)
	if d.Decision == "return" && d.Opinion == "" {
		v.Add("opinion", "退回时须填写意见")
	}
	if d.Version <= 0 {
		v.Add("version", "必填")
	}
	if err := v.Err(); err != nil {
		return VillagePlan{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := villagePlanFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.Status != "filed" {
			return errs.E(errs.Conflict, "只有已报备待接收的规划可以接收或退回")
		}
		if p.Role != auth.PovertyOffice || before.FiledTo == nil || p.Scope != *before.FiledTo {
			return errs.E(errs.Forbidden, "应由%s农办办理备案", before.FiledToName)
		}
		if before.Version != d.Version {
			return errStale
		}
		status := "returned"
		if d.Decision == "receive" {
			status = "received"
			if d.ReceiptNo == "" {
				town := *before.FiledTo
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM village_plans WHERE filed_to = ? AND year = ? AND status = 'received'`,
					town, before.Year).Scan(&n); err != nil {
					return err
				}
				d.ReceiptNo = fmt.Sprintf("BA%d-%s-%03d", before.Year, town[:9], n+1)
			}
		} else {
			d.ReceiptNo = ""
		}
		res, err := tx.ExecContext(ctx, `UPDATE village_plans SET status = ?, receipt_no = ?, decided_by = ?, decided_at = ?, opinion = ?,
			version = version + 1 WHERE id = ? AND version = ?`, status, d.ReceiptNo, p.UserID, db.Time(tx.Now), d.Opinion, id, d.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		return record(ctx, tx, p, "village_plan.decide", "village_plan", id, before.RegionCode,
			map[string]any{"status": before.Status, "version": before.Version},
			map[string]any{"status": status, "version": before.Version + 1, "receipt_no": d.ReceiptNo, "opinion": d.Opinion})
	})
	if err != nil {
		return VillagePlan{}, err
	}
	return loadVillagePlan(ctx, s.DB.Reader(), id)
}

const villagePlanSelect = `SELECT v.id, v.region_code, COALESCE(r.name, ''), v.year, v.title, v.content, v.status, v.attachment_id, v.filed_to,
	COALESCE(t.name, ''), v.filed_by, v.filed_at, v.receipt_no, v.decided_by, v.decided_at, v.opinion,
	(SELECT COUNT(*) FROM projects pj WHERE pj.plan_id = v.id), v.version, v.created_at
	FROM village_plans v LEFT JOIN regions r ON r.code = v.region_code LEFT JOIN regions t ON t.code = v.filed_to`

func queryVillagePlans(ctx context.Context, q db.Queryer, where string, args ...any) ([]VillagePlan, error) {
	rows, err := q.QueryContext(ctx, villagePlanSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []VillagePlan{}
	for rows.Next() {
		var v VillagePlan
		var att, filedBy, decidedBy sql.NullInt64
		var filedTo, filedAt, decidedAt sql.NullString
		if err := rows.Scan(&v.ID, &v.RegionCode, &v.RegionName, &v.Year, &v.Title, &v.Content, &v.Status, &att, &filedTo, &v.FiledToName,
			&filedBy, &filedAt, &v.ReceiptNo, &decidedBy, &decidedAt, &v.Opinion, &v.Projects, &v.Version, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.AttachmentID, v.FiledBy, v.DecidedBy = supNullInt(att), supNullInt(filedBy), supNullInt(decidedBy)
		v.FiledTo, v.FiledAt, v.DecidedAt = supNullString(filedTo), supNullString(filedAt), supNullString(decidedAt)
		out = append(out, v)
	}
	return out, rows.Err()
}

func loadVillagePlan(ctx context.Context, q db.Queryer, id int64) (VillagePlan, error) {
	ps, err := queryVillagePlans(ctx, q, `v.id = ?`, id)
	if err != nil {
		return VillagePlan{}, err
	}
	if len(ps) == 0 {
		return VillagePlan{}, errNoVillagePlan
	}
	return ps[0], nil
}

// villagePlanFor loads a plan in the principal's scope (errNoVillagePlan otherwise).
func villagePlanFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (VillagePlan, error) {
	pl, err := loadVillagePlan(ctx, q, id)
	if err != nil {
		return pl, err
	}
	if !p.InScope(pl.RegionCode) {
		return VillagePlan{}, errNoVillagePlan
	}
	return pl, nil
}
