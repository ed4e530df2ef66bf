package funds

import (
	"context"
	"strconv"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// IncomeItemCode is the one item of an asset-income fund (资产收益分配): every distribution
// to a household is a payment of this item.
const IncomeItemCode = "SY"

// IncomeFundInput is a year's income of a poverty-alleviation asset, entering the ledger as a
// fund of its own (category income, source village), so every fen later paid to a household
// traces back to the asset like any other payment.
type IncomeFundInput struct {
	AssetCode  string
	AssetName  string
	Year       int
	AmountFen  int64
	RegionCode string // the asset's region: the fund's region
	ReceivedOn string // YYYY-MM-DD
	Deadline   string // YYYY-MM-DD: by when it should have been distributed
	DocNo      string
}

// IncomeFundOut names what IncomeFund created.
type IncomeFundOut struct {
	FundID        int64
	Code          string
	SourceAccount int64
	ItemID        int64
}

// IncomeFund registers the fund of an asset's income inside the caller's transaction: code
// "SY-{asset code}-{year}", one item SY (按户, standard = the amount), its source account with
// the opening balance row. The caller allocates it (NewPoster, kind allocate) to the asset's
// account in the same transaction. The asset register is the only way in: CreateFund refuses
// category income.
func IncomeFund(ctx context.Context, tx *db.Tx, by int64, in IncomeFundInput) (IncomeFundOut, error) {
	out := IncomeFundOut{Code: "SY-" + strings.TrimSpace(in.AssetCode) + "-" + strconv.Itoa(in.Year)}
	if !codePattern.MatchString(out.Code) {
		return out, errs.Field("code", "资产编码过长或含有不允许的字符,无法生成收益资金编码")
	}
	if in.AmountFen <= 0 || in.AmountFen > MaxFundFen {
		return out, errs.Field("amount_yuan", "金额须大于 0 且在合理范围内")
	}
	if in.Year < 2000 || in.Year > 2099 {
		return out, errs.Field("year", "年度应为 2000-2099")
	}
	if in.Deadline < in.ReceivedOn {
		return out, errs.Field("deadline", "分配期限不能早于到账日期")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE code = ?`, out.Code).Scan(&n); err != nil {
		return out, err
	}
	if n > 0 {
		return out, errs.E(errs.Conflict, "资金编码 %s 已存在", out.Code)
	}
	name := in.AssetName + strconv.Itoa(in.Year) + "年资产收益"
	now := db.Time(tx.Now)
	id, err := tx.InsertID(ctx, `INSERT INTO funds (code, name, source_level, category, year, doc_no, amount_fen, purpose, region_code,
		via_city, received_on, deadline, created_by, created_at) VALUES (?, ?, 'village', 'income', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id`,
		out.Code, name, in.Year, in.DocNo, in.AmountFen, "资产收益分配到户", in.RegionCode, in.ReceivedOn, in.Deadline, by, now)
	if errs.CodeOf(err) == errs.Conflict {
		return out, errs.E(errs.Conflict, "资金编码 %s 已存在", out.Code)
	}
	if err != nil {
		return out, err
	}
	out.FundID = id
	if out.ItemID, err = tx.InsertID(ctx, `INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, ?, '资产收益分配', 'household', ?) RETURNING id`,
		id, IncomeItemCode, in.AmountFen); err != nil {
		return out, err
	}
	if out.SourceAccount, err = tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, fund_id, created_by, created_at)
		VALUES ('source', ?, ?, ?, ?, ?) RETURNING id`, "资金来源: "+name, in.RegionCode, id, by, now); err != nil {
		return out, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO ledger_balances (account_id, fund_id, balance_fen, first_in_on, last_in_on) VALUES (?, ?, 0, ?, ?)`,
		out.SourceAccount, id, in.ReceivedOn, in.ReceivedOn)
	return out, err
}
