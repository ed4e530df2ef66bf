package giving

import (
	"context"
	"fmt"
	"slices"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// MaxNeedDays is how far ahead a need's deadline may lie.
const MaxNeedDays = 366

// CreateNeed publishes a need of a village, usually for one of its registered households.
func (s *Service) CreateNeed(ctx context.Context, p *auth.Principal, in NeedInput) (Need, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Need{}, err
	}
	if err := outOfScope(p, in.RegionCode); err != nil {
		return Need{}, err
	}
	today := s.today()
	v := errs.Validation{}
	if !slices.Contains(NeedKinds, in.Kind) {
		v.Add("kind", "心愿类型应为 money(资金)、goods(物资)或 service(服务)")
	}
	title := text(v, "title", in.Title, true, MaxTitle)
	content := text(v, "content", in.Content, false, MaxContent)
	goods := text(v, "goods", in.Goods, in.Kind == "goods" || in.Kind == "service", MaxGoods)
	target := yuan(v, "target_yuan", in.TargetYuan, in.Kind == "money", in.Kind != "money")
	deadline := date(v, "deadline", in.Deadline)
	switch {
	case in.Deadline == "":
		v.Add("deadline", "必填")
	case deadline != "" && deadline < today:
		v.Add("deadline", "截止日期不能早于今天")
	case deadline != "" && deadline > addDays(today, MaxNeedDays):
		v.Add("deadline", "截止日期不能超过一年")
	}
	if in.HouseholdID != nil && *in.HouseholdID <= 0 {
		v.Add("household_id", "应为正整数")
	}
	var out Need
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, level, err := region(ctx, tx, "region_code", in.RegionCode)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, in.RegionCode); err != nil {
			return err
		}
		if level != "village" {
			v.Add("region_code", "微心愿由村发布,请选择村")
		}
		if in.HouseholdID != nil && *in.HouseholdID > 0 {
			h, ok, err := loadHousehold(ctx, tx, *in.HouseholdID)
			switch {
			case err != nil:
				return err
			case !ok || !p.InScope(h.region):
				v.Add("household_id", "农户不存在")
			case h.region != in.RegionCode:
				v.Add("household_id", "农户不在该村")
			case h.status != "registered":
				v.Add("household_id", "农户不是在档户,不能为其发布心愿")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		n, err := nextNumber(ctx, tx, "need:"+in.RegionCode)
		if err != nil {
			return err
		}
		var hh any
		if in.HouseholdID != nil {
			hh = *in.HouseholdID
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO giving_needs (code, region_code, household_id, title, content, kind, target_fen, goods, status,
			published_on, deadline, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id`,
			fmt.Sprintf("XY-%s-%d", in.RegionCode, n), in.RegionCode, hh, title, content, in.Kind, target, goods, today, deadline, p.UserID, now, now)
		if err != nil {
			return err
		}
		if out, err = getNeed(ctx, tx, nil, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "giving.need.create", "giving_need", id, in.RegionCode, nil, out)
	})
	s.changed()
	return out, err
}

// Need reads a need in the caller's scope.
func (s *Service) Need(ctx context.Context, p *auth.Principal, id int64) (Need, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return Need{}, err
	}
	return getNeed(ctx, s.DB.Reader(), p, id)
}

// Needs lists needs in the caller's scope, newest first.
func (s *Service) Needs(ctx context.Context, p *auth.Principal, f NeedFilter) ([]Need, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(NeedStatuses, f.Status) {
		return nil, errs.Field("status", "未知的状态")
	}
	if f.Kind != "" && !slices.Contains(NeedKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的心愿类型")
	}
	conds, args, err := scopeFilter(p, "n.region_code", f.Region)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		conds, args = append(conds, "n.status = ?"), append(args, f.Status)
	}
	if f.Kind != "" {
		conds, args = append(conds, "n.kind = ?"), append(args, f.Kind)
	}
	if f.After > 0 {
		conds, args = append(conds, "n.id < ?"), append(args, f.After)
	}
	return listOf(ctx, s.DB.Reader(), needSelect+where(conds)+` ORDER BY n.id DESC LIMIT ?`, append(args, limitOf(f.Limit)+1), scanNeed)
}

// CloseNeed withdraws a need that is not fulfilled, with a reason.
func (s *Service) CloseNeed(ctx context.Context, p *auth.Principal, id int64, in ReasonInput) (Need, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Need{}, err
	}
	v := errs.Validation{}
	reason := text(v, "reason", in.Reason, true, MaxReason)
	if in.Version <= 0 {
		v.Add("version", "缺少版本号")
	}
	var out Need
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		n, err := getNeed(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, n.RegionCode); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if n.Status == "fulfilled" || n.Status == "closed" {
			return errs.E(errs.Conflict, "该心愿已%s,不能关闭", map[string]string{"fulfilled": "实现", "closed": "关闭"}[n.Status])
		}
		res, err := tx.ExecContext(ctx, `UPDATE giving_needs SET status = 'closed', close_reason = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, reason, db.Time(tx.Now), id, in.Version)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return errStale
		}
		if out, err = getNeed(ctx, tx, nil, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "giving.need.close", "giving_need", id, n.RegionCode, map[string]any{"status": n.Status, "version": n.Version}, out)
	})
	s.changed()
	return out, err
}

// refreshNeed moves a need along after a pledge, donation, disbursement or delivery: fulfilled
// (with its pledges) when what reached the household covers the target or a goods donation
// for it is wholly delivered; otherwise pledged while anyone has pledged or given, else open.
// A closed or fulfilled need stays as it is.
func refreshNeed(ctx context.Context, tx *db.Tx, id int64, on string) error {
	n, err := getNeed(ctx, tx, nil, id)
	if err != nil || n.Status == "closed" || n.Status == "fulfilled" {
		return err
	}
	fulfilled := n.TargetFen > 0 && n.DonatedFen >= n.TargetFen
	if !fulfilled && n.Kind != "money" {
		var k int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM giving_donations g WHERE g.need_id = ? AND g.kind = 'goods' AND g.quantity > 0
			AND (SELECT COALESCE(SUM(y.quantity), 0) FROM giving_deliveries y WHERE y.donation_id = g.id) >= g.quantity`, id).Scan(&k); err != nil {
			return err
		}
		fulfilled = k > 0
	}
	now := db.Time(tx.Now)
	status := "open"
	if fulfilled {
		if _, err := tx.ExecContext(ctx, `UPDATE giving_pledges SET status = 'fulfilled', version = version + 1, updated_at = ?
			WHERE need_id = ? AND status = 'pledged'`, now, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE giving_needs SET status = 'fulfilled', fulfilled_on = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			on, now, id)
		return err
	}
	var k int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM giving_pledges WHERE need_id = ? AND status <> 'cancelled')
		+ (SELECT COUNT(*) FROM giving_donations WHERE need_id = ?)`, id, id).Scan(&k); err != nil {
		return err
	}
	if k > 0 {
		status = "pledged"
	}
	if status == n.Status {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE giving_needs SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`, status, now, id)
	return err
}
