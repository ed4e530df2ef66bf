package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/funds"
)

// OversightFunds plants a handful of realistic funds anomalies in the demo ledger, booked
// through the funds Poster like any payment, so the early-warning console shows an alert of
// each kind after the first run: a payment made twice for the same item and period (重复发放),
// a payee whose death is recorded before a payment (向已死亡人员发放), one bank account
// receiving for two households (一卡多人), a payment into an account under another name (账户户名
// 与领取人不符), a payment above the item's standard (超标准发放) and a payment to an exited
// household after its policy period (向超过政策期的脱贫户发放). It runs after Funds and does
// nothing when the central fund is missing or the anomalies are there already; n is how many
// it planted (fewer in a demo too small to hold them all).
func OversightFunds(ctx context.Context, s *funds.Service, d *db.DB) (n int, err error) {
	q := d.Reader()
	var fundID, item, std int64
	var region, basis string
	err = q.QueryRowContext(ctx, `SELECT f.id, f.region_code, i.id, i.standard_fen, i.basis FROM funds f JOIN fund_items i ON i.fund_id = f.id
		WHERE f.code LIKE 'ZY-%' AND f.via_city = 1 ORDER BY f.id, i.id LIMIT 1`).Scan(&fundID, &region, &item, &std, &basis)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var done int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transfers WHERE ref LIKE 'demo:anomaly:%'`).Scan(&done); err != nil || done > 0 {
		return 0, err
	}
	today := d.Clock().In(db.Shanghai)
	// paid: the fund's payments (not reversed) with their payee; spare: registered households
	// with an account the fund has not paid.
	type paid struct {
		id, to, amount      int64
		on, period          string
		acct, holder, payee string
		member              int64
	}
	var ps []paid
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.to_account, t.amount_fen, t.on_date, t.period, t.account_no, t.account_holder, a.id_number,
		COALESCE((SELECT MIN(m.id) FROM members m WHERE m.id_number = a.id_number AND m.active = 1), 0)
		FROM ledger_transfers t JOIN ledger_accounts a ON a.id = t.to_account
		WHERE t.fund_id = ? AND t.kind = 'payment' AND t.item_id = ? AND t.account_no <> ''
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id) ORDER BY t.id LIMIT 50`, fundID, item)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var p paid
		if err := rows.Scan(&p.id, &p.to, &p.amount, &p.on, &p.period, &p.acct, &p.holder, &p.payee, &p.member); err != nil {
			rows.Close()
			return 0, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	type spare struct {
		id                int64
		region, head, idn string
		account           string
	}
	var sp []spare
	rows, err = q.QueryContext(ctx, `SELECT h.id, h.region_code, h.head_name, h.head_id_number, h.account_no FROM households h
		WHERE h.status = 'registered' AND h.account_no <> ''
		AND EXISTS (SELECT 1 FROM members m WHERE m.id_number = h.head_id_number AND m.active = 1 AND m.deceased_on IS NULL)
		AND NOT EXISTS (SELECT 1 FROM ledger_accounts a JOIN ledger_transfers t ON t.to_account = a.id AND t.fund_id = ?
			WHERE a.kind = 'passbook' AND a.id_number = h.head_id_number)
		ORDER BY h.id LIMIT 3`, fundID)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var x spare
		if err := rows.Scan(&x.id, &x.region, &x.head, &x.idn, &x.account); err != nil {
			rows.Close()
			return 0, err
		}
		sp = append(sp, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// an exited household past its policy period, with its head active
	var exited spare
	var until string
	err = q.QueryRowContext(ctx, `SELECT h.id, h.region_code, h.head_name, h.head_id_number, h.account_no, h.policy_until FROM households h
		WHERE h.status = 'exited' AND h.policy_until IS NOT NULL AND h.policy_until < ? AND h.account_no <> ''
		AND EXISTS (SELECT 1 FROM members m WHERE m.id_number = h.head_id_number AND m.active = 1)
		ORDER BY h.policy_until DESC, h.id LIMIT 1`, today.AddDate(0, 0, -20).Format(db.DateLayout)).
		Scan(&exited.id, &exited.region, &exited.head, &exited.idn, &exited.account, &until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	day := func(t time.Time) string { return t.Format(db.DateLayout) }
	lastMonth := today.AddDate(0, -1, 0)
	period := lastMonth.Format("2006-01")
	payOn := day(time.Date(lastMonth.Year(), lastMonth.Month(), 18, 0, 0, 0, 0, db.Shanghai))
	err = d.InTx(ctx, func(tx *db.Tx) error {
		top, err := funds.FinanceAccount(ctx, tx, 0, region)
		if err != nil {
			return err
		}
		var source int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'source' AND fund_id = ?`, fundID).Scan(&source); err != nil {
			return err
		}
		var postings []funds.Posting
		pay := func(kind string, to, fen int64, on, per, acct, holder string) {
			postings = append(postings, funds.Posting{FundID: fundID, From: top, To: to, AmountFen: fen, OnDate: on, Kind: "payment",
				Purpose: "演示: 预警样例", ItemID: item, Period: per, AccountNo: acct, AccountHolder: holder, Ref: "demo:anomaly:" + kind})
		}
		passbook := func(x spare) (int64, error) {
			return funds.PassbookAccount(ctx, tx, 0, funds.Payee{IDNumber: x.idn, Name: x.head, RegionCode: x.region, HouseholdID: x.id})
		}
		// 重复发放: the first payment made again a week later, same item, period and account
		if len(ps) > 0 {
			p := ps[0]
			t, _ := time.Parse(db.DateLayout, p.on)
			pay("duplicate", p.to, p.amount, day(t.AddDate(0, 0, 7)), p.period, p.acct, p.holder)
		}
		// 向已死亡人员发放: another payee recorded dead two weeks before the payment
		for _, p := range ps[min(1, len(ps)):] {
			if p.member == 0 || p.payee == "" {
				continue
			}
			t, _ := time.Parse(db.DateLayout, p.on)
			if _, err := tx.ExecContext(ctx, `UPDATE members SET deceased_on = ?, updated_at = ? WHERE id = ? AND deceased_on IS NULL`,
				day(t.AddDate(0, 0, -14)), db.Time(tx.Now), p.member); err != nil {
				return err
			}
			n++
			break
		}
		// 一卡多人: a household the fund has not paid, paid into the first payee's account
		if len(sp) > 0 && len(ps) > 0 {
			pb, err := passbook(sp[0])
			if err != nil {
				return err
			}
			pay("shared", pb, std, payOn, period, ps[0].acct, ps[0].holder)
		}
		// 账户户名与领取人不符: paid into an account under another name
		if len(sp) > 1 {
			pb, err := passbook(sp[1])
			if err != nil {
				return err
			}
			other := "王桂芳"
			if sp[1].head == other {
				other = "李建军"
			}
			pay("holder", pb, std, payOn, period, sp[1].account, other)
		}
		// 超标准发放: 800 元 above the standard
		if len(sp) > 2 {
			pb, err := passbook(sp[2])
			if err != nil {
				return err
			}
			pay("above", pb, std+80000, payOn, period, sp[2].account, sp[2].head)
		}
		// 向超过政策期的脱贫户发放: paid ten days after policy_until
		if exited.id != 0 {
			pb, err := passbook(exited)
			if err != nil {
				return err
			}
			t, _ := time.Parse(db.DateLayout, until)
			on := t.AddDate(0, 0, 10)
			pay("exited", pb, std, day(on), on.Format("2006-01"), exited.account, exited.head)
		}
		if len(postings) == 0 {
			return nil
		}
		p := funds.NewPoster(ctx, tx, 0)
		var total int64
		for _, x := range postings {
			total += x.AmountFen
		}
		// fresh money for them from the fund's source (what the fund has not yet issued)
		if err := p.Post(funds.Posting{FundID: fundID, From: source, To: top, AmountFen: total, OnDate: postings[0].OnDate, Kind: "allocate",
			Purpose: "资金到账拨付"}); err != nil {
			return fmt.Errorf("demo anomalies: %w", err)
		}
		for _, x := range postings {
			if err := p.Post(x); err != nil {
				return fmt.Errorf("demo anomaly %s: %w", x.Ref, err)
			}
		}
		if _, err := p.Flush(); err != nil {
			return err
		}
		n += len(postings)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
