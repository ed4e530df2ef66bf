package funds

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Transfer books a transfer entered by hand.
func (s *Service) Transfer(ctx context.Context, p *auth.Principal, in TransferInput) (Transfer, error) {
	amount, err := parseAmount("amount_yuan", in.AmountYuan, MaxFundFen, false)
	if err != nil {
		return Transfer{}, err
	}
	on, err := date("on_date", in.OnDate)
	if err != nil {
		return Transfer{}, err
	}
	v := errs.Validation{}
	doc := text(v, "doc_no", in.DocNo, false, 100)
	purpose := text(v, "purpose", in.Purpose, true, 500)
	if err := v.Err(); err != nil {
		return Transfer{}, err
	}
	var out Transfer
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if on > db.Date(tx.Now) {
			return errs.Field("on_date", "日期不能晚于今天")
		}
		f, err := getFund(ctx, tx, in.FundID)
		if errs.CodeOf(err) == errs.NotFound || err == nil && !Covers(p, f.RegionCode) {
			return errs.Missing("fund_id", "资金不存在")
		}
		if err != nil {
			return err
		}
		if on < f.ReceivedOn {
			return errs.Field("on_date", "日期不能早于资金到账日期 "+f.ReceivedOn)
		}
		kind := "transfer"
		from, err := getAccount(ctx, tx, p, in.FromAccount, on)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Missing("from_account", "账户不存在")
		}
		if err != nil {
			return err
		}
		to, err := getAccount(ctx, tx, p, in.ToAccount, on)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Missing("to_account", "账户不存在")
		}
		if err != nil {
			return err
		}
		switch {
		case from.Kind == "source":
			kind = "allocate"
		case to.Kind == "passbook":
			kind = "payment"
		}
		if err := p.RequireIn(auth.FundWrite, from.RegionCode); err != nil {
			return err
		}
		if err := departmentMayPay(ctx, tx, p, from, f); err != nil {
			return err
		}
		if !Covers(p, to.RegionCode) {
			return errs.Field("to_account", "转入账户不在您的管辖范围内")
		}
		post := NewPoster(ctx, tx, p.UserID)
		if err := post.Post(Posting{FundID: in.FundID, From: in.FromAccount, To: in.ToAccount, AmountFen: amount, OnDate: on,
			Kind: kind, DocNo: doc, Purpose: purpose, ItemID: in.ItemID, Period: strings.TrimSpace(in.Period)}); err != nil {
			return err
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if out, err = getTransfer(ctx, tx, ids[0]); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.transfer", "ledger_transfer", ids[0], from.RegionCode, nil, out)
	})
	return out, err
}

// Reverse undoes a transfer by booking the same amount back (冲销). The original stays.
func (s *Service) Reverse(ctx context.Context, p *auth.Principal, id int64, in ReverseInput) (Transfer, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Transfer{}, errs.Field("reason", "请填写冲销原因(不超过 500 字)")
	}
	var out Transfer
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := getTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		fromRegion, err := accountRegion(ctx, tx, t.FromAccount)
		if err != nil {
			return err
		}
		if !p.InScope(fromRegion) && !p.InScope(t.RegionCode) {
			return errNoTransfer
		}
		if err := p.RequireIn(auth.FundWrite, fromRegion); err != nil {
			return err
		}
		if p.Role == auth.Department {
			from, err := getAccount(ctx, tx, p, t.FromAccount, db.Date(tx.Now))
			if err != nil {
				return err
			}
			if err := departmentMayPay(ctx, tx, p, from, Fund{ID: t.FundID}); err != nil {
				return err
			}
		}
		if t.Kind == "reversal" {
			return errs.E(errs.Conflict, "冲销转账不能再冲销,如需更正请重新转账")
		}
		if t.ReversedBy != nil {
			return errs.E(errs.Conflict, "该转账已被冲销(转账 %d)", *t.ReversedBy)
		}
		on := db.Date(tx.Now)
		if strings.TrimSpace(in.OnDate) != "" {
			if on, err = date("on_date", in.OnDate); err != nil {
				return err
			}
		}
		if on < t.OnDate || on > db.Date(tx.Now) {
			return errs.Field("on_date", "冲销日期须在原转账日期 "+t.OnDate+" 与今天之间")
		}
		var item int64
		if t.ItemID != nil {
			item = *t.ItemID
		}
		post := NewPoster(ctx, tx, p.UserID)
		if err := post.Post(Posting{FundID: t.FundID, From: t.ToAccount, To: t.FromAccount, AmountFen: t.AmountFen, OnDate: on,
			Kind: "reversal", DocNo: t.DocNo, Purpose: "冲销: " + reason, ItemID: item, Period: t.Period,
			AccountNo: t.AccountNo, AccountHolder: t.AccountHolder, ReversesID: t.ID}); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return errs.E(errs.Conflict, "无法冲销: 收款账户的钱已被转出,请先冲销其后续转账(%s)", err.Error())
			}
			return err
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if out, err = getTransfer(ctx, tx, ids[0]); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.reverse", "ledger_transfer", t.ID, fromRegion, nil,
			map[string]any{"reversal_id": ids[0], "reason": reason, "amount_fen": t.AmountFen})
	})
	return out, err
}

// Transfers lists transfers touching the principal's scope, newest first.
func (s *Service) Transfers(ctx context.Context, p *auth.Principal, f TransferFilter) ([]Transfer, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(TransferKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的转账类型")
	}
	for field, d := range map[string]*string{"from": &f.FromDate, "to": &f.ToDate} {
		if *d != "" {
			v, err := date(field, *d)
			if err != nil {
				return nil, err
			}
			*d = v
		}
	}
	return listTransfers(ctx, s.DB.Reader(), p, f)
}

// TransferByID reads one transfer (account number masked).
func (s *Service) TransferByID(ctx context.Context, p *auth.Principal, id int64) (Transfer, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Transfer{}, err
	}
	q := s.DB.Reader()
	t, err := getTransfer(ctx, q, id)
	if err != nil {
		return t, err
	}
	fromRegion, err := accountRegion(ctx, q, t.FromAccount)
	if err != nil {
		return t, err
	}
	if !p.InScope(t.RegionCode) && !p.InScope(fromRegion) {
		return Transfer{}, errNoTransfer
	}
	t.AccountNo = MaskAccount(t.AccountNo)
	return t, nil
}

// departmentMayPay keeps a department (教育、残联、红十字会…) to its own fund lines: it pays from
// department and project accounts and from the source of funds it registered itself, never
// from finance or another office's account.
func departmentMayPay(ctx context.Context, q db.Queryer, p *auth.Principal, from Account, f Fund) error {
	if p.Root || p.Role != auth.Department {
		return nil
	}
	switch from.Kind {
	case "department", "project":
		return nil
	case "source":
		var by int64
		if err := q.QueryRowContext(ctx, `SELECT created_by FROM funds WHERE id = ?`, f.ID).Scan(&by); err != nil {
			return err
		}
		if by == p.UserID {
			return nil
		}
	}
	return &errs.Error{Code: errs.Forbidden, Message: "部门只能从本部门或项目账户、或本部门登记的资金拨付", Fields: map[string]string{"from_account": "无权从该账户转出"}}
}
