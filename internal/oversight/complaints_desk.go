package oversight

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// ---- the complaint desk ----

// LodgeResult is what lodging a complaint answers: the code the complainant follows it by.
type LodgeResult struct {
	ID           int64  `json:"id,omitempty"`
	TrackingCode string `json:"tracking_code"`
	Deadline     string `json:"deadline"`
	RepeatNo     int    `json:"repeat_no,omitempty"`
}

// Lodge records a complaint taken by staff: from the hotline or in person (channels hotline and
// staff, complaint.handle) or by a helper in the field app (channel field, complaint.lodge or
// complaint.handle), in a region of the caller's scope.
//
// A helper (complaint.lodge without complaint.handle) lodges only for a household assigned to
// them: entity_type household, entity_ref its household number; the region is the household's
// village. A field complaint carrying client_id is lodged once: sending it again answers the
// stored complaint (same body; the HTTP handler answers 200 instead of 201).
func (s *Service) Lodge(ctx context.Context, p *auth.Principal, in ComplaintInput) (LodgeResult, error) {
	res, _, err := s.lodgeStaff(ctx, p, in)
	return res, err
}

// FieldClientHash is what a field complaint's client_id is stored as (complaints.client_hash):
// hex(sha256("field:" + client_id)), apart from the public clients' address hashes.
func FieldClientHash(clientID string) string {
	h := sha256.Sum256([]byte("field:" + clientID))
	return hex.EncodeToString(h[:])
}

// validClientID accepts a UUID in its canonical text form (8-4-4-4-12 hex digits).
func validClientID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// errNotAssigned is the one answer to a helper naming a household that does not exist or is not
// theirs.
var errNotAssigned = errs.E(errs.Forbidden, "只能为您帮扶的农户代为反映问题")

