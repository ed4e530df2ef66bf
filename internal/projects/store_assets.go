package projects

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// assetProj is what the asset register needs of a project.
type assetProj struct {
	ID         int64
	Code       string
	Name       string
	RegionCode string
	Stage      int
	Status     string
	AcceptedOn string // actual end of the acceptance stage ("" when not signed)
}

// assetProject loads the project an asset is formed by (no scope check: callers check the
// asset's region).
func assetProject(ctx context.Context, q db.Queryer, id int64) (assetProj, error) {
	var pr assetProj
	var accepted sql.NullString
	err := q.QueryRowContext(ctx, `SELECT p.id, p.code, p.name, p.region_code, p.stage, p.status, s.actual_end
		FROM projects p LEFT JOIN project_stages s ON s.project_id = p.id AND s.stage = ?
		WHERE p.id = ?`, Acceptance, id).Scan(&pr.ID, &pr.Code, &pr.Name, &pr.RegionCode, &pr.Stage, &pr.Status, &accepted)
	if errors.Is(err, sql.ErrNoRows) {
		return pr, errs.Missing("project_id", "项目不存在")
	}
	pr.AcceptedOn = accepted.String
	return pr, err
}

// villageAccount returns the village collective's ledger account of a region (kind village,
// named region name + "村集体"), opening it on first use.
func villageAccount(ctx context.Context, tx *db.Tx, by int64, region string) (int64, error) {
	name := regionName(ctx, tx, region)
	if name == "" {
		return 0, errs.Field("region_code", "区划 "+region+" 不存在")
	}
	name += "村集体"
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'village' AND region_code = ? AND name = ?`, region, name).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('village', ?, ?, ?, ?) RETURNING id`,
		name, region, by, db.Time(tx.Now))
}

const assetColumns = `a.id, a.code, a.name, a.project_id, p.code, p.name, a.kind, a.value_fen, a.ownership, a.region_code, COALESCE(r.name, ''),
	a.property_reg_no, a.custodian, a.location, a.lat, a.lng, a.status, a.formed_on, a.account_id,
	COALESCE((SELECT SUM(i.amount_fen) FROM asset_incomes i WHERE i.asset_id = a.id AND i.status = 'recorded'), 0),
	(SELECT COUNT(*) FROM asset_beneficiaries b WHERE b.asset_id = a.id),
	a.version, a.created_at, a.updated_at`

const assetFrom = ` FROM assets a JOIN projects p ON p.id = a.project_id LEFT JOIN regions r ON r.code = a.region_code`

