package funds

import (
	"context"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// IdleBalance is money of one fund resting at an intermediate account (资金滞留): not yet paid
// to households, not moved since Since.
type IdleBalance struct {
	AccountID   int64  `json:"account_id"`
	AccountName string `json:"account_name"`
	Kind        string `json:"kind"`
	RegionCode  string `json:"region_code"`
	RegionName  string `json:"region_name"`
	FundID      int64  `json:"fund_id"`
	FundCode    string `json:"fund_code"`
	FundName    string `json:"fund_name"`
	BalanceFen  int64  `json:"balance_fen"`
	IdleDays    int    `json:"idle_days"`
	Since       string `json:"since"`
}

// DefaultIdleDays is how long money may rest at an account before the idle list shows it.
const DefaultIdleDays = 30

// maxIdleRows bounds the idle list (oldest first: the first rows are the ones to chase).
const maxIdleRows = 2000

// Idle lists balances at finance, department, project, village and enterprise accounts in
// the caller's scope (or region within it) that have not moved for at least minDays days,
// oldest first.
func (s *Service) Idle(ctx context.Context, p *auth.Principal, region string, minDays int) ([]IdleBalance, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if minDays < 0 || minDays > 36500 {
		return nil, errs.Field("min_days", "应为 0-36500 的整数")
	}
	if region != "" && !p.InScope(region) {
		return nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", region)
	}
	today := s.today()
	t, _ := time.Parse(db.DateLayout, today)
	cutoff := t.AddDate(0, 0, -minDays).Format(db.DateLayout)
	cond, args := regionCond(p, region, "a.region_code")
	const since = `CASE WHEN b.last_out_on IS NOT NULL AND b.last_out_on > b.last_in_on THEN b.last_out_on ELSE b.last_in_on END`
	rows, err := s.DB.Reader().QueryContext(ctx, `SELECT a.id, a.name, a.kind, a.region_code, COALESCE(r.name, ''), b.fund_id, f.code, f.name,
		b.balance_fen, `+since+` FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id JOIN funds f ON f.id = b.fund_id
		LEFT JOIN regions r ON r.code = a.region_code
		WHERE a.kind NOT IN ('source', 'passbook') AND `+cond+` AND b.balance_fen > 0 AND `+since+` <= ?
		ORDER BY 10, a.id, b.fund_id LIMIT ?`, append(args, cutoff, maxIdleRows)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []IdleBalance{}
	for rows.Next() {
		var b IdleBalance
		if err := rows.Scan(&b.AccountID, &b.AccountName, &b.Kind, &b.RegionCode, &b.RegionName, &b.FundID, &b.FundCode, &b.FundName,
			&b.BalanceFen, &b.Since); err != nil {
			return nil, err
		}
		b.IdleDays = idleDays(b.Since, today)
		out = append(out, b)
	}
	return out, rows.Err()
}
