package registry

import (
	"context"
	"database/sql"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

const householdCols = `h.id, h.household_no, h.region_code, COALESCE(r.name, ''), h.group_name, h.head_name, h.head_id_number,
	h.address, h.phone, h.household_type, h.causes, h.bank, h.account_no,
	h.income_year, h.income_per_capita_fen, h.income_wage_fen, h.income_production_fen, h.income_property_fen, h.income_transfer_fen,
	h.g_food, h.g_education, h.g_medical, h.g_housing, h.g_water,
	h.status, COALESCE(h.registered_on, ''), COALESCE(h.exited_on, ''), COALESCE(h.policy_until, ''), COALESCE(h.removed_on, ''),
	h.returns, h.members_count, h.version, h.source, h.created_at, h.updated_at`

type scanner interface{ Scan(...any) error }

func scanHousehold(s scanner) (Household, error) {
	var h Household
	var causes string
	err := s.Scan(&h.ID, &h.HouseholdNo, &h.RegionCode, &h.RegionName, &h.GroupName, &h.HeadName, &h.HeadIDNumber,
		&h.Address, &h.Phone, &h.HouseholdType, &causes, &h.Bank, &h.AccountNo,
		&h.Income.Year, &h.Income.PerCapitaFen, &h.Income.WageFen, &h.Income.ProductionFen, &h.Income.PropertyFen, &h.Income.TransferFen,
		&h.Guarantees.Food, &h.Guarantees.Education, &h.Guarantees.Medical, &h.Guarantees.Housing, &h.Guarantees.Water,
		&h.Status, &h.RegisteredOn, &h.ExitedOn, &h.PolicyUntil, &h.RemovedOn,
		&h.Returns, &h.MembersCount, &h.Version, &h.Source, &h.CreatedAt, &h.UpdatedAt)
	h.Causes = splitCauses(causes)
	return h, err
}

var errNoHousehold = errs.E(errs.NotFound, "农户不存在")

func getHousehold(ctx context.Context, q db.Queryer, id int64) (Household, error) {
	h, err := scanHousehold(q.QueryRowContext(ctx, `SELECT `+householdCols+`
		FROM households h LEFT JOIN regions r ON r.code = h.region_code WHERE h.id = ?`, id))
	if err == sql.ErrNoRows {
		return h, errNoHousehold
	}
	return h, err
}

func insertHousehold(ctx context.Context, tx *db.Tx, in HouseholdInput, source string) (int64, error) {
	now := db.Time(tx.Now)
	return tx.InsertID(ctx, `INSERT INTO households (household_no, region_code, group_name, head_name, head_id_number, address, phone,
		household_type, causes, bank, account_no, income_year, income_per_capita_fen, income_wage_fen, income_production_fen,
		income_property_fen, income_transfer_fen, g_food, g_education, g_medical, g_housing, g_water, status, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applying', ?, ?, ?) RETURNING id`,
		in.HouseholdNo, in.RegionCode, in.GroupName, in.HeadName, in.HeadIDNumber, in.Address, in.Phone,
		in.HouseholdType, strings.Join(in.Causes, ";"), in.Bank, in.AccountNo, in.Income.Year, in.Income.PerCapitaFen,
		in.Income.WageFen, in.Income.ProductionFen, in.Income.PropertyFen, in.Income.TransferFen,
		in.Guarantees.Food, in.Guarantees.Education, in.Guarantees.Medical, in.Guarantees.Housing, in.Guarantees.Water,
		source, now, now)
}

// updateHousehold writes the editable fields when the stored version is still the one the
// editor saw; anything else is a conflict, never a silent overwrite.
func updateHousehold(ctx context.Context, tx *db.Tx, id, version int64, in HouseholdInput) error {
	res, err := tx.ExecContext(ctx, `UPDATE households SET group_name = ?, head_name = ?, head_id_number = ?, address = ?, phone = ?,
		household_type = ?, causes = ?, bank = ?, account_no = ?, income_year = ?, income_per_capita_fen = ?, income_wage_fen = ?,
		income_production_fen = ?, income_property_fen = ?, income_transfer_fen = ?, g_food = ?, g_education = ?, g_medical = ?,
		g_housing = ?, g_water = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.GroupName, in.HeadName, in.HeadIDNumber, in.Address, in.Phone, in.HouseholdType, strings.Join(in.Causes, ";"),
		in.Bank, in.AccountNo, in.Income.Year, in.Income.PerCapitaFen, in.Income.WageFen, in.Income.ProductionFen,
		in.Income.PropertyFen, in.Income.TransferFen, in.Guarantees.Food, in.Guarantees.Education, in.Guarantees.Medical,
		in.Guarantees.Housing, in.Guarantees.Water, db.Time(tx.Now), id, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "该户已被他人修改(版本已变化),请刷新后重试")
	}
	return nil
}

// setStatus moves a household to a new status with its dates; only procedures call it.
func setStatus(ctx context.Context, tx *db.Tx, id int64, to Status, set map[string]any) error {
	cols := []string{"status = ?", "version = version + 1", "updated_at = ?"}
	args := []any{to, db.Time(tx.Now)}
	for _, k := range []string{"registered_on", "exited_on", "policy_until", "removed_on", "returns"} {
		if v, ok := set[k]; ok {
			if k == "returns" {
				cols = append(cols, "returns = returns + 1")
				continue
			}
			cols, args = append(cols, k+" = ?"), append(args, v)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE households SET `+strings.Join(cols, ", ")+` WHERE id = ?`, append(args, id)...)
	return err
}

const memberCols = `id, household_id, id_number, name, relation, sex, birth_date, health, disability_grade, labour, in_school,
	medical_insurance, COALESCE(deceased_on, ''), active, COALESCE(left_on, ''), left_reason`

func scanMember(s scanner) (Member, error) {
	var m Member
	var school, insured, active int
	err := s.Scan(&m.ID, &m.HouseholdID, &m.IDNumber, &m.Name, &m.Relation, &m.Sex, &m.BirthDate, &m.Health, &m.DisabilityGrade,
		&m.Labour, &school, &insured, &m.DeceasedOn, &active, &m.LeftOn, &m.LeftReason)
	m.InSchool, m.MedicalInsured, m.Active = school == 1, insured == 1, active == 1
	return m, err
}

func listMembers(ctx context.Context, q db.Queryer, householdID int64) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+memberCols+` FROM members WHERE household_id = ? ORDER BY active DESC, id`, householdID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func getMember(ctx context.Context, q db.Queryer, id int64) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return m, errs.E(errs.NotFound, "成员不存在")
	}
	return m, err
}

