package duty

import (
	"context"
	"database/sql"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

var errNoHelper = errs.E(errs.NotFound, "帮扶责任人不存在")

// HelperRow is a helper as the list shows them: ID number masked, with the current load.
type HelperRow struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	IDNumberMasked string `json:"id_number_masked"`
	Phone          string `json:"phone"`
	Employer       string `json:"employer"`
	Position       string `json:"position"`
	PartyMember    bool   `json:"party_member"`
	RegionCode     string `json:"region_code"`
	RegionName     string `json:"region_name"`
	Active         bool   `json:"active"`
	Households     int    `json:"households"`
}

// HelperFilter selects helpers for the list.
type HelperFilter struct {
	Region string
	Query  string // name prefix, phone or ID number
	Active *bool
	After  int64
	Limit  int
}

// HelperHousehold is a household a helper currently answers for.
type HelperHousehold struct {
	HouseholdID int64  `json:"household_id"`
	HouseholdNo string `json:"household_no"`
	HeadName    string `json:"head_name"`
	RegionCode  string `json:"region_code"`
	VillageName string `json:"village_name"`
	Status      string `json:"status"`
	FromDate    string `json:"from_date"`
}

func getHelper(ctx context.Context, q db.Queryer, id int64) (Helper, error) {
	var h Helper
	var party, active int
	err := q.QueryRowContext(ctx, `SELECT e.id, e.id_number, e.name, e.phone, e.employer, e.position, e.party_member, e.region_code, e.active,
		COALESCE(e.user_id, 0), COALESCE(u.username, '')
		FROM helpers e LEFT JOIN users u ON u.id = e.user_id WHERE e.id = ?`, id).
		Scan(&h.ID, &h.IDNumber, &h.Name, &h.Phone, &h.Employer, &h.Position, &party, &h.RegionCode, &active, &h.UserID, &h.Username)
	if err == sql.ErrNoRows {
		return h, errNoHelper
	}
	h.PartyMember, h.Active = party == 1, active == 1
	return h, err
}

const loadOf = `(SELECT COUNT(*) FROM assignments a WHERE a.helper_id = e.id AND a.to_date IS NULL)`

func listHelpers(ctx context.Context, q db.Queryer, f HelperFilter) ([]HelperRow, error) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"e.region_code BETWEEN ? AND ?", "e.id > ?"}
	args := []any{lo, hi, f.After}
	if f.Query != "" {
		where = append(where, "(e.name LIKE ? OR e.phone = ? OR e.id_number = ?)")
		args = append(args, f.Query+"%", f.Query, strings.ToUpper(f.Query))
	}
	if f.Active != nil {
		where, args = append(where, "e.active = ?"), append(args, b2i(*f.Active))
	}
	return scanHelperRows(q.QueryContext(ctx, `SELECT e.id, e.name, e.id_number, e.phone, e.employer, e.position, e.party_member,
		e.region_code, COALESCE(r.name, ''), e.active, `+loadOf+`
		FROM helpers e LEFT JOIN regions r ON r.code = e.region_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.id LIMIT ?`, append(args, f.Limit)...))
}

func scanHelperRows(rows *sql.Rows, err error) ([]HelperRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HelperRow{}
	for rows.Next() {
		var h HelperRow
		var id string
		var party, active int
		if err := rows.Scan(&h.ID, &h.Name, &id, &h.Phone, &h.Employer, &h.Position, &party, &h.RegionCode, &h.RegionName,
			&active, &h.Households); err != nil {
			return nil, err
		}
		h.IDNumberMasked, h.PartyMember, h.Active = idcard.Mask(id), party == 1, active == 1
		out = append(out, h)
	}
	return out, rows.Err()
}