// complaintHousehold resolves the household a complaint names (entity_type household,
// entity_ref its household number) to its village. A helper (without complaint.handle) must
// currently be assigned to it.
func complaintHousehold(ctx context.Context, q db.Queryer, p *auth.Principal, householdNo string) (string, error) {
	helper := !p.Can(auth.ComplaintHandle)
	var id int64
	var region string
	err := q.QueryRowContext(ctx, `SELECT id, region_code FROM households WHERE household_no = ? AND status <> 'removed'`, householdNo).Scan(&id, &region)
	if errors.Is(err, sql.ErrNoRows) {
		if helper {
			return "", errNotAssigned
		}
		return "", errs.Missing("entity_ref", "户编号不存在")
	}
	if err != nil {
		return "", err
	}
	if !p.InScope(region) {
		if helper {
			return "", errNotAssigned
		}
		return "", errs.E(errs.Forbidden, "该户不在您的管辖范围内")
	}
	if helper {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments a JOIN helpers h ON h.id = a.helper_id
			WHERE a.household_id = ? AND a.to_date IS NULL AND h.user_id = ? AND h.active = 1`, id, p.UserID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", errNotAssigned
		}
	}
	return region, nil
}

// lodgeStaff is Lodge; replayed reports that the field complaint's client_id was lodged before
// and res is that complaint.
func (s *Service) lodgeStaff(ctx context.Context, p *auth.Principal, in ComplaintInput) (res LodgeResult, replayed bool, err error) {
	if p == nil {
		return LodgeResult{}, false, errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(auth.ComplaintHandle) && !p.Can(auth.ComplaintLodge) {
		return LodgeResult{}, false, p.Require(auth.ComplaintHandle)
	}
	in.normalize()
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.EntityType = strings.TrimSpace(in.EntityType)
	// Scope first: a region outside it is refused the same way whatever else is wrong.
	if regioncode.Valid(in.RegionCode) && !p.InScope(in.RegionCode) {
		return LodgeResult{}, false, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", in.RegionCode)
	}
	helper := !p.Can(auth.ComplaintHandle)
	channels := []string{ChannelField}
	if !helper {
		channels = []string{ChannelHotline, ChannelStaff, ChannelField}
	}
	if in.Channel == ChannelField && in.EntityType == "household" && in.EntityRef != "" {
		region, err := complaintHousehold(ctx, s.DB.Reader(), p, in.EntityRef)
		if err != nil {
			return LodgeResult{}, false, err
		}
		if in.RegionCode == "" {
			in.RegionCode = region
		} else if in.RegionCode != region {
			return LodgeResult{}, false, errs.Field("region_code", "与该户所在的村不符")
		}
	} else if helper {
		return LodgeResult{}, false, errs.Field("entity_ref", "请选择您帮扶的农户(entity_type household,entity_ref 户编号)")
	}
	if err := in.validate(channels); err != nil {
		return LodgeResult{}, false, err
	}
	clientHash := ""
	if in.ClientID != "" {
		if in.Channel != ChannelField {
			return LodgeResult{}, false, errs.Field("client_id", "仅手机APP登记的投诉(channel field)带 client_id")
		}
		if !validClientID(in.ClientID) {
			return LodgeResult{}, false, errs.Field("client_id", "应为 UUID")
		}
		clientHash = FieldClientHash(strings.ToLower(in.ClientID))
	}
	if err := complaintRegionExists(ctx, s.DB.Reader(), in.RegionCode, false); err != nil {
		return LodgeResult{}, false, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		if clientHash != "" {
			if tx.Dialect() == db.Postgres {
				// Two syncs of one complaint are answered one after the other: the second finds
				// the first's row (SQLite has a single writer anyway).
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, "complaint:"+clientHash); err != nil {
					return err
				}
			}
			var code, deadline string
			var by sql.NullInt64
			var id int64
			var repeat int
			err := tx.QueryRowContext(ctx, `SELECT id, tracking_code, COALESCE(deadline, ''), repeat_no, created_by FROM complaints
				WHERE client_hash = ? ORDER BY id LIMIT 1`, clientHash).Scan(&id, &code, &deadline, &repeat, &by)
			if err == nil {
				if by.Int64 != p.UserID {
					return errs.E(errs.Conflict, "该 client_id 已被其他用户使用")
				}
				res, replayed = LodgeResult{ID: id, TrackingCode: FormatTrackingCode(code), Deadline: deadline, RepeatNo: repeat}, true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		res, err = lodgeTx(ctx, tx, audit.ActorOf(p), in, clientHash, p.UserID)
		return err
	})
	return res, replayed, err
}

// lodge writes a new complaint with its audit event.
func (s *Service) lodge(ctx context.Context, actor audit.Actor, in ComplaintInput, clientHash string, by int64) (LodgeResult, error) {
	var res LodgeResult
	err := s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		res, err = lodgeTx(ctx, tx, actor, in, clientHash, by)
		return err
	})
	return res, err
}

// lodgeTx writes a new complaint with its audit event in the caller's transaction.
func lodgeTx(ctx context.Context, tx *db.Tx, actor audit.Actor, in ComplaintInput, clientHash string, by int64) (LodgeResult, error) {
	deadline, err := AddWorkdays(db.Date(tx.Now), DefaultComplaintDays)
	if err != nil {
		return LodgeResult{}, err
	}
	id, code, repeat, err := insertComplaint(ctx, tx, newComplaint{in: in, clientHash: clientHash, createdBy: by,
		department: categoryDepartment[in.Category], deadline: deadline})
	if err != nil {
		return LodgeResult{}, err
	}
	c, err := getComplaint(ctx, tx, id)
	if err != nil {
		return LodgeResult{}, err
	}
	c.finish(db.Date(tx.Now))
	err = audit.Record(ctx, tx, actor, audit.Change{Action: "complaint.lodge", EntityType: "complaint",
		EntityID: strconv.FormatInt(id, 10), RegionCode: in.RegionCode, After: complaintAudit(c)})
	return LodgeResult{ID: id, TrackingCode: FormatTrackingCode(code), Deadline: deadline, RepeatNo: repeat}, err
}

// complaintRegionExists checks that the region is in the tree (and, for the public, a town or
// a village: the level a villager knows).
func complaintRegionExists(ctx context.Context, q db.Queryer, code string, public bool) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Missing("region_code", "区划不存在")
	}
	if lv := regioncode.LevelOf(code); public && lv != regioncode.Village && lv != regioncode.Town {
		return errs.Field("region_code", "请选择所在的乡镇或村")
	}
	return nil
}

// complaintRegion resolves a list's region (default: the caller's scope) and checks it.
func complaintRegion(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, code string) (string, error) {
	if code == "" && p != nil {
		code = p.Scope
		if p.Root && code == "" {
			_ = q.QueryRowContext(ctx, `SELECT code FROM regions WHERE parent_code IS NULL OR parent_code = '' ORDER BY code LIMIT 1`).Scan(&code)
		}
	}
	if !regioncode.Valid(code) {
		return "", errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(action, code); err != nil {
		return "", err
	}
	return code, nil
}

// Complaints pages through the complaints under a region, newest first.
func (s *Service) Complaints(ctx context.Context, p *auth.Principal, f ComplaintFilter) ([]ComplaintRow, error) {
	q := s.DB.Reader()
	r, err := complaintRegion(ctx, q, p, auth.ComplaintRead, f.Region)
	if err != nil {
		return nil, err
	}
	f.Region = r
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return listComplaints(ctx, q, p, f, db.Date(s.DB.Clock()))
}

// ComplaintStats are the figures of the complaint desk for a filter (paging ignored).
type ComplaintStats struct {
	Total      int64            `json:"total"`
	Pending    int64            `json:"pending"`
	Overdue    int64            `json:"overdue"`
	ByStatus   map[string]int64 `json:"by_status"`
	ByCategory map[string]int64 `json:"by_category"`
	// Repeat counts second and later complaints on a matter (重复举报).
	Repeat int64 `json:"repeat"`
	// Rated counts complaints the complainant rated; SatisfiedRate is (satisfied + basically
	// satisfied) / rated, 0 when none was rated.
	Rated         int64   `json:"rated"`
	SatisfiedRate float64 `json:"satisfied_rate"`
}

// ComplaintStatistics counts the complaints a list filter selects.
func (s *Service) ComplaintStatistics(ctx context.Context, p *auth.Principal, f ComplaintFilter) (ComplaintStats, error) {
	q := s.DB.Reader()
	st := ComplaintStats{ByStatus: map[string]int64{}, ByCategory: map[string]int64{}}
	for _, x := range complaintStatuses {
		st.ByStatus[x] = 0
	}
	for k := range ComplaintCategories {
		st.ByCategory[k] = 0
	}
	r, err := complaintRegion(ctx, q, p, auth.ComplaintRead, f.Region)
	if err != nil {
		return st, err
	}
	f.Region = r
	if err := f.check(); err != nil {
		return st, err
	}
	groups, err := complaintGroups(ctx, q, p, f, db.Date(s.DB.Clock()))
	if err != nil {
		return st, err
	}
	var satisfied int64
	for _, g := range groups {
		st.Total += g.n
		st.ByStatus[g.status] += g.n
		st.ByCategory[g.category] += g.n
		if pendingComplaint(g.status) {
			st.Pending += g.n
		}
		if g.overdue {
			st.Overdue += g.n
		}
		if g.repeat {
			st.Repeat += g.n
		}
		if g.satisfaction != "" {
			st.Rated += g.n
			if g.satisfaction != "unsatisfied" {
				satisfied += g.n
			}
		}
	}
	if st.Rated > 0 {
		st.SatisfiedRate = float64(satisfied) / float64(st.Rated)
	}
	return st, nil
}

// ComplaintDetail is one complaint with the complainant's details in full, the other
// complaints on the same matter, its history and the accountability cases that cite it.
type ComplaintDetail struct {
	ComplaintRow
	SameMatter []ComplaintRow `json:"same_matter"`
	History    []audit.Event  `json:"history"`
	Cases      []CaseRow      `json:"cases"`
}

// Complaint returns one complaint the principal may read (404 outside the scope, like a
// complaint that does not exist).
func (s *Service) Complaint(ctx context.Context, p *auth.Principal, id int64) (ComplaintDetail, error) {
	if err := p.Require(auth.ComplaintRead); err != nil {
		return ComplaintDetail{}, err
	}
	return s.complaintDetail(ctx, s.DB.Reader(), p, id)
}

func (s *Service) complaintDetail(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (ComplaintDetail, error) {
	c, err := getComplaint(ctx, q, id)
	if err != nil {
		return ComplaintDetail{}, err
	}
	if !p.InScope(c.RegionCode) {
		return ComplaintDetail{}, errNoComplaint
	}
	today := db.Date(s.DB.Clock())
	c.finish(today)
	c.ComplainantName, c.ComplainantPhone = c.name, c.phone
	d := ComplaintDetail{ComplaintRow: c, History: []audit.Event{}, Cases: []CaseRow{}}
	lo, hi := "", ""
	if p.Root {
		lo, hi = "0", "9999999999999"
	} else {
		lo, hi = regioncode.Range(p.Scope)
	}
	if d.SameMatter, err = sameMatter(ctx, q, c.matterKey, c.ID, lo, hi, today); err != nil {
		return d, err
	}
	if s.Audit != nil {
		h, err := s.Audit.History(ctx, "complaint", strconv.FormatInt(id, 10), 100)
		if err != nil {
			return d, err
		}
		if h != nil {
			d.History = h
		}
	}
	if p.Can(auth.CaseRead) {
		if d.Cases, err = linkedCases(ctx, q, p, 0, id); err != nil {
			return d, err
		}
	}
	return d, nil
}

// AssignInput routes a complaint to a handling office (a role), optionally to one of its users,
// with the deadline in working days from receipt.
type AssignInput struct {
	Department   string `json:"department"`
	AssigneeID   int64  `json:"assignee_id,omitempty"`
	DeadlineDays int    `json:"deadline_days,omitempty"`
	Version      int64  `json:"version"`
}

// ReplyInput is the answer to the complainant (答复).
type ReplyInput struct {
	Reply   string `json:"reply"`
	Version int64  `json:"version"`
}

// VersionInput carries the version of an action without other input.
type VersionInput struct {
	Version int64 `json:"version"`
}

// ForwardInput sends a complaint about misconduct to the discipline commission (移送纪委监委).
type ForwardInput struct {
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// changeComplaint runs one handling step: the complaint must exist in the caller's scope
// (complaint.handle), carry the version the caller saw, and pass check; apply then updates the
// row and the audit event is written in the same transaction.
func (s *Service) changeComplaint(ctx context.Context, p *auth.Principal, id, version int64, action string,
	step func(tx *db.Tx, c ComplaintRow) (set string, args []any, note map[string]any, err error)) (ComplaintDetail, error) {
	if err := p.Require(auth.ComplaintHandle); err != nil {
		return ComplaintDetail{}, err
	}
	if version <= 0 {
		return ComplaintDetail{}, errs.Field("version", "必填(当前版本号)")
	}
	var out ComplaintDetail
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := getComplaint(ctx, tx, id)
		if err != nil {
			return err
		}
		if !p.InScope(c.RegionCode) {
			return errNoComplaint
		}
		today := db.Date(tx.Now)
		c.finish(today)
		if c.Version != version {
			return errs.E(errs.Conflict, "该举报投诉已被他人修改(版本 %d,您提交的是 %d),请刷新后重试", c.Version, version)
		}
		set, args, note, err := step(tx, c)
		if err != nil {
			return err
		}
		now := db.Time(tx.Now)
		args = append(args, now, id, version)
		res, err := tx.ExecContext(ctx, `UPDATE complaints SET `+set+`, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "该举报投诉已被他人修改,请刷新后重试")
		}
		after, err := getComplaint(ctx, tx, id)
		if err != nil {
			return err
		}
		after.finish(today)
		av := complaintAudit(after)
		for k, v := range note {
			av[k] = v
		}
		if err := record(ctx, tx, p, action, "complaint", id, c.RegionCode, complaintAudit(c), av); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return s.complaintDetail(ctx, s.DB.Reader(), p, id)
}