// activeHolder is the household (number) that holds id number as an active member, if any.
func activeHolder(ctx context.Context, q db.Queryer, idNumber string) (householdID int64, householdNo string, err error) {
	err = q.QueryRowContext(ctx, `SELECT h.id, h.household_no FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.id_number = ? AND m.active = 1`, idNumber).Scan(&householdID, &householdNo)
	if err == sql.ErrNoRows {
		return 0, "", nil
	}
	return householdID, householdNo, err
}

func insertMember(ctx context.Context, tx *db.Tx, h Household, in MemberInput, id idcard.ID, source string) (int64, error) {
	now := db.Time(tx.Now)
	return tx.InsertID(ctx, `INSERT INTO members (household_id, region_code, id_number, name, relation, sex, birth_date, health,
		disability_grade, labour, in_school, medical_insurance, deceased_on, active, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		h.ID, h.RegionCode, id.Number, in.Name, in.Relation, SexOf(id), id.Birth.Format(db.DateLayout), in.Health,
		in.DisabilityGrade, in.Labour, b2i(in.InSchool), b2i(in.MedicalInsured), nullIf(in.DeceasedOn), source, now, now)
}

func updateMember(ctx context.Context, tx *db.Tx, id int64, in MemberInput) error {
	_, err := tx.ExecContext(ctx, `UPDATE members SET name = ?, relation = ?, health = ?, disability_grade = ?, labour = ?,
		in_school = ?, medical_insurance = ?, deceased_on = ?, updated_at = ? WHERE id = ?`,
		in.Name, in.Relation, in.Health, in.DisabilityGrade, in.Labour, b2i(in.InSchool), b2i(in.MedicalInsured),
		nullIf(in.DeceasedOn), db.Time(tx.Now), id)
	return err
}

// refreshHousehold recomputes the denormalised member count and head name after member changes.
func refreshHousehold(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE households SET
		members_count = (SELECT COUNT(*) FROM members WHERE household_id = ? AND active = 1),
		head_name = COALESCE((SELECT MIN(name) FROM members WHERE household_id = ? AND active = 1 AND relation = 'head'), head_name),
		updated_at = ? WHERE id = ?`, id, id, db.Time(tx.Now), id)
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func listHouseholds(ctx context.Context, q db.Queryer, f Filter) ([]HouseholdRow, error) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"h.region_code BETWEEN ? AND ?", "(h.region_code, h.id) > (?, ?)"}
	args := []any{lo, hi, f.After.Region, f.After.ID}
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.Status != "" {
		add("h.status = ?", f.Status)
	}
	if f.Type != "" {
		add("h.household_type = ?", f.Type)
	}
	if f.Cause != "" {
		// On the bare column, so PostgreSQL estimates from its statistics (an expression gets a
		// blind guess and a whole-table sort). Exact because no cause code contains another.
		add("h.causes LIKE ?", "%"+f.Cause+"%")
	}
	if f.IncomeMin != nil {
		add("h.income_per_capita_fen >= ?", *f.IncomeMin)
	}
	if f.IncomeMax != nil {
		add("h.income_per_capita_fen <= ?", *f.IncomeMax)
	}
	switch f.Gap {
	case "":
	case "any":
		add("(h.g_food = 'gap' OR h.g_education = 'gap' OR h.g_medical = 'gap' OR h.g_housing = 'gap' OR h.g_water = 'gap')")
	default:
		add("h.g_" + f.Gap + " = 'gap'") // f.Gap is checked against GuaranteeNames by the service
	}
	if f.NoHelper {
		add("NOT EXISTS (SELECT 1 FROM assignments a WHERE a.household_id = h.id AND a.to_date IS NULL)")
	}
	if f.Query != "" {
		add("(h.household_no = ? OR h.head_name LIKE ? OR h.head_id_number = ?)", f.Query, f.Query+"%", strings.ToUpper(f.Query))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+rowCols+`
		FROM households h LEFT JOIN regions r ON r.code = h.region_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY h.region_code, h.id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HouseholdRow{}
	for rows.Next() {
		h, err := scanRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func scanRow(s scanner) (HouseholdRow, error) {
	var h HouseholdRow
	var id, causes string
	var g Guarantees
	err := s.Scan(&h.ID, &h.HouseholdNo, &h.RegionCode, &h.VillageName, &h.HeadName, &id, &h.Status, &h.HouseholdType,
		&causes, &g.Food, &g.Education, &g.Medical, &g.Housing, &g.Water, &h.MembersCount, &h.IncomePerCapitaFen, &h.IncomeYear)
	h.HeadIDMasked = idcard.Mask(id)
	h.Causes = splitCauses(causes)
	h.Gaps = g.Gaps()
	return h, err
}

const rowCols = `h.id, h.household_no, h.region_code, COALESCE(r.name, ''), h.head_name, h.head_id_number,
	h.status, h.household_type, h.causes, h.g_food, h.g_education, h.g_medical, h.g_housing, h.g_water,
	h.members_count, h.income_per_capita_fen, h.income_year`
