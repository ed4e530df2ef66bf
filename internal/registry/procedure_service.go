package registry

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

var kindLabel = map[ProcKind]string{ProcRegistration: "纳入", ProcExit: "脱贫退出", ProcRemoval: "核销", ProcReturn: "返贫纳入"}
var statusLabel = map[Status]string{Applying: "申请纳入", Registered: "在档", Exited: "已脱贫", Removed: "已核销"}

// Start begins an exit, removal or return (or a fresh registration of an applying household
// whose earlier one was rejected).
func (s *Service) Start(ctx context.Context, p *auth.Principal, householdID int64, kind ProcKind, reason string) (Procedure, error) {
	var out Procedure
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.visible(ctx, tx, p, auth.ProcedureStart, householdID)
		if err != nil {
			return err
		}
		id, err := s.start(ctx, tx, p, h.ID, kind, reason)
		if err != nil {
			return err
		}
		out, err = s.procFor(ctx, tx, p, id)
		return err
	})
	return out, err
}

func (s *Service) start(ctx context.Context, tx *db.Tx, p *auth.Principal, householdID int64, kind ProcKind, reason string) (int64, error) {
	if _, ok := kindLabel[kind]; !ok {
		return 0, errs.Field("kind", "应为 registration、exit、removal 或 return")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return 0, errs.Field("reason", "请填写发起理由(不超过 500 字)")
	}
	h, err := getHousehold(ctx, tx, householdID)
	if err != nil {
		return 0, err
	}
	if h.Status != kind.From() {
		return 0, errs.E(errs.Conflict, "该户当前为“%s”,不能发起%s程序(须为“%s”)", statusLabel[h.Status], kindLabel[kind], statusLabel[kind.From()])
	}
	def, err := latestDef(ctx, tx, kind)
	if err != nil {
		return 0, err
	}
	now := db.Time(tx.Now)
	id, err := tx.InsertID(ctx, `INSERT INTO procedures (household_id, region_code, kind, def_version, status, step, step_role, step_level,
		reason, started_by, started_at, updated_at) VALUES (?, ?, ?, ?, 'open', 0, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.ID, h.RegionCode, kind, def.Version, def.Steps[0].Role, def.Steps[0].Level, reason, p.UserID, now, now)
	if errs.CodeOf(err) == errs.Conflict {
		return 0, errs.E(errs.Conflict, "该户已有进行中的程序,须先完成或撤销")
	}
	if err != nil {
		return 0, err
	}
	return id, s.record(ctx, tx, p, "procedure.start", h.ID, h.RegionCode, nil,
		map[string]any{"procedure_id": id, "kind": kind, "version": def.Version, "reason": reason})
}

// Procedure returns one procedure the principal may read, with what they may do now.
func (s *Service) Procedure(ctx context.Context, p *auth.Principal, id int64) (Procedure, error) {
	return s.procFor(ctx, s.DB.Reader(), p, id)
}

func (s *Service) procFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Procedure, error) {
	pr, err := getProc(ctx, q, id)
	if err != nil {
		return pr, err
	}
	if !p.InScope(pr.RegionCode) {
		return Procedure{}, errNoProc
	}
	if err := p.RequireIn(auth.HouseholdRead, pr.RegionCode); err != nil {
		return Procedure{}, err
	}
	s.annotate(p, &pr)
	return pr, nil
}

func (s *Service) annotate(p *auth.Principal, pr *Procedure) {
	now := s.DB.Clock()
	pr.Blocked = blockedReason(pr, now)
	if st, ok := pr.Current(); ok {
		pr.CanSign = CanSign(p, st, pr.RegionCode) == nil
	}
}

func (s *Service) proceduresOf(ctx context.Context, q db.Queryer, p *auth.Principal, householdID int64) ([]Procedure, error) {
	list, err := listProcs(ctx, q, ProcFilter{Region: p.Scope, Household: householdID, Limit: 100})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if err := loadProcDetail(ctx, q, &list[i]); err != nil {
			return nil, err
		}
		s.annotate(p, &list[i])
	}
	return list, nil
}

// Procedures lists procedures in scope; with f.Inbox, those waiting for the principal ("待我签字").
func (s *Service) Procedures(ctx context.Context, p *auth.Principal, f ProcFilter) ([]Procedure, error) {
	if f.Region == "" {
		f.Region = p.Scope
	}
	if !regioncode.Valid(f.Region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, f.Region); err != nil {
		return nil, err
	}
	if f.Kind != "" && kindLabel[f.Kind] == "" {
		return nil, errs.Field("kind", "应为 registration、exit、removal 或 return")
	}
	switch f.Status {
	case "", ProcOpen, ProcDone, ProcCancelled:
	default:
		return nil, errs.Field("status", "应为 open、done 或 cancelled")
	}
	f.Role, f.Level = string(p.Role), regioncode.LevelOf(p.Scope)
	list, err := listProcs(ctx, s.DB.Reader(), f)
	for i := range list {
		if st, ok := list[i].Current(); ok {
			list[i].CanSign = CanSign(p, st, list[i].RegionCode) == nil
			if list[i].CanSign && st.Role == auth.Helper && err == nil {
				list[i].CanSign, err = isCurrentHelper(ctx, s.DB.Reader(), p.UserID, list[i].HouseholdID)
			}
		}
	}
	return list, err
}

// Sign signs (approves) or rejects the current step. The last approval carries out the
// transition on the household in the same transaction.
func (s *Service) Sign(ctx context.Context, p *auth.Principal, id int64, in SignInput) (Procedure, error) {
	var out Procedure
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := s.procFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		st, ok := pr.Current()
		if !ok {
			return errs.E(errs.Conflict, "该程序已结束")
		}
		if err := CanSign(p, st, pr.RegionCode); err != nil {
			return err
		}
		if st.Role == auth.Helper && !p.Root {
			if ok, err := isCurrentHelper(ctx, tx, p.UserID, pr.HouseholdID); err != nil {
				return err
			} else if !ok {
				return errs.E(errs.Forbidden, "当前步骤“%s”须由该户的帮扶责任人本人签字", st.Label)
			}
		}
		in.Opinion = strings.TrimSpace(in.Opinion)
		if len([]rune(in.Opinion)) > 2000 {
			return errs.Field("opinion", "意见不超过 2000 字")
		}
		if in.AttachmentID != nil {
			if _, err := s.attachmentFor(ctx, tx, p, *in.AttachmentID); err != nil {
				return errs.Field("attachment_id", "附件不存在或无权使用")
			}
		}
		step, done, cancelled, err := next(&pr, in, tx.Now)
		if err != nil {
			return err
		}
		if in.Opinion == "" {
			in.Opinion = "同意"
		}
		var back any
		if in.Decision == Reject && !cancelled {
			back = step
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO procedure_signatures (procedure_id, step, step_key, decision, opinion, back_to,
			user_id, user_name, role, attachment_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			pr.ID, pr.Step, st.Key, in.Decision, in.Opinion, back, p.UserID, p.Name, p.Role, in.AttachmentID, db.Time(tx.Now)); err != nil {
			return err
		}
		status := ProcOpen
		switch {
		case done:
			status = ProcDone
		case cancelled:
			status = ProcCancelled
		}
		if err := moveProc(ctx, tx, &pr, step, status); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "procedure.sign", pr.HouseholdID, pr.RegionCode,
			map[string]any{"procedure_id": pr.ID, "step": pr.Step, "step_key": st.Key},
			map[string]any{"procedure_id": pr.ID, "decision": in.Decision, "opinion": in.Opinion, "next_step": step, "status": status,
				"attachment_id": in.AttachmentID}); err != nil {
			return err
		}
		if done {
			if err := s.complete(ctx, tx, p, pr); err != nil {
				return err
			}
		}
		out, err = s.procFor(ctx, tx, p, id)
		return err
	})
	return out, err
}

// complete carries out the procedure's transition on the household.
func (s *Service) complete(ctx context.Context, tx *db.Tx, p *auth.Principal, pr Procedure) error {
	h, err := getHousehold(ctx, tx, pr.HouseholdID)
	if err != nil {
		return err
	}
	if h.Status != pr.Kind.From() { // changed underneath (an import): refuse rather than guess
		return errs.E(errs.Conflict, "该户状态已变为“%s”,程序不能完成", statusLabel[h.Status])
	}
	today := db.Date(tx.Now)
	set := map[string]any{}
	switch pr.Kind {
	case ProcRegistration:
		set["registered_on"] = today
	case ProcExit:
		set["exited_on"] = today
		set["policy_until"] = tx.Now.In(shanghai).AddDate(2, 0, 0).Format(db.DateLayout)
	case ProcRemoval:
		set["removed_on"] = today
		// A removed household holds nobody: its members' ID numbers are free again.
		if _, err := tx.ExecContext(ctx, `UPDATE members SET active = 0, left_on = ?, left_reason = '农户核销', updated_at = ?
			WHERE household_id = ? AND active = 1`, today, db.Time(tx.Now), h.ID); err != nil {
			return err
		}
	case ProcReturn:
		set["returns"] = true
		set["policy_until"] = nil
	}
	if err := setStatus(ctx, tx, h.ID, pr.Kind.To(), set); err != nil {
		return err
	}
	if pr.Kind == ProcRemoval {
		if err := refreshHousehold(ctx, tx, h.ID); err != nil {
			return err
		}
	}
	after, err := getHousehold(ctx, tx, h.ID)
	if err != nil {
		return err
	}
	return s.record(ctx, tx, p, "household.status", h.ID, h.RegionCode,
		map[string]any{"status": h.Status, "exited_on": h.ExitedOn, "policy_until": h.PolicyUntil},
		map[string]any{"status": after.Status, "procedure_id": pr.ID, "registered_on": after.RegisteredOn, "exited_on": after.ExitedOn,
			"policy_until": after.PolicyUntil, "removed_on": after.RemovedOn, "returns": after.Returns})
}

// Publish posts the publicity notice (公示) of the current step; the step cannot be approved
// until the period has run and every objection is answered.
func (s *Service) Publish(ctx context.Context, p *auth.Principal, id int64, title, body string) (Notice, error) {
	var n Notice
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := s.procFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		st, ok := pr.Current()
		if !ok || st.PublicityDays == 0 {
			return errs.E(errs.Conflict, "当前步骤无需公示")
		}
		if err := CanSign(p, st, pr.RegionCode); err != nil {
			return err
		}
		if currentNotice(&pr) != nil {
			return errs.E(errs.Conflict, "本步骤的公示已发布")
		}
		title, body = strings.TrimSpace(title), strings.TrimSpace(body)
		if title == "" {
			title = "关于" + pr.HeadName + "户(" + pr.HouseholdNo + ")" + kindLabel[pr.Kind] + "的公示"
		}
		if body == "" {
			body = "经" + st.Label + ",拟对" + pr.RegionName + pr.HeadName + "户办理" + kindLabel[pr.Kind] +
				"。公示期 " + strconv.Itoa(st.PublicityDays) + " 天,如有异议,请在公示期内向村委会或乡镇反映。"
		}
		if len([]rune(title)) > 200 || len([]rune(body)) > 5000 {
			return errs.Field("body", "标题不超过 200 字,正文不超过 5000 字")
		}
		ends := tx.Now.Add(time.Duration(st.PublicityDays) * 24 * time.Hour)
		n = Notice{ProcedureID: pr.ID, Step: pr.Step, RegionCode: pr.RegionCode, Title: title, Body: body,
			StartsAt: db.Time(tx.Now), EndsAt: db.Time(ends), CreatedBy: p.UserID}
		n.ID, err = tx.InsertID(ctx, `INSERT INTO publicity_notices (procedure_id, step, region_code, title, body, starts_at, ends_at,
			created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.ProcedureID, n.Step, n.RegionCode, n.Title, n.Body, n.StartsAt, n.EndsAt, n.CreatedBy, n.StartsAt)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, p, "procedure.publish", pr.HouseholdID, pr.RegionCode, nil,
			map[string]any{"procedure_id": pr.ID, "notice_id": n.ID, "title": title, "ends_at": n.EndsAt})
	})
	return n, err
}

