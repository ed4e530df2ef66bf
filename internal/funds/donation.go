package funds

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// DonationItemCode is the one item of a donation fund (社会捐赠): every disbursement of the
// donation to a household is a payment of this item.
const DonationItemCode = "JZ"

// DonationFundInput is a money donation received, entering the ledger as a fund of its own
// (category donation, source social), so every fen later paid to a household traces back to
// the donor's receipt like any other payment.
type DonationFundInput struct {
	ReceiptNo  string // JZ2026-000123: the fund's code is "JZ-" + the receipt number
	DonorName  string // as the public may see it (the fund's name carries it)
	AmountFen  int64
	RegionCode string // the receiving region (county, town or village): the fund's region
	ReceivedOn string // YYYY-MM-DD
	Deadline   string // YYYY-MM-DD: by when it should have reached the households
	Purpose    string
}

// DonationFundOut names what DonationFund created.
type DonationFundOut struct {
	FundID        int64
	Code          string
	SourceAccount int64
	ItemID        int64
}

// DonationFund registers the fund of a money donation inside the caller's transaction: code
// "JZ-{receipt}", one item JZ (按户, standard = the amount, so no household can be paid more
// than the donation), its source account with the opening balance row. The caller allocates it
// (NewPoster, kind allocate) to the receiving region's account (DonationAccount) in the same
// transaction. CreateFund by hand stays as it is: offices may still register pooled donations.
func DonationFund(ctx context.Context, tx *db.Tx, by int64, in DonationFundInput) (DonationFundOut, error) {
	out := DonationFundOut{Code: "JZ-" + strings.TrimSpace(in.ReceiptNo)}
	if !codePattern.MatchString(out.Code) {
		return out, errs.Field("receipt_no", "收据号过长或含有不允许的字符,无法生成捐赠资金编码")
	}
	if in.AmountFen <= 0 || in.AmountFen > MaxFundFen {
		return out, errs.Field("amount_yuan", "金额须大于 0 且在合理范围内")
	}
	year, err := strconv.Atoi(in.ReceivedOn[:min(4, len(in.ReceivedOn))])
	if err != nil || year < 2000 || year > 2099 || len(in.ReceivedOn) != 10 {
		return out, errs.Field("received_on", "日期格式应为 YYYY-MM-DD")
	}
	if in.Deadline < in.ReceivedOn {
		return out, errs.Field("deadline", "发放期限不能早于到账日期")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE code = ?`, out.Code).Scan(&n); err != nil {
		return out, err
	}
	if n > 0 {
		return out, errs.E(errs.Conflict, "资金编码 %s 已存在", out.Code)
	}
	name := "社会捐赠 " + strings.TrimSpace(in.ReceiptNo)
	if d := strings.TrimSpace(in.DonorName); d != "" {
		name += "(" + d + ")"
	}
	purpose := strings.TrimSpace(in.Purpose)
	if purpose == "" {
		purpose = "社会捐赠资金发放到户"
	}
	now := db.Time(tx.Now)
	id, err := tx.InsertID(ctx, `INSERT INTO funds (code, name, source_level, category, year, doc_no, amount_fen, purpose, region_code,
		via_city, received_on, deadline, created_by, created_at) VALUES (?, ?, 'social', 'donation', ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id`,
		out.Code, name, year, in.ReceiptNo, in.AmountFen, purpose, in.RegionCode, in.ReceivedOn, in.Deadline, by, now)
	if errs.CodeOf(err) == errs.Conflict {
		return out, errs.E(errs.Conflict, "资金编码 %s 已存在", out.Code)
	}
	if err != nil {
		return out, err
	}
	out.FundID = id
	if out.ItemID, err = tx.InsertID(ctx, `INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, ?, '社会捐赠', 'household', ?) RETURNING id`,
		id, DonationItemCode, in.AmountFen); err != nil {
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

// DonationAccount is the account a donation to region is allocated to: the village
// collective's account (the first kind village account of the village, opened as
// "<village>村集体" when there is none) for a village, the finance account
// (FinanceAccount) of a town or county.
func DonationAccount(ctx context.Context, tx *db.Tx, by int64, region string) (int64, error) {
	var name, level string
	if err := tx.QueryRowContext(ctx, `SELECT name, level FROM regions WHERE code = ?`, region).Scan(&name, &level); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errs.Field("region_code", "区划 "+region+" 不存在")
		}
		return 0, err
	}
	if level != "village" {
		return FinanceAccount(ctx, tx, by, region)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'village' AND region_code = ? ORDER BY id LIMIT 1`, region).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('village', ?, ?, ?, ?) RETURNING id`,
		name+"村集体", region, by, db.Time(tx.Now))
}
