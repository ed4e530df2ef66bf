package projects

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
)

// RecordIncome records an asset's income of one year: in one transaction a fund of category
// income (funds.IncomeFund) is registered and allocated from its source to the asset's
// account, so the later distribution is an ordinary ledger payment that traces back to it.
func (s *Service) RecordIncome(ctx context.Context, p *auth.Principal, assetID int64, in IncomeInput) (Income, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Income{}, err
	}
	today := s.today()
	v := errs.Validation{}
	if in.Year < 2000 || in.Year > 2099 {
		v.Add("year", "年度应为 2000-2099")
	} else if in.Year > s.DB.Clock().In(db.Shanghai).Year() {
		v.Add("year", "不能登记未来年度的收益")
	}
	var amount int64
	if a := strings.TrimSpace(in.AmountYuan); a == "" {
		v.Add("amount_yuan", "请填写收益金额")
	} else if fen, err := money.ParseYuan(a); err != nil {
		v.Add("amount_yuan", err.Error())
	} else if fen <= 0 {
		v.Add("amount_yuan", "收益金额须大于 0")
	} else if fen > funds.MaxFundFen {
		v.Add("amount_yuan", "金额超出合理范围")
	} else {
		amount = fen
	}
	received := readDate(v, "received_on", in.ReceivedOn)
	if strings.TrimSpace(in.ReceivedOn) == "" {
		received = today
	}
	if received > today {
		v.Add("received_on", "到账日期不能晚于今天")
	}
	doc := strings.TrimSpace(in.DocNo)
	if utf8.RuneCountInString(doc) > 100 {
		v.Add("doc_no", "不超过 100 字")
	}
	var out Income
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		a, err := getAsset(ctx, tx, assetID)
		if err != nil {
			return err
		}
		if !p.InScope(a.RegionCode) {
			return errNoAsset
		}
		if err := p.RequireIn(auth.ProjectWrite, a.RegionCode); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if a.Status == "disposed" {
			return errs.E(errs.Conflict, "资产已处置,不能再登记收益")
		}
		if a.AccountID == nil {
			return errs.E(errs.Conflict, "资产没有收益账户")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM asset_incomes WHERE asset_id = ? AND year = ?`, assetID, in.Year).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "该资产 " + strconv.Itoa(in.Year) + " 年的收益已登记", Fields: map[string]string{"year": "已登记"}}
		}
		fund, err := funds.IncomeFund(ctx, tx, p.UserID, funds.IncomeFundInput{AssetCode: a.Code, AssetName: a.Name, Year: in.Year,
			AmountFen: amount, RegionCode: a.RegionCode, ReceivedOn: received, Deadline: addDays(received, UndistributedDays), DocNo: doc})
		if err != nil {
			return err
		}
		post := funds.NewPoster(ctx, tx, p.UserID)
		if err := post.Post(funds.Posting{FundID: fund.FundID, From: fund.SourceAccount, To: *a.AccountID, AmountFen: amount, OnDate: received,
			Kind: "allocate", DocNo: doc, Purpose: "资产收益入村集体账户"}); err != nil {
			return err
		}
		if _, err := post.Flush(); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO asset_incomes (asset_id, year, amount_fen, received_on, fund_id, status, region_code, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, 'recorded', ?, ?, ?) RETURNING id`, assetID, in.Year, amount, received, fund.FundID, a.RegionCode, p.UserID, db.Time(tx.Now))
		if errs.CodeOf(err) == errs.Conflict {
			return errs.E(errs.Conflict, "该资产 %d 年的收益已登记", in.Year)
		}
		if err != nil {
			return err
		}
		if out, _, err = getIncome(ctx, tx, id, today); err != nil {
			return err
		}
		return record(ctx, tx, p, "asset.income", "asset_income", id, a.RegionCode, nil, out)
	})
	return out, err
}