// Object records an objection (异议) against the current notice.
func (s *Service) Object(ctx context.Context, p *auth.Principal, id int64, content, contact string) (Objection, error) {
	var o Objection
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := s.procFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.ObjectionLodge, pr.RegionCode); err != nil {
			return err
		}
		n := currentNotice(&pr)
		if n == nil {
			return errs.E(errs.Conflict, "当前没有公示中的事项")
		}
		content, contact = strings.TrimSpace(content), strings.TrimSpace(contact)
		if content == "" || len([]rune(content)) > 2000 {
			return errs.Field("content", "请填写异议内容(不超过 2000 字)")
		}
		if len([]rune(contact)) > 100 {
			return errs.Field("contact", "联系方式不超过 100 字")
		}
		o = Objection{NoticeID: n.ID, ProcedureID: pr.ID, Content: content, Contact: contact, LodgedBy: p.UserID, LodgedAt: db.Time(tx.Now)}
		o.ID, err = tx.InsertID(ctx, `INSERT INTO objections (notice_id, procedure_id, region_code, content, contact, lodged_by, lodged_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, o.NoticeID, o.ProcedureID, pr.RegionCode, content, contact, p.UserID, o.LodgedAt)
		if err != nil {
			return err
		}
		// The contact may be a phone number: the trail keeps the objection, not the contact.
		return s.record(ctx, tx, p, "procedure.objection", pr.HouseholdID, pr.RegionCode, nil,
			map[string]any{"procedure_id": pr.ID, "objection_id": o.ID, "content": content})
	})
	return o, err
}

// Answer answers an objection, which unblocks the step once all are answered.
func (s *Service) Answer(ctx context.Context, p *auth.Principal, objectionID int64, answer string) (Objection, error) {
	var o Objection
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var procID int64
		var answered string
		err := tx.QueryRowContext(ctx, `SELECT procedure_id, COALESCE(answered_at, '') FROM objections WHERE id = ?`, objectionID).Scan(&procID, &answered)
		if err != nil {
			return errs.E(errs.NotFound, "异议不存在")
		}
		pr, err := s.procFor(ctx, tx, p, procID)
		if err != nil {
			return errs.E(errs.NotFound, "异议不存在")
		}
		// The village committee or the office answers, not the helper who signs a step.
		if err := p.RequireIn(auth.HouseholdWrite, pr.RegionCode); err != nil {
			return err
		}
		if answered != "" {
			return errs.E(errs.Conflict, "该异议已答复")
		}
		answer = strings.TrimSpace(answer)
		if answer == "" || len([]rune(answer)) > 2000 {
			return errs.Field("answer", "请填写答复(不超过 2000 字)")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objections SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?`,
			answer, p.UserID, db.Time(tx.Now), objectionID); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "procedure.answer", pr.HouseholdID, pr.RegionCode, nil,
			map[string]any{"procedure_id": pr.ID, "objection_id": objectionID, "answer": answer}); err != nil {
			return err
		}
		pr, err = s.procFor(ctx, tx, p, procID)
		if err != nil {
			return err
		}
		for _, x := range pr.Objections {
			if x.ID == objectionID {
				o = x
			}
		}
		return nil
	})
	return o, err
}