func scanAsset(sc interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	var lat, lng sql.NullFloat64
	var acct sql.NullInt64
	err := sc.Scan(&a.ID, &a.Code, &a.Name, &a.ProjectID, &a.ProjectCode, &a.ProjectName, &a.Kind, &a.ValueFen, &a.Ownership,
		&a.RegionCode, &a.RegionName, &a.PropertyRegNo, &a.Custodian, &a.Location, &lat, &lng, &a.Status, &a.FormedOn, &acct,
		&a.UndistributedFen, &a.Beneficiaries, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if lat.Valid && lng.Valid {
		a.Lat, a.Lng = &lat.Float64, &lng.Float64
	}
	if acct.Valid {
		a.AccountID = &acct.Int64
	}
	return a, err
}

// getAsset reads one asset (no scope check).
func getAsset(ctx context.Context, q db.Queryer, id int64) (Asset, error) {
	a, err := scanAsset(q.QueryRowContext(ctx, `SELECT `+assetColumns+assetFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Asset{}, errNoAsset
	}
	return a, err
}

// assetDetail reads the asset page.
func assetDetail(ctx context.Context, q db.Queryer, id int64, today string) (AssetDetail, error) {
	a, err := getAsset(ctx, q, id)
	if err != nil {
		return AssetDetail{}, err
	}
	d := AssetDetail{Asset: a}
	if d.Entitled, err = entitledOf(ctx, q, id); err != nil {
		return d, err
	}
	d.Incomes, err = incomesOf(ctx, q, `i.asset_id = ?`, id, today)
	return d, err
}

// entitledOf lists an asset's entitled households by household id.
func entitledOf(ctx context.Context, q db.Queryer, asset int64) ([]Entitled, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.household_id, h.head_name, h.region_code, b.share, h.account_no
		FROM asset_beneficiaries b JOIN households h ON h.id = b.household_id WHERE b.asset_id = ? ORDER BY b.household_id`, asset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entitled{}
	for rows.Next() {
		var e Entitled
		var acct string
		if err := rows.Scan(&e.HouseholdID, &e.HouseholdHead, &e.RegionCode, &e.Share, &acct); err != nil {
			return nil, err
		}
		e.Payable = strings.TrimSpace(acct) != ""
		out = append(out, e)
	}
	return out, rows.Err()
}

// incomesOf lists incomes matching cond (on alias i) with their payouts, newest year first.
func incomesOf(ctx context.Context, q db.Queryer, cond string, arg int64, today string) ([]Income, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.asset_id, i.year, i.amount_fen, i.received_on, i.fund_id, f.code, i.status,
		i.distributed_on, i.version, i.created_at FROM asset_incomes i JOIN funds f ON f.id = i.fund_id WHERE `+cond+` ORDER BY i.year DESC, i.id DESC`, arg)
	if err != nil {
		return nil, err
	}
	out := []Income{}
	for rows.Next() {
		var in Income
		var dist sql.NullString
		if err := rows.Scan(&in.ID, &in.AssetID, &in.Year, &in.AmountFen, &in.ReceivedOn, &in.FundID, &in.FundCode, &in.Status,
			&dist, &in.Version, &in.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		if dist.Valid {
			in.DistributedOn = &dist.String
		} else {
			in.DaysWaiting = daysBetween(in.ReceivedOn, today)
		}
		in.Lines = []Payout{}
		out = append(out, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Status != "distributed" {
			continue
		}
		if out[i].Lines, err = payoutsOf(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func payoutsOf(ctx context.Context, q db.Queryer, income int64) ([]Payout, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.household_id, d.payee_name, d.payee_id_number, d.amount_fen, d.transfer_id
		FROM asset_distributions d WHERE d.income_id = ? ORDER BY d.household_id`, income)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Payout{}
	for rows.Next() {
		var p Payout
		var tr sql.NullInt64
		if err := rows.Scan(&p.HouseholdID, &p.HouseholdHead, &p.PayeeIDNumber, &p.AmountFen, &tr); err != nil {
			return nil, err
		}
		p.PayeeIDNumber = idcard.Mask(p.PayeeIDNumber)
		if tr.Valid {
			p.TransferID = &tr.Int64
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// getIncome reads one income with its payouts and its asset's region (no scope check).
func getIncome(ctx context.Context, q db.Queryer, id int64, today string) (Income, string, error) {
	list, err := incomesOf(ctx, q, `i.id = ?`, id, today)
	if err != nil {
		return Income{}, "", err
	}
	if len(list) == 0 {
		return Income{}, "", errNoIncome
	}
	var region string
	err = q.QueryRowContext(ctx, `SELECT region_code FROM asset_incomes WHERE id = ?`, id).Scan(&region)
	return list[0], region, err
}

var errNoIncome = errs.E(errs.NotFound, "资产收益记录不存在")

// daysBetween counts whole days from one date to another (0 when not after).
func daysBetween(from, to string) int {
	a, err1 := time.Parse(db.DateLayout, from)
	b, err2 := time.Parse(db.DateLayout, to)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// addDays moves a YYYY-MM-DD date by n days.
func addDays(d string, n int) string {
	t, err := time.Parse(db.DateLayout, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, n).Format(db.DateLayout)
}

// assetWhere is the WHERE clause of the asset list and register for a filter and principal.
func assetWhere(p *auth.Principal, f AssetFilter, today string) (string, []any) {
	cond, args := p.ScopeCond("a.region_code")
	where := []string{cond}
	if f.Region != "" {
		where = append(where, "a.region_code BETWEEN ? AND ?")
		lo, hi := regioncode.Range(f.Region)
		args = append(args, lo, hi)
	}
	if f.Kind != "" {
		where = append(where, "a.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		where = append(where, "a.status = ?")
		args = append(args, f.Status)
	}
	if f.ProjectID != 0 {
		where = append(where, "a.project_id = ?")
		args = append(args, f.ProjectID)
	}
	switch f.Attention {
	case "idle", "lost":
		where = append(where, "a.status = ?")
		args = append(args, f.Attention)
	case "undistributed":
		where = append(where, `EXISTS (SELECT 1 FROM asset_incomes i WHERE i.asset_id = a.id AND i.status = 'recorded' AND i.received_on <= ?)`)
		args = append(args, addDays(today, -UndistributedDays))
	}
	if f.Q != "" {
		like := "%" + escapeLike(f.Q) + "%"
		where = append(where, `(a.name LIKE ? ESCAPE '\' OR a.code LIKE ? ESCAPE '\' OR a.property_reg_no LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	return strings.Join(where, " AND "), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// listAssets is one page of the register, id descending.
func listAssets(ctx context.Context, q db.Queryer, p *auth.Principal, f AssetFilter, today string) ([]Asset, error) {
	where, args := assetWhere(p, f, today)
	if f.After > 0 {
		where += " AND a.id < ?"
		args = append(args, f.After)
	}
	args = append(args, f.Limit+1)
	// the page's ids first (an index range on the assets alone), then the per-asset figures
	// (income, entitled households) for that page only
	rows, err := q.QueryContext(ctx, `SELECT `+assetColumns+assetFrom+` WHERE a.id IN (SELECT a.id FROM assets a WHERE `+where+`
		ORDER BY a.id DESC LIMIT ?) ORDER BY a.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Asset{}
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func assetCursor(a Asset) string { return strconv.FormatInt(a.ID, 10) }
