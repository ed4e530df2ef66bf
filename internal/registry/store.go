package registry

import (
	"context"
	"strings"

	"sunshine/internal/db"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

func listHouseholds(ctx context.Context, q db.Queryer, f Filter) ([]HouseholdRow, error) {
	lo, hi := regioncode.Range(f.Region)
	where := []string{"h.region_code BETWEEN ? AND ?", "h.id > ?"}
	args := []any{lo, hi, f.After}
	if f.Status != "" {
		where, args = append(where, "h.status = ?"), append(args, f.Status)
	}
	if f.Query != "" {
		where, args = append(where, "(h.household_no = ? OR h.head_name LIKE ?)"), append(args, f.Query, f.Query+"%")
	}
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.household_no, h.region_code, COALESCE(r.name, ''), h.head_name, h.head_id_number,
		h.status, h.household_type, h.members_count, h.income_per_capita_fen, h.income_year
		FROM households h LEFT JOIN regions r ON r.code = h.region_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY h.id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HouseholdRow
	for rows.Next() {
		var h HouseholdRow
		var id string
		if err := rows.Scan(&h.ID, &h.HouseholdNo, &h.RegionCode, &h.VillageName, &h.HeadName, &id, &h.Status, &h.HouseholdType,
			&h.MembersCount, &h.IncomePerCapitaFen, &h.IncomeYear); err != nil {
			return nil, err
		}
		h.HeadIDMasked = idcard.Mask(id)
		out = append(out, h)
	}
	return out, rows.Err()
}

// countsByChild returns counts per direct child of region (and the totals), in one grouped
// scan over the region's code range.
func countsByChild(ctx context.Context, q db.Queryer, region string, childPrefixLen int) (map[string]*Counts, error) {
	lo, hi := regioncode.Range(region)
	out := map[string]*Counts{}
	get := func(k string) *Counts {
		c, ok := out[k]
		if !ok {
			c = &Counts{}
			out[k] = c
		}
		return c
	}
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(region_code, 1, ?), status, COUNT(*), SUM(members_count)
		FROM households WHERE region_code BETWEEN ? AND ? GROUP BY 1, 2`, childPrefixLen, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var prefix string
		var status Status
		var n, members int64
		if err := rows.Scan(&prefix, &status, &n, &members); err != nil {
			return nil, err
		}
		c := get(prefix)
		c.Households += n
		switch status {
		case Registered:
			c.Registered += n
			c.Members += members
		case Applying:
			c.Applying += n
		case Exited:
			c.Exited += n
		case Removed:
			c.Removed += n
		}
	}
	return out, rows.Err()
}