// overloaded lists helpers answering for households in the range with more than max of them.
func overloaded(ctx context.Context, q db.Queryer, lo, hi string, max int) ([]Load, error) {
	rows, err := scanHelperRows(q.QueryContext(ctx, `SELECT e.id, e.name, e.id_number, e.phone, e.employer, e.position, e.party_member,
		e.region_code, COALESCE(r.name, ''), e.active, COUNT(*)
		FROM assignments a JOIN helpers e ON e.id = a.helper_id LEFT JOIN regions r ON r.code = e.region_code
		WHERE a.to_date IS NULL AND a.region_code BETWEEN ? AND ?
		GROUP BY e.id, e.name, e.id_number, e.phone, e.employer, e.position, e.party_member, e.region_code, r.name, e.active
		HAVING COUNT(*) > ? ORDER BY COUNT(*) DESC, e.id LIMIT 500`, lo, hi, max))
	if err != nil {
		return nil, err
	}
	out := []Load{}
	for _, h := range rows {
		out = append(out, Load{Helper: h, Households: h.Households})
	}
	return out, nil
}

func insertHelper(ctx context.Context, tx *db.Tx, in HelperInput, region string) (int64, error) {
	now := db.Time(tx.Now)
	return tx.InsertID(ctx, `INSERT INTO helpers (id_number, name, phone, employer, position, party_member, region_code, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, in.IDNumber, in.Name, in.Phone, in.Employer, in.Position, b2i(in.PartyMember), region, now, now)
}

func updateHelper(ctx context.Context, tx *db.Tx, id int64, in HelperInput, active bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE helpers SET name = ?, phone = ?, employer = ?, position = ?, party_member = ?, active = ?, updated_at = ?
		WHERE id = ?`, in.Name, in.Phone, in.Employer, in.Position, b2i(in.PartyMember), b2i(active), db.Time(tx.Now), id)
	return err
}

func countCurrent(ctx context.Context, q db.Queryer, helperID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments WHERE helper_id = ? AND to_date IS NULL`, helperID).Scan(&n)
	return n, err
}

// currentHouseholds lists the helper's current households within scope.
func currentHouseholds(ctx context.Context, q db.Queryer, helperID int64, scope string) ([]HelperHousehold, error) {
	lo, hi := regioncode.Range(scope)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, COALESCE(r.name, ''), h.status, a.from_date
		FROM assignments a JOIN households h ON h.id = a.household_id LEFT JOIN regions r ON r.code = h.region_code
		WHERE a.helper_id = ? AND a.to_date IS NULL AND a.region_code BETWEEN ? AND ? ORDER BY h.region_code, h.id`, helperID, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HelperHousehold{}
	for rows.Next() {
		var h HelperHousehold
		if err := rows.Scan(&h.HouseholdID, &h.HouseholdNo, &h.HeadName, &h.RegionCode, &h.VillageName, &h.Status, &h.FromDate); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func scanAssignments(rows *sql.Rows, err error) ([]Assignment, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		var to sql.NullString
		if err := rows.Scan(&a.ID, &a.HouseholdID, &a.HelperID, &a.RegionCode, &a.FromDate, &to); err != nil {
			return nil, err
		}
		a.ToDate = to.String
		out = append(out, a)
	}
	return out, rows.Err()
}

const assignCols = `id, household_id, helper_id, region_code, from_date, to_date`

// currentAssignment is the household's open assignment; nil when it has no helper (a normal
// state the coverage check reports, not an error).
func currentAssignment(ctx context.Context, q db.Queryer, householdID int64) (*Assignment, error) {
	list, err := scanAssignments(q.QueryContext(ctx, `SELECT `+assignCols+` FROM assignments WHERE household_id = ? AND to_date IS NULL`, householdID))
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

func currentOf(ctx context.Context, q db.Queryer, helperID int64) ([]Assignment, error) {
	return scanAssignments(q.QueryContext(ctx, `SELECT `+assignCols+` FROM assignments WHERE helper_id = ? AND to_date IS NULL ORDER BY id`, helperID))
}

func endAssignment(ctx context.Context, tx *db.Tx, id int64, on string) error {
	_, err := tx.ExecContext(ctx, `UPDATE assignments SET to_date = ?, updated_at = ? WHERE id = ?`, on, db.Time(tx.Now), id)
	return err
}

func insertAssignment(ctx context.Context, tx *db.Tx, a Assignment) (int64, error) {
	now := db.Time(tx.Now)
	return tx.InsertID(ctx, `INSERT INTO assignments (household_id, helper_id, region_code, from_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, a.HouseholdID, a.HelperID, a.RegionCode, a.FromDate, now, now)
}
