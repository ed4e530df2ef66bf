package giving

import (
	"context"
	"fmt"
	"slices"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
)

// cleanDonation validates the shape of a donation's input.
type donationFor struct {
	kind, goods, received, purpose string
	amount, value, quantity        int64
}

func cleanDonation(v errs.Validation, in DonationInput, today string) donationFor {
	d := donationFor{kind: in.Kind}
	if !slices.Contains(DonationKinds, in.Kind) {
		v.Add("kind", "捐赠类型应为 money(资金)或 goods(物资)")
	}
	if in.DonorID <= 0 {
		v.Add("donor_id", "请选择捐赠人")
	}
	switch in.Kind {
	case "money":
		d.amount = yuan(v, "amount_yuan", in.AmountYuan, true, false)
		if in.Goods != "" || in.Quantity != 0 || in.ValueYuan != "" {
			v.Add("goods", "资金捐赠不填物资、数量和估值")
		}
	case "goods":
		d.goods = text(v, "goods", in.Goods, true, MaxGoods)
		if in.Quantity <= 0 || in.Quantity > MaxQuantity {
			v.Add("quantity", fmt.Sprintf("数量应为 1 到 %d", MaxQuantity))
		}
		d.quantity = in.Quantity
		d.value = yuan(v, "value_yuan", in.ValueYuan, false, true)
		if in.AmountYuan != "" {
			v.Add("amount_yuan", "物资捐赠请填估值 value_yuan")
		}
	}
	d.received = date(v, "received_on", in.ReceivedOn)
	if in.ReceivedOn == "" {
		d.received = today
	} else if d.received > today {
		v.Add("received_on", "接收日期不能晚于今天")
	}
	d.purpose = text(v, "purpose", in.Purpose, false, MaxPurpose)
	return d
}

