package funds

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Statement is what a household has received (农户资金明细): every payment into the passbooks
// of its members, each with the way its money came from the fund.
type Statement struct {
	HouseholdID int64            `json:"household_id"`
	HouseholdNo string           `json:"household_no"`
	HeadName    string           `json:"head_name"`
	TotalFen    int64            `json:"total_fen"` // payments not reversed
	Entries     []StatementEntry `json:"entries"`
}

// StatementEntry is one payment to the household. AccountNo is masked; no ID numbers.
type StatementEntry struct {
	TransferID int64      `json:"transfer_id"`
	OnDate     string     `json:"on_date"`
	FundID     int64      `json:"fund_id"`
	FundCode   string     `json:"fund_code"`
	FundName   string     `json:"fund_name"`
	ItemName   string     `json:"item_name"`
	Period     string     `json:"period"`
	AmountFen  int64      `json:"amount_fen"`
	AccountNo  string     `json:"account_no"`
	PayeeName  string     `json:"payee_name"`
	Reversed   bool       `json:"reversed"`
	Path       []PathStep `json:"path"`
}

// PathStep is one account on the way from a fund's source to the payer.
type PathStep struct {
	AccountID  int64  `json:"account_id"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	RegionCode string `json:"region_code"`
}

var errNoHousehold = errs.E(errs.NotFound, "农户不存在")

// maxPath bounds the walk back to a source (a fund passes a handful of levels).
const maxPath = 12

// Statement lists the payments a household in the caller's scope has received. It needs
// household.read beside fund.read: a role without it reads no household (not found).
func (s *Service) Statement(ctx context.Context, p *auth.Principal, id int64) (Statement, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Statement{}, err
	}
	if !p.Can(auth.HouseholdRead) {
		return Statement{}, errNoHousehold
	}
	q := s.DB.Reader()
	out := Statement{HouseholdID: id, Entries: []StatementEntry{}}
	var region string
	err := q.QueryRowContext(ctx, `SELECT household_no, head_name, region_code FROM households WHERE id = ?`, id).Scan(&out.HouseholdNo, &out.HeadName, &region)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.InScope(region) {
		return Statement{}, errNoHousehold
	}
	if err != nil {
		return Statement{}, err
	}
	books, err := householdPassbooks(ctx, q, id)
	if err != nil || len(books) == 0 {
		return out, err
	}
	args := make([]any, len(books))
	for i, b := range books {
		args[i] = b
	}
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.on_date, t.fund_id, f.code, f.name, COALESCE(i.name, ''), t.period, t.amount_fen,
		t.account_no, t.account_holder, pa.name, t.from_account, (SELECT r.id FROM ledger_transfers r WHERE r.reverses_id = t.id)
		FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id JOIN ledger_accounts pa ON pa.id = t.to_account
		LEFT JOIN fund_items i ON i.id = t.item_id
		WHERE t.to_account IN (?`+strings.Repeat(", ?", len(books)-1)+`) AND t.kind = 'payment' ORDER BY t.on_date DESC, t.id DESC`, args...)
	if err != nil {
		return Statement{}, err
	}
	type payer struct{ fund, account int64 }
	var payers []payer
	for rows.Next() {
		var e StatementEntry
		var holder, book string
		var from int64
		var rev sql.NullInt64
		if err := rows.Scan(&e.TransferID, &e.OnDate, &e.FundID, &e.FundCode, &e.FundName, &e.ItemName, &e.Period, &e.AmountFen,
			&e.AccountNo, &holder, &book, &from, &rev); err != nil {
			rows.Close()
			return Statement{}, err
		}
		e.AccountNo = MaskAccount(e.AccountNo)
		e.PayeeName = holder
		if e.PayeeName == "" {
			e.PayeeName = strings.TrimSuffix(book, "一折通")
		}
		e.Reversed = rev.Valid
		if !e.Reversed {
			out.TotalFen += e.AmountFen
		}
		out.Entries = append(out.Entries, e)
		payers = append(payers, payer{e.FundID, from})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Statement{}, err
	}
	paths := map[payer][]PathStep{}
	for i, py := range payers {
		path, ok := paths[py]
		if !ok {
			if path, err = fundPath(ctx, q, p, py.fund, py.account); err != nil {
				return Statement{}, err
			}
			paths[py] = path
		}
		out.Entries[i].Path = path
	}
	return out, nil
}

// householdPassbooks are the passbook accounts of a household: opened for it, or for the ID
// number of one of its members.
func householdPassbooks(ctx context.Context, q db.Queryer, household int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{}
	for _, query := range []string{
		`SELECT id FROM ledger_accounts WHERE household_id = ? AND kind = 'passbook'`,
		`SELECT a.id FROM members m JOIN ledger_accounts a ON a.id_number = m.id_number AND a.kind = 'passbook' WHERE m.household_id = ?`,
	} {
		rows, err := q.QueryContext(ctx, query, household)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fundPath walks from the payer account back to the fund's source along the earliest
// transfer of the fund into each account that was not reversed, and returns it source first.
// Accounts the caller may not read show as "其他地区".
func fundPath(ctx context.Context, q db.Queryer, p *auth.Principal, fundID, payer int64) ([]PathStep, error) {
	step := func(id int64) (PathStep, error) {
		st := PathStep{AccountID: id}
		err := q.QueryRowContext(ctx, `SELECT kind, name, region_code FROM ledger_accounts WHERE id = ?`, id).Scan(&st.Kind, &st.Name, &st.RegionCode)
		if err == nil && !Covers(p, st.RegionCode) {
			st = PathStep{Name: "其他地区", Kind: OtherKey}
		}
		return st, err
	}
	last, err := step(payer)
	if err != nil {
		return nil, err
	}
	path := []PathStep{last}
	seen := map[int64]bool{payer: true}
	at := payer
	for len(path) < maxPath {
		var from int64
		var kind string
		err := q.QueryRowContext(ctx, `SELECT t.from_account, a.kind FROM ledger_transfers t JOIN ledger_accounts a ON a.id = t.from_account
			WHERE t.fund_id = ? AND t.kind IN ('allocate', 'transfer') AND t.to_account = ?
			AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id)
			ORDER BY t.on_date, t.id LIMIT 1`, fundID, at).Scan(&from, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, err
		}
		if seen[from] {
			break
		}
		seen[from] = true
		st, err := step(from)
		if err != nil {
			return nil, err
		}
		path = append(path, st)
		if kind == "source" {
			break
		}
		at = from
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}
