package oversight

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/money"
)

// ---- fund-level checks ----

// evalFundLevel runs fund_idle and fund_unfiled (fund_behind needs the payments: evalFunds
// runs it after the pass).
func evalFundLevel(ctx context.Context, in *evalInput, emit func(Finding)) error {
	today := in.today()
	if r := in.rule(CheckFundIdle); r != nil {
		if err := evalFundIdle(ctx, in, r, today, emit); err != nil {
			return err
		}
	}
	if r := in.rule(CheckFundUnfiled); r != nil {
		cutoff := addDays(today, -r.Params.Days)
		err := forRows(ctx, in.Q, `SELECT id, code, name, region_code, amount_fen, received_on, source_level FROM funds
			WHERE via_city = 0 AND filed_on IS NULL AND received_on < ? AND region_code BETWEEN ? AND ? ORDER BY id`,
			[]any{cutoff, in.Lo, in.Hi}, func(rows *sql.Rows) error {
				var id, amount int64
				var code, name, region, received, level string
				if err := rows.Scan(&id, &code, &name, &region, &amount, &received, &level); err != nil {
					return err
				}
				ev := struct {
					Check      string `json:"check"`
					FundID     int64  `json:"fund_id"`
					Code       string `json:"fund_code"`
					Level      string `json:"source_level"`
					AmountFen  int64  `json:"amount_fen"`
					ReceivedOn string `json:"received_on"`
				}{r.Check, id, code, level, amount, received}
				emit(Finding{RuleKey: r.Key, Key: r.Key + ":fund=" + strconv.FormatInt(id, 10), RegionCode: region, EntityType: "fund", EntityID: id,
					AmountFen: amount, Explanation: fmt.Sprintf("资金 %s(%s)%s 元未经市级财政下达,%s 到账后超过 %d 天仍未报备", code, name,
						money.FormatYuan(amount), received, r.Params.Days), Evidence: evidence(ev)})
				return nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// evalFundIdle: money resting at an intermediate account (not a source, not a passbook) above
// min_fen, not moved for more than days (the funds package's idle list, as a rule).
func evalFundIdle(ctx context.Context, in *evalInput, r *Rule, today string, emit func(Finding)) error {
	cutoff := addDays(today, -r.Params.Days)
	const since = `CASE WHEN b.last_out_on IS NOT NULL AND b.last_out_on > b.last_in_on THEN b.last_out_on ELSE b.last_in_on END`
	return forRows(ctx, in.Q, `SELECT a.id, a.name, a.kind, a.region_code, b.fund_id, f.code, f.name, b.balance_fen, `+since+`
		FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id JOIN funds f ON f.id = b.fund_id
		WHERE a.kind NOT IN ('source', 'passbook') AND a.region_code BETWEEN ? AND ? AND b.balance_fen > ? AND `+since+` < ?
		ORDER BY a.id, b.fund_id`, []any{in.Lo, in.Hi, r.Params.MinFen, cutoff}, func(rows *sql.Rows) error {
		var acct, fund, bal int64
		var name, kind, region, code, fname, last string
		if err := rows.Scan(&acct, &name, &kind, &region, &fund, &code, &fname, &bal, &last); err != nil {
			return err
		}
		ev := struct {
			Check      string `json:"check"`
			AccountID  int64  `json:"account_id"`
			Account    string `json:"account"`
			Kind       string `json:"kind"`
			FundID     int64  `json:"fund_id"`
			FundCode   string `json:"fund_code"`
			BalanceFen int64  `json:"balance_fen"`
			Since      string `json:"since"`
		}{r.Check, acct, name, kind, fund, code, bal, last}
		days := daysBetween(last, today)
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":account=" + strconv.FormatInt(acct, 10) + ":fund=" + strconv.FormatInt(fund, 10),
			RegionCode: region, EntityType: "account", EntityID: acct, AmountFen: bal,
			Explanation: fmt.Sprintf("资金 %s(%s)在“%s”滞留 %s,自 %s 起 %d 天未动", code, fname, name, yuan(bal), last, days), Evidence: evidence(ev)})
		return nil
	})
}

// evalFundBehind: a fund whose payments to passbooks (reversals excluded) trail the linear
// schedule from received_on to deadline by more than margin_pct of its amount.
func evalFundBehind(ctx context.Context, in *evalInput, r *Rule, paid map[int64]int64, emit func(Finding)) error {
	today := in.today()
	return forRows(ctx, in.Q, `SELECT id, code, name, region_code, amount_fen, received_on, deadline FROM funds
		WHERE region_code BETWEEN ? AND ? AND received_on <= ? ORDER BY id`, []any{in.Lo, in.Hi, today}, func(rows *sql.Rows) error {
		var id, amount int64
		var code, name, region, received, deadline string
		if err := rows.Scan(&id, &code, &name, &region, &amount, &received, &deadline); err != nil {
			return err
		}
		if amount <= 0 {
			return nil
		}
		got := paid[id]
		share := float64(got) / float64(amount)
		sched := scheduleShare(received, deadline, today)
		if share >= sched-float64(r.Params.MarginPct)/100 {
			return nil
		}
		expected := int64(float64(amount)*sched + 0.5)
		ev := struct {
			Check      string `json:"check"`
			FundID     int64  `json:"fund_id"`
			Code       string `json:"fund_code"`
			AmountFen  int64  `json:"amount_fen"`
			PaidFen    int64  `json:"paid_fen"`
			ReceivedOn string `json:"received_on"`
			Deadline   string `json:"deadline"`
			MarginPct  int    `json:"margin_pct"`
		}{r.Check, id, code, amount, got, received, deadline, r.Params.MarginPct}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":fund=" + strconv.FormatInt(id, 10), RegionCode: region, EntityType: "fund", EntityID: id,
			AmountFen: max(expected-got, 0), Explanation: fmt.Sprintf("资金 %s(%s)已发放到户 %s,占 %.1f%%;按 %s 至 %s 的序时进度应达 %.1f%%,滞后超过 %d 个百分点",
				code, name, yuan(got), share*100, received, deadline, sched*100, r.Params.MarginPct), Evidence: evidence(ev)})
		return nil
	})
}

// scheduleShare is the share of the way from received to deadline that date has gone, 0..1.
func scheduleShare(received, deadline, date string) float64 {
	r, err1 := time.Parse(db.DateLayout, received)
	d, err2 := time.Parse(db.DateLayout, deadline)
	t, err3 := time.Parse(db.DateLayout, date)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0
	}
	switch {
	case !t.Before(d):
		return 1
	case !t.After(r):
		return 0
	}
	return t.Sub(r).Hours() / d.Sub(r).Hours()
}

// daysBetween is the number of days from a to b (dates).
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(db.DateLayout, a)
	tb, err2 := time.Parse(db.DateLayout, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}