// CreateDonation records a donation received and its receipt. A money donation enters the
// ledger in the same transaction: its own fund (funds.DonationFund, JZ-<receipt>) allocated to
// the receiving region's account, from where Disburse pays households. The answer carries the
// donor's 查询码 once; only its keyed hash is stored.
func (s *Service) CreateDonation(ctx context.Context, p *auth.Principal, in DonationInput) (Donation, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Donation{}, err
	}
	s.init()
	if err := outOfScope(p, in.RegionCode); err != nil {
		return Donation{}, err
	}
	today := s.today()
	v := errs.Validation{}
	d := cleanDonation(v, in, today)
	secret, err := s.SelfQuery.InstallSecret(ctx)
	if err != nil {
		return Donation{}, err
	}
	key, err := newQueryKey()
	if err != nil {
		return Donation{}, err
	}
	var out Donation
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var donor Donor
		if in.DonorID > 0 {
			var err error
			if donor, err = getDonor(ctx, tx, p, in.DonorID); err != nil {
				return errs.Missing("donor_id", "捐赠人不存在")
			}
		}
		reg := in.RegionCode
		needID := in.NeedID
		var pledge Pledge
		if in.PledgeID != nil {
			var err error
			if pledge, err = getPledge(ctx, tx, p, *in.PledgeID); err != nil {
				return errs.Missing("pledge_id", "认捐不存在")
			}
			switch {
			case pledge.Status != "pledged":
				v.Add("pledge_id", "该认捐已兑现或已取消")
			case pledge.DonorID != in.DonorID:
				v.Add("pledge_id", "认捐人与捐赠人不一致")
			case pledge.Kind != in.Kind:
				v.Add("kind", "与认捐类型不一致")
			}
			if needID == nil {
				needID = pledge.NeedID
			} else if pledge.NeedID != nil && *pledge.NeedID != *needID {
				v.Add("need_id", "与认捐的心愿不一致")
			}
			if reg == "" && needID == nil {
				reg = pledge.RegionCode
			}
		}
		if needID != nil {
			n, err := getNeed(ctx, tx, p, *needID)
			if err != nil {
				return errs.Missing("need_id", "微心愿不存在")
			}
			if reg != "" && reg != n.RegionCode {
				v.Add("region_code", "与心愿所在村不一致")
			}
			checkNeedFor(v, n, in.Kind)
			reg = n.RegionCode
		}
		var level string
		if reg == "" {
			v.Add("region_code", "请填写受捐区划(县、镇或村)")
		} else {
			var err error
			if _, level, err = region(ctx, tx, "region_code", reg); err != nil {
				return err
			}
			if level != "county" && level != "town" && level != "village" {
				v.Add("region_code", "受捐区划应为县、镇或村")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, reg); err != nil {
			return err
		}
		n, err := nextNumber(ctx, tx, "receipt:"+d.received[:4])
		if err != nil {
			return err
		}
		receipt := fmt.Sprintf("JZ%s-%06d", d.received[:4], n)
		var fundID, acct, item any
		if d.kind == "money" {
			fund, err := funds.DonationFund(ctx, tx, p.UserID, funds.DonationFundInput{ReceiptNo: receipt, DonorName: donor.PublicName,
				AmountFen: d.amount, RegionCode: reg, ReceivedOn: d.received, Deadline: addDays(d.received, DisburseDays), Purpose: d.purpose})
			if err != nil {
				return err
			}
			to, err := funds.DonationAccount(ctx, tx, p.UserID, reg)
			if err != nil {
				return err
			}
			post := funds.NewPoster(ctx, tx, p.UserID)
			if err := post.Post(funds.Posting{FundID: fund.FundID, From: fund.SourceAccount, To: to, AmountFen: d.amount, OnDate: d.received,
				Kind: "allocate", DocNo: receipt, Purpose: "社会捐赠资金入账"}); err != nil {
				return err
			}
			if _, err := post.Flush(); err != nil {
				return err
			}
			fundID, acct, item = fund.FundID, to, fund.ItemID
		}
		var pledgeID, need any
		if in.PledgeID != nil {
			pledgeID = *in.PledgeID
		}
		if needID != nil {
			need = *needID
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO giving_donations (receipt_no, donor_id, kind, region_code, need_id, pledge_id, amount_fen, goods,
			quantity, value_fen, received_on, purpose, fund_id, account_id, item_id, key_hash, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			receipt, in.DonorID, d.kind, reg, need, pledgeID, d.amount, d.goods, d.quantity, d.value, d.received, d.purpose, fundID, acct, item,
			keyHash(secret, receipt, key), p.UserID, now, now)
		if err != nil {
			return err
		}
		if in.PledgeID != nil {
			res, err := tx.ExecContext(ctx, `UPDATE giving_pledges SET status = 'fulfilled', donation_id = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND status = 'pledged'`, id, now, *in.PledgeID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return errStale
			}
		}
		if needID != nil {
			if err := refreshNeed(ctx, tx, *needID, d.received); err != nil {
				return err
			}
		}
		row, err := getDonation(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		out = row.Donation
		return record(ctx, tx, p, "giving.donation.create", "giving_donation", id, reg, nil, out)
	})
	if err != nil {
		return Donation{}, err
	}
	s.changed()
	out.QueryKey = key
	return out, nil
}

// Donation reads a donation with the households it reached (console: full names, household
// and transfer ids).
func (s *Service) Donation(ctx context.Context, p *auth.Principal, id int64) (DonationTrace, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return DonationTrace{}, err
	}
	return consoleTrace(ctx, s.DB.Reader(), p, id)
}

func consoleTrace(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (DonationTrace, error) {
	d, err := getDonation(ctx, q, p, id)
	if err != nil {
		return DonationTrace{}, err
	}
	reached, deliveries, err := trace(ctx, q, id)
	return DonationTrace{Donation: d.Donation, Reached: reached, Deliveries: deliveries}, err
}

// Donations lists donations received in the caller's scope, newest first.
func (s *Service) Donations(ctx context.Context, p *auth.Principal, f DonationFilter) ([]Donation, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(DonationKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的捐赠类型")
	}
	conds, args, err := scopeFilter(p, "g.region_code", f.Region)
	if err != nil {
		return nil, err
	}
	if f.Kind != "" {
		conds, args = append(conds, "g.kind = ?"), append(args, f.Kind)
	}
	if f.Donor > 0 {
		conds, args = append(conds, "g.donor_id = ?"), append(args, f.Donor)
	}
	if f.After > 0 {
		conds, args = append(conds, "g.id < ?"), append(args, f.After)
	}
	rows, err := listOf(ctx, s.DB.Reader(), donationSelect+where(conds)+` ORDER BY g.id DESC LIMIT ?`, append(args, limitOf(f.Limit)+1), scanDonation)
	out := make([]Donation, len(rows))
	for i, r := range rows {
		out[i] = r.Donation
	}
	return out, err
}
