package giving

import (
	"context"
	"slices"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// pledgeFor is a validated pledge ready to insert.
type pledgeFor struct {
	donor                   int64
	need                    *int64
	region, kind, goods     string
	amount                  int64
	pledgedOn, due, channel string
}

// checkNeedFor checks that a pledge or donation of kind may go to need n.
func checkNeedFor(v errs.Validation, n Need, kind string) {
	switch {
	case n.Status == "closed" || n.Status == "fulfilled":
		v.Add("need_id", "该心愿已"+map[string]string{"fulfilled": "实现", "closed": "关闭"}[n.Status]+",不再接受认捐或捐赠")
	case n.Kind == "money" && kind != "money":
		v.Add("kind", "资金类心愿只接受资金")
	case n.Kind != "money" && kind != "goods":
		v.Add("kind", "物资或服务类心愿只接受物资")
	}
}

// insertPledge writes a pledge and moves its need along, in tx.
func insertPledge(ctx context.Context, tx *db.Tx, by int64, pf pledgeFor) (int64, error) {
	now := db.Time(tx.Now)
	var need any
	if pf.need != nil {
		need = *pf.need
	}
	id, err := tx.InsertID(ctx, `INSERT INTO giving_pledges (donor_id, need_id, region_code, kind, amount_fen, goods, status, pledged_on, due_on,
		channel, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pledged', ?, ?, ?, ?, ?, ?) RETURNING id`,
		pf.donor, need, pf.region, pf.kind, pf.amount, pf.goods, pf.pledgedOn, pf.due, pf.channel, by, now, now)
	if err != nil {
		return 0, err
	}
	if pf.need != nil {
		if err := refreshNeed(ctx, tx, *pf.need, pf.pledgedOn); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// CreatePledge records a donor's pledge (认捐) for a need or for a region in general.
func (s *Service) CreatePledge(ctx context.Context, p *auth.Principal, in PledgeInput) (Pledge, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Pledge{}, err
	}
	if err := outOfScope(p, in.RegionCode); err != nil {
		return Pledge{}, err
	}
	today := s.today()
	v := errs.Validation{}
	if !slices.Contains(PledgeKinds, in.Kind) {
		v.Add("kind", "认捐类型应为 money(资金)或 goods(物资)")
	}
	amount := yuan(v, "amount_yuan", in.AmountYuan, in.Kind == "money", in.Kind != "money")
	goods := text(v, "goods", in.Goods, in.Kind == "goods", MaxGoods)
	due := date(v, "due_on", in.DueOn)
	if due != "" && due < today {
		v.Add("due_on", "承诺日期不能早于今天")
	}
	if in.DonorID <= 0 {
		v.Add("donor_id", "请选择捐赠人")
	}
	var out Pledge
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pf := pledgeFor{donor: in.DonorID, kind: in.Kind, goods: goods, amount: amount, pledgedOn: today, due: due, channel: "console", region: in.RegionCode}
		if in.DonorID > 0 {
			if _, err := getDonor(ctx, tx, p, in.DonorID); err != nil {
				return errs.Missing("donor_id", "捐赠人不存在")
			}
		}
		if in.NeedID != nil {
			n, err := getNeed(ctx, tx, p, *in.NeedID)
			if err != nil {
				return errs.Missing("need_id", "微心愿不存在")
			}
			if in.RegionCode != "" && in.RegionCode != n.RegionCode {
				v.Add("region_code", "与心愿所在村不一致")
			}
			checkNeedFor(v, n, in.Kind)
			pf.need, pf.region = in.NeedID, n.RegionCode
		} else if pf.region == "" {
			v.Add("region_code", "未指定心愿时须填写受捐区划")
		} else if _, _, err := region(ctx, tx, "region_code", pf.region); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, pf.region); err != nil {
			return err
		}
		id, err := insertPledge(ctx, tx, p.UserID, pf)
		if err != nil {
			return err
		}
		if out, err = getPledge(ctx, tx, nil, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "giving.pledge.create", "giving_pledge", id, pf.region, nil, out)
	})
	s.changed()
	return out, err
}

// Pledges lists pledges in the caller's scope, newest first.
func (s *Service) Pledges(ctx context.Context, p *auth.Principal, f PledgeFilter) ([]Pledge, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(PledgeStatuses, f.Status) {
		return nil, errs.Field("status", "未知的状态")
	}
	conds, args, err := scopeFilter(p, "p.region_code", f.Region)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		conds, args = append(conds, "p.status = ?"), append(args, f.Status)
	}
	if f.Need > 0 {
		conds, args = append(conds, "p.need_id = ?"), append(args, f.Need)
	}
	if f.After > 0 {
		conds, args = append(conds, "p.id < ?"), append(args, f.After)
	}
	return listOf(ctx, s.DB.Reader(), pledgeSelect+where(conds)+` ORDER BY p.id DESC LIMIT ?`, append(args, limitOf(f.Limit)+1), scanPledge)
}

// CancelPledge withdraws a pledge not yet fulfilled, with a reason; its need goes back to open
// when nothing else is pledged for it.
func (s *Service) CancelPledge(ctx context.Context, p *auth.Principal, id int64, in ReasonInput) (Pledge, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Pledge{}, err
	}
	v := errs.Validation{}
	reason := text(v, "reason", in.Reason, true, MaxReason)
	if in.Version <= 0 {
		v.Add("version", "缺少版本号")
	}
	var out Pledge
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := getPledge(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, pl.RegionCode); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if pl.Status != "pledged" {
			return errs.E(errs.Conflict, "该认捐已%s,不能取消", map[string]string{"fulfilled": "兑现", "cancelled": "取消"}[pl.Status])
		}
		res, err := tx.ExecContext(ctx, `UPDATE giving_pledges SET status = 'cancelled', cancel_reason = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND status = 'pledged'`, reason, db.Time(tx.Now), id, in.Version)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return errStale
		}
		if pl.NeedID != nil {
			if err := refreshNeed(ctx, tx, *pl.NeedID, db.Date(tx.Now)); err != nil {
				return err
			}
		}
		if out, err = getPledge(ctx, tx, nil, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "giving.pledge.cancel", "giving_pledge", id, pl.RegionCode, map[string]any{"status": pl.Status, "version": pl.Version}, out)
	})
	s.changed()
	return out, err
}
