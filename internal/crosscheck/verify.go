package crosscheck

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/registry"
)

// DefaultDeadlineDays is how long a village has to verify a dispatched doubt (核查时限).
const DefaultDeadlineDays = 15

// DispatchInput sends a doubt for field verification.
type DispatchInput struct {
	// DeadlineDays from today (Shanghai); 0 = DefaultDeadlineDays. At most 90.
	DeadlineDays int    `json:"deadline_days"`
	Note         string `json:"note"`
	// Version, when non-zero, must be the doubt's current version (optimistic locking).
	Version int64 `json:"version"`
}

// Outcomes of a verification.
const (
	OutcomeConfirmed = StatusConfirmed // the doubt holds: the removal procedure starts
	OutcomeExplained = StatusExplained // a reason and evidence clear it
	OutcomeDataError = StatusDataError // the external data is wrong
)

// OutcomeInput closes a doubt.
type OutcomeInput struct {
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	AttachmentID int64  `json:"attachment_id"`
	Version      int64  `json:"version"`
}

// writableDoubt loads a doubt for a verification write: in scope, the caller allowed to
// verify there, still pending, at the version the caller saw.
func writableDoubt(ctx context.Context, tx *db.Tx, p *auth.Principal, id, version int64) (DoubtDetail, error) {
	d, err := getDoubt(ctx, tx, id)
	if err != nil {
		return d, err
	}
	if !p.InScope(d.RegionCode) {
		return DoubtDetail{}, errNoDoubt
	}
	if err := p.RequireIn(auth.DoubtVerify, d.RegionCode); err != nil {
		return d, err
	}
	if version != 0 && version != d.Version {
		return d, errs.E(errs.Conflict, "疑点已被他人修改(当前版本 %d),请刷新后重试", d.Version)
	}
	if !pendingStatus(d.Status) {
		return d, errs.E(errs.Conflict, "该疑点已核查完毕(%s),不能再修改", statusLabel[d.Status])
	}
	return d, nil
}

var statusLabel = map[string]string{StatusOpen: "待核查", StatusDispatched: "核查中", StatusConfirmed: "属实",
	StatusExplained: "已说明", StatusDataError: "数据错误"}

// Dispatch sends a pending doubt to its village and the household's current helper with a
// deadline. Dispatching again (another deadline, a new helper) is allowed while it is pending.
func (s *Service) Dispatch(ctx context.Context, p *auth.Principal, id int64, in DispatchInput) (DoubtDetail, error) {
	var out DoubtDetail // the answer is read after the commit, with its history
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := writableDoubt(ctx, tx, p, id, in.Version)
		if err != nil {
			return err
		}
		days := in.DeadlineDays
		if days == 0 {
			days = DefaultDeadlineDays
		}
		if days < 1 || days > 90 {
			return errs.Field("deadline_days", "核查时限应为 1 到 90 天")
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > 500 {
			return errs.Field("note", "说明不超过 500 字")
		}
		var helper sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT helper_id FROM assignments WHERE household_id = ? AND to_date IS NULL`, d.HouseholdID).Scan(&helper)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		today, _ := time.Parse(db.DateLayout, db.Date(tx.Now))
		deadline := today.AddDate(0, 0, days).Format(db.DateLayout)
		now := db.Time(tx.Now)
		if _, err := tx.ExecContext(ctx, `UPDATE doubts SET status = 'dispatched', helper_id = ?, dispatched_by = ?, dispatched_at = ?,
			deadline = ?, dispatch_note = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			helper, p.UserID, now, deadline, in.Note, now, id); err != nil {
			return err
		}
		after := map[string]any{"status": StatusDispatched, "deadline": deadline, "note": in.Note, "household_id": d.HouseholdID}
		if helper.Valid {
			after["helper_id"] = helper.Int64
		}
		if err := record(ctx, tx, p, "doubt.dispatch", "doubt", id, d.RegionCode,
			map[string]any{"status": d.Status, "deadline": d.Deadline, "helper_id": d.HelperID}, after); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return s.Doubt(ctx, p, id)
}

// Outcome closes a pending doubt. Confirmed starts the household's removal procedure (核销) in
// the same transaction when the household is registered (an open removal is linked instead);
// explained needs a reason and an evidence attachment; data_error a reason.
func (s *Service) Outcome(ctx context.Context, p *auth.Principal, id int64, in OutcomeInput) (DoubtDetail, error) {
	var out DoubtDetail // the answer is read after the commit, with its history
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := writableDoubt(ctx, tx, p, id, in.Version)
		if err != nil {
			return err
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if in.Reason == "" || len([]rune(in.Reason)) > 1000 {
			return errs.Field("reason", "请填写核查结论的理由(不超过 1000 字)")
		}
		var attachment, procedure any
		switch in.Outcome {
		case OutcomeExplained:
			if in.AttachmentID == 0 {
				return errs.Field("attachment_id", "已说明须附佐证材料:请先上传(POST /api/v1/attachments),再填写附件编号")
			}
			fallthrough
		case OutcomeDataError:
			if in.AttachmentID != 0 {
				if err := usableAttachment(ctx, tx, p, in.AttachmentID); err != nil {
					return err
				}
				attachment = in.AttachmentID
			}
		case OutcomeConfirmed:
			if in.AttachmentID != 0 {
				if err := usableAttachment(ctx, tx, p, in.AttachmentID); err != nil {
					return err
				}
				attachment = in.AttachmentID
			}
			pid, err := s.startRemoval(ctx, tx, p, d, in.Reason)
			if err != nil {
				return err
			}
			if pid != 0 {
				procedure = pid
			}
		default:
			return errs.Field("outcome", "应为 confirmed(属实)、explained(已说明)或 data_error(数据错误)")
		}
		now := db.Time(tx.Now)
		if _, err := tx.ExecContext(ctx, `UPDATE doubts SET status = ?, outcome_reason = ?, attachment_id = ?, procedure_id = ?,
			closed_by = ?, closed_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.Outcome, in.Reason, attachment, procedure, p.UserID, now, now, id); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "doubt.outcome", "doubt", id, d.RegionCode, map[string]any{"status": d.Status},
			map[string]any{"status": in.Outcome, "reason": in.Reason, "attachment_id": attachment, "procedure_id": procedure,
				"household_id": d.HouseholdID}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return s.Doubt(ctx, p, id)
}

// startRemoval starts (or finds) the removal procedure of a confirmed doubt's household. Only
// a registered household is removed; an applying one is stopped by rejecting its registration
// and an exited one has nothing to remove, so they get no procedure (0).
func (s *Service) startRemoval(ctx context.Context, tx *db.Tx, p *auth.Principal, d DoubtDetail, reason string) (int64, error) {
	h, err := household(ctx, tx, p, auth.DoubtVerify, d.HouseholdID)
	if err != nil {
		return 0, err
	}
	if h.Status != "registered" {
		return 0, nil
	}
	var open int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM procedures WHERE household_id = ? AND status = 'open' AND kind = 'removal'`, h.ID).Scan(&open)
	if err == nil {
		return open, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	why := "信息比对疑点核实属实(疑点 " + itoa(d.ID) + "," + d.RuleLabel + "):" + reason
	if r := []rune(why); len(r) > 500 {
		why = string(r[:500])
	}
	pr, err := s.Registry.StartIn(ctx, tx, p, h.ID, registry.ProcRemoval, why)
	if err != nil {
		return 0, err
	}
	return pr.ID, nil
}