// AssignComplaint routes a received (or re-routes an assigned) complaint.
func (s *Service) AssignComplaint(ctx context.Context, p *auth.Principal, id int64, in AssignInput) (ComplaintDetail, error) {
	dept := auth.Role(strings.TrimSpace(in.Department))
	if !validComplaintDepartment(dept) {
		return ComplaintDetail{}, errs.Field("department", "应为办理举报投诉的部门角色(poverty_office、village_cadre、civil_affairs、finance、department 或 discipline)")
	}
	if in.DeadlineDays == 0 {
		in.DeadlineDays = DefaultComplaintDays
	}
	if in.DeadlineDays < 1 || in.DeadlineDays > 60 {
		return ComplaintDetail{}, errs.Field("deadline_days", "应为 1 到 60 个工作日")
	}
	return s.changeComplaint(ctx, p, id, in.Version, "complaint.assign", func(tx *db.Tx, c ComplaintRow) (string, []any, map[string]any, error) {
		if !pendingComplaint(c.Status) {
			return "", nil, nil, errs.E(errs.Conflict, "该举报投诉已答复或办结,不能再交办")
		}
		if in.AssigneeID != 0 {
			var role, scope string
			var disabled int
			err := tx.QueryRowContext(ctx, `SELECT role, scope_code, disabled FROM users WHERE id = ?`, in.AssigneeID).Scan(&role, &scope, &disabled)
			if errors.Is(err, sql.ErrNoRows) || err == nil && (disabled != 0 || auth.Role(role) != dept || !regioncode.Within(c.RegionCode, scope)) {
				return "", nil, nil, errs.Missing("assignee_id", "须为该部门在用、管辖范围覆盖该区划的用户")
			}
			if err != nil {
				return "", nil, nil, err
			}
		}
		received := db.Date(db.ParseTime(c.CreatedAt))
		deadline, err := AddWorkdays(received, in.DeadlineDays)
		if err != nil {
			return "", nil, nil, err
		}
		return "status = 'assigned', department = ?, assignee_id = ?, assigned_by = ?, assigned_at = ?, deadline = ?",
			[]any{string(dept), db.NullID(in.AssigneeID), db.NullID(p.UserID), db.Time(tx.Now), deadline},
			map[string]any{"deadline_days": in.DeadlineDays}, nil
	})
}

