package giving

import (
	"context"
	"fmt"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
)

// Disburse pays a money donation on to household passbooks: every line a ledger payment (item
// JZ) from the account the donation was allocated to, all or none. Each line names a
// registered household with a passbook account in the donation's region (the need's household
// when the donation is for a need), once; the total stays within what is left. The donation's
// version is claimed first, so a concurrent disbursement waits and then finds it stale; the
// ledger's guarded debit would refuse an overdraft anyway.
func (s *Service) Disburse(ctx context.Context, p *auth.Principal, id int64, in DisburseInput) (DonationTrace, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return DonationTrace{}, err
	}
	today := s.today()
	var out DonationTrace
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := getDonation(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, d.RegionCode); err != nil {
			return err
		}
		v := errs.Validation{}
		if in.Version <= 0 {
			v.Add("version", "缺少版本号")
		}
		if len(in.Lines) == 0 {
			v.Add("lines", "请填写发放明细")
		} else if len(in.Lines) > MaxLines {
			v.Add("lines", "发放明细过多(不超过 "+strconv.Itoa(MaxLines)+" 户)")
		}
		on := date(v, "on_date", in.OnDate)
		if in.OnDate == "" {
			on = today
		}
		if on > today {
			v.Add("on_date", "发放日期不能晚于今天")
		} else if on != "" && on < d.ReceivedOn {
			v.Add("on_date", "发放日期不能早于捐赠接收日期 "+d.ReceivedOn)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if d.Kind != "money" || d.FundID == nil || d.AccountID == nil {
			return errs.E(errs.Conflict, "物资捐赠请登记发放记录,不能发放资金")
		}
		// claim the donation: a concurrent disbursement waits here and then finds it stale
		res, err := tx.ExecContext(ctx, `UPDATE giving_donations SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			db.Time(tx.Now), id, in.Version)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return errStale
		}
		var needHH *int64
		if d.NeedID != nil {
			n, err := getNeed(ctx, tx, nil, *d.NeedID)
			if err != nil {
				return err
			}
			needHH = n.HouseholdID
		}
		// what is left, read after the claim so it counts every disbursement committed before
		var paid int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(x.amount_fen), 0) FROM giving_disbursements x WHERE x.donation_id = ?
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.reverses_id = x.transfer_id)`, id).Scan(&paid); err != nil {
			return err
		}
		left := d.AmountFen - paid
		homes := make([]household, len(in.Lines))
		amounts := make([]int64, len(in.Lines))
		seen := map[int64]int{}
		var sum int64
		for i, l := range in.Lines {
			f := "lines[" + strconv.Itoa(i) + "]."
			h, ok, err := loadHousehold(ctx, tx, l.HouseholdID)
			switch {
			case err != nil:
				return err
			case !ok || !p.InScope(h.region):
				v.Add(f+"household_id", fmt.Sprintf("农户 %d 不存在", l.HouseholdID))
			case !regioncode.Within(h.region, d.RegionCode):
				v.Add(f+"household_id", fmt.Sprintf("农户 %d(户主 %s)不在受捐区划 %s 内", l.HouseholdID, h.head, d.RegionName))
			case needHH != nil && *needHH != l.HouseholdID:
				v.Add(f+"household_id", fmt.Sprintf("该捐赠定向用于心愿的农户 %d,不能发放给农户 %d", *needHH, l.HouseholdID))
			case h.status != "registered":
				v.Add(f+"household_id", fmt.Sprintf("农户 %d(户主 %s)不是在档户", l.HouseholdID, h.head))
			case h.accountNo == "" || h.idNumber == "":
				v.Add(f+"household_id", fmt.Sprintf("农户 %d(户主 %s)没有一折通账号,无法发放", l.HouseholdID, h.head))
			}
			if j, dup := seen[l.HouseholdID]; dup {
				v.Add(f+"household_id", fmt.Sprintf("农户 %d 与第 %d 行重复", l.HouseholdID, j+1))
			}
			seen[l.HouseholdID] = i
			homes[i] = h
			amounts[i] = yuan(v, f+"amount_yuan", l.AmountYuan, true, false)
			sum += amounts[i]
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sum > left {
			return errs.Field("lines", fmt.Sprintf("发放合计 %s 元超过捐赠余额 %s 元(捐赠 %s 元,已发放 %s 元)", money.FormatYuan(sum),
				money.FormatYuan(left), money.FormatYuan(d.AmountFen), money.FormatYuan(paid)))
		}
		var item int64
		if err := tx.QueryRowContext(ctx, `SELECT item_id FROM giving_donations WHERE id = ?`, id).Scan(&item); err != nil {
			return err
		}
		post := funds.NewPoster(ctx, tx, p.UserID)
		period := on[:7]
		refs := make([]string, len(in.Lines))
		for i, h := range homes {
			book, err := funds.PassbookAccount(ctx, tx, p.UserID, funds.Payee{IDNumber: h.idNumber, Name: h.head, RegionCode: h.region, HouseholdID: h.id})
			if err != nil {
				return err
			}
			refs[i] = fmt.Sprintf("giving-%d-v%d-%d", id, in.Version, h.id)
			if err := post.Post(funds.Posting{FundID: *d.FundID, From: *d.AccountID, To: book, AmountFen: amounts[i], OnDate: on, Kind: "payment",
				DocNo: d.ReceiptNo, Purpose: "社会捐赠发放到户", ItemID: item, Period: period, AccountNo: h.accountNo, AccountHolder: h.head,
				Ref: refs[i]}); err != nil {
				return err
			}
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if len(ids) != len(homes) { // a long list is bulk-loaded: read the ids back by reference
			ids = make([]int64, len(homes))
			for i := range homes {
				if err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE ref = ?`, refs[i]).Scan(&ids[i]); err != nil {
					return err
				}
			}
		}
		now := db.Time(tx.Now)
		for i, h := range homes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO giving_disbursements (donation_id, household_id, region_code, amount_fen, on_date, transfer_id,
				created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, h.id, h.region, amounts[i], on, ids[i], p.UserID, now); err != nil {
				return err
			}
		}
		if d.NeedID != nil {
			if err := refreshNeed(ctx, tx, *d.NeedID, on); err != nil {
				return err
			}
		}
		if out, err = consoleTrace(ctx, tx, nil, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "giving.donation.disburse", "giving_donation", id, d.RegionCode,
			map[string]any{"version": d.Version, "disbursed_fen": d.DisbursedFen},
			map[string]any{"version": out.Donation.Version, "disbursed_fen": out.Donation.DisbursedFen, "on_date": on, "lines": len(in.Lines), "total_fen": sum})
	})
	s.changed()
	return out, err
}
