package funds

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// OpenAccount opens a finance, department, project, village or enterprise account.
func (s *Service) OpenAccount(ctx context.Context, p *auth.Principal, in AccountInput) (Account, error) {
	v := errs.Validation{}
	if !slices.Contains(OpenKinds, in.Kind) {
		v.Add("kind", "账户类型应为 finance、department、project、village 或 enterprise")
	}
	in.Name = text(v, "name", in.Name, true, 100)
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	if err := v.Err(); err != nil {
		return Account{}, err
	}
	if err := p.RequireIn(auth.FundWrite, in.RegionCode); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := regionExists(ctx, tx, in.RegionCode); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			in.Kind, in.Name, in.RegionCode, p.UserID, db.Time(tx.Now))
		if errs.CodeOf(err) == errs.Conflict {
			return &errs.Error{Code: errs.Conflict, Message: "该区划已有同名同类账户: " + in.Name, Fields: map[string]string{"name": "已存在"}}
		}
		if err != nil {
			return err
		}
		if out, err = getAccount(ctx, tx, p, id, db.Date(tx.Now)); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.account.open", "ledger_account", id, in.RegionCode, nil, out)
	})
	return out, err
}

// FinanceAccount returns the finance (财政) account of a region, opening it on first use.
func FinanceAccount(ctx context.Context, tx *db.Tx, by int64, region string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'finance' AND region_code = ? ORDER BY id LIMIT 1`, region).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, region).Scan(&name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errs.Field("region_code", "区划 "+region+" 不存在")
		}
		return 0, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('finance', ?, ?, ?, ?) RETURNING id`,
		name+"财政", region, by, db.Time(tx.Now))
}

// Payee is who a payment goes to: a person by ID number, with their household when registered.
type Payee struct {
	IDNumber    string
	Name        string
	RegionCode  string
	HouseholdID int64 // 0 = not a registered member
}

// PassbookAccount returns the payee's passbook (一折通) account, opening it on first use.
func PassbookAccount(ctx context.Context, tx *db.Tx, by int64, py Payee) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'passbook' AND id_number = ?`, py.IDNumber).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, household_id, id_number, created_by, created_at)
		VALUES ('passbook', ?, ?, ?, ?, ?, ?) RETURNING id`, py.Name+"一折通", py.RegionCode, db.NullID(py.HouseholdID), py.IDNumber, by, db.Time(tx.Now))
}

// Accounts lists ledger accounts the principal may see.
func (s *Service) Accounts(ctx context.Context, p *auth.Principal, f AccountFilter) ([]Account, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(AccountKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的账户类型")
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	return listAccounts(ctx, s.DB.Reader(), p, f)
}

// Account reads one account with its balance in each fund.
func (s *Service) Account(ctx context.Context, p *auth.Principal, id int64) (Account, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Account{}, err
	}
	return getAccount(ctx, s.DB.Reader(), p, id, s.today())
}