// Cancel withdraws an open procedure (撤销) with a reason; the household stays as it was.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id int64, reason string) (Procedure, error) {
	var out Procedure
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pr, err := s.procFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.ProcedureStart, pr.RegionCode); err != nil {
			return err
		}
		if pr.Status != ProcOpen {
			return errs.E(errs.Conflict, "该程序已结束")
		}
		if reason = strings.TrimSpace(reason); reason == "" {
			return errs.Field("reason", "请填写撤销理由")
		}
		if err := moveProc(ctx, tx, &pr, pr.Step, ProcCancelled); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "procedure.cancel", pr.HouseholdID, pr.RegionCode, map[string]any{"procedure_id": pr.ID, "status": "open"},
			map[string]any{"procedure_id": pr.ID, "status": "cancelled", "reason": reason}); err != nil {
			return err
		}
		out, err = s.procFor(ctx, tx, p, id)
		return err
	})
	return out, err
}

// Definitions returns the newest chain of every kind.
func (s *Service) Definitions(ctx context.Context) ([]Definition, error) {
	out := []Definition{}
	for _, d := range DefaultDefinitions() {
		got, err := readDef(ctx, s.DB.Reader(), d.Kind, 0)
		if errs.CodeOf(err) == errs.NotFound {
			got, err = d, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, got)
	}
	return out, nil
}