// ReplyComplaint answers an assigned complaint; the complainant reads the reply by the code.
func (s *Service) ReplyComplaint(ctx context.Context, p *auth.Principal, id int64, in ReplyInput) (ComplaintDetail, error) {
	in.Reply = strings.TrimSpace(in.Reply)
	v := errs.Validation{}
	checkText(v, "reply", in.Reply, 4, maxReply)
	if err := v.Err(); err != nil {
		return ComplaintDetail{}, err
	}
	return s.changeComplaint(ctx, p, id, in.Version, "complaint.reply", func(tx *db.Tx, c ComplaintRow) (string, []any, map[string]any, error) {
		if c.Status != ComplaintAssigned {
			return "", nil, nil, errs.E(errs.Conflict, "只有已交办的举报投诉可以答复(当前状态 %s)", c.Status)
		}
		return "status = 'replied', reply = ?, replied_by = ?, replied_at = ?", []any{in.Reply, db.NullID(p.UserID), db.Time(tx.Now)},
			map[string]any{"reply": in.Reply}, nil
	})
}

// CloseComplaint closes a replied complaint (办结).
func (s *Service) CloseComplaint(ctx context.Context, p *auth.Principal, id int64, in VersionInput) (ComplaintDetail, error) {
	return s.changeComplaint(ctx, p, id, in.Version, "complaint.close", func(tx *db.Tx, c ComplaintRow) (string, []any, map[string]any, error) {
		if c.Status != ComplaintReplied {
			return "", nil, nil, errs.E(errs.Conflict, "只有已答复的举报投诉可以办结(当前状态 %s)", c.Status)
		}
		return "status = 'closed', closed_at = ?", []any{db.Time(tx.Now)}, nil, nil
	})
}

// ForwardComplaint marks a complaint as concerning misconduct and forwards it to the discipline
// commission, whose users find it with misconduct=1. Once only.
func (s *Service) ForwardComplaint(ctx context.Context, p *auth.Principal, id int64, in ForwardInput) (ComplaintDetail, error) {
	in.Note = strings.TrimSpace(in.Note)
	v := errs.Validation{}
	checkText(v, "note", in.Note, 2, maxContent)
	if err := v.Err(); err != nil {
		return ComplaintDetail{}, err
	}
	return s.changeComplaint(ctx, p, id, in.Version, "complaint.forward", func(tx *db.Tx, c ComplaintRow) (string, []any, map[string]any, error) {
		if c.Misconduct {
			return "", nil, nil, errs.E(errs.Conflict, "该举报投诉已移送纪委监委")
		}
		return "misconduct = 1, forwarded_at = ?, forwarded_by = ?", []any{db.Time(tx.Now), db.NullID(p.UserID)},
			map[string]any{"note": in.Note}, nil
	})
}