// Define stores a new version of a chain; running procedures keep theirs.
func (s *Service) Define(ctx context.Context, p *auth.Principal, kind ProcKind, steps []Step) (Definition, error) {
	d := Definition{Kind: kind, Steps: steps}
	if err := p.Require(auth.ProcedureDefine); err != nil {
		return d, err
	}
	// The chains are the city's: a county administrator may not change them for everyone.
	if l := regioncode.LevelOf(p.Scope); !p.Root && l != regioncode.City && l != regioncode.Province {
		return d, errs.E(errs.Forbidden, "程序定义须由市级管理员修改")
	}
	if err := d.Validate(); err != nil {
		return d, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		old, err := latestDef(ctx, tx, kind)
		if err != nil {
			return err
		}
		d.Version = old.Version + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO procedure_defs (kind, version, steps_json, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			kind, d.Version, StepsJSON(steps), p.UserID, db.Time(tx.Now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "procedure.define", EntityType: "procedure_def",
			EntityID: string(kind), RegionCode: p.Scope, Before: old, After: d})
	})
	return d, err
}

// currentNotice is the notice published for the current step since the procedure reached it
// (a notice from before a rejection sent it back does not count).
func currentNotice(p *Procedure) *Notice {
	since := p.StartedAt
	if k := len(p.Signatures); k > 0 {
		since = p.Signatures[k-1].At
	}
	var n *Notice
	for i := range p.Notices {
		if p.Notices[i].Step == p.Step && p.Notices[i].StartsAt >= since {
			n = &p.Notices[i]
		}
	}
	return n
}
