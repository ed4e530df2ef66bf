package visits

import (
	"context"
	"database/sql"

	"sunshine/internal/db"
	"sunshine/internal/regioncode"
)

// dueWhere selects the households a quarter's visit is owed to, on households h: registered,
// or exited with the policy running at the quarter's start (帮扶政策延续期内). The status IN
// lets both dialects read households_status_region by the region's range. Its one argument
// is the quarter's first date.
const dueWhere = `h.status IN ('registered', 'exited') AND h.region_code BETWEEN ? AND ?
	AND (h.status = 'registered' OR h.policy_until >= ?)`

// visitedIn is true when household h has a visit in [from, to): a range read of
// visits_household (household_id, visited_at). The overdue page uses it: it stops at a page.
const visitedIn = `EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.visited_at >= ? AND v.visited_at < ?)`

// visitedSet is true when household h has a visit of the quarter under the region: the set is
// read once from visits_region_quarter, bounded by the region (PostgreSQL hashes it; the
// correlated form above made it scan every visit of the city for one county's counts).
const visitedSet = `h.id IN (SELECT v.household_id FROM visits v WHERE v.region_code BETWEEN ? AND ? AND v.quarter = ?)`

// complianceByChild counts due, visited and helperless households per child of region, keyed
// by the child's code prefix (childLen digits), in one grouped scan of the region's range.
func complianceByChild(ctx context.Context, q db.Queryer, region string, childLen int, span quarterSpan) (map[string]*ComplianceCounts, error) {
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT SUBSTR(h.region_code, 1, ?), COUNT(*),
		SUM(CASE WHEN `+visitedSet+` THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END)
		FROM households h LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		WHERE `+dueWhere+` GROUP BY 1`, childLen, lo, hi, span.Name, lo, hi, span.FirstDate)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*ComplianceCounts{}
	for rows.Next() {
		var k string
		c := &ComplianceCounts{}
		if err := rows.Scan(&k, &c.Due, &c.Visited, &c.NoHelper); err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, rows.Err()
}

// childRegions lists the direct children of a region.
func childRegions(ctx context.Context, q db.Queryer, code string) ([]RegionRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, name, level FROM regions WHERE parent_code = ? ORDER BY code`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RegionRef
	for rows.Next() {
		var r RegionRef
		if err := rows.Scan(&r.Code, &r.Name, &r.Level); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// signalCounts adds, per kind, the visits of the quarter under region that carry the sign
// (a same_photo sign may be recorded several times on one visit; it counts once). Read from
// visit_signals_region (region_code, kind, id).
func signalCounts(ctx context.Context, q db.Queryer, region string, span quarterSpan, into map[string]int64) error {
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT s.kind, COUNT(DISTINCT s.visit_id) FROM visit_signals s JOIN visits v ON v.id = s.visit_id
		WHERE s.region_code BETWEEN ? AND ? AND v.quarter = ? GROUP BY s.kind`, lo, hi, span.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		into[k] = n
	}
	return rows.Err()
}

// pendingConflicts counts the quarter's visits under region with an unresolved conflict.
// Driven by visit_conflicts (a small table: conflicts are rare), not by the quarter's visits.
func pendingConflicts(ctx context.Context, q db.Queryer, region string, span quarterSpan) (int64, error) {
	lo, hi := regioncode.Range(region)
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT c.visit_id) FROM visit_conflicts c JOIN visits v ON v.id = c.visit_id
		WHERE c.resolution = '' AND v.region_code BETWEEN ? AND ? AND v.quarter = ?`, lo, hi, span.Name).Scan(&n)
	return n, err
}

// listOverdue pages through the due households under region without a visit in the quarter,
// in (village, id) order from the cursor, with their current helper and latest visit.
func listOverdue(ctx context.Context, q db.Queryer, region string, span quarterSpan, after OverdueCursor, limit int) ([]OverdueRow, error) {
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, COALESCE(r.name, ''),
		COALESCE(e.id, 0), COALESCE(e.name, ''), COALESCE(e.phone, ''),
		(SELECT MAX(l.visited_at) FROM visits l WHERE l.household_id = h.id)
		FROM households h LEFT JOIN regions r ON r.code = h.region_code
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		LEFT JOIN helpers e ON e.id = a.helper_id
		WHERE `+dueWhere+` AND (h.region_code, h.id) > (?, ?) AND NOT `+visitedIn+`
		ORDER BY h.region_code, h.id LIMIT ?`,
		lo, hi, span.FirstDate, after.Region, after.ID, span.FromUTC, span.ToUTC, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []OverdueRow{}
	for rows.Next() {
		var o OverdueRow
		var last sql.NullString
		if err := rows.Scan(&o.HouseholdID, &o.HouseholdNo, &o.HeadName, &o.RegionCode, &o.RegionName,
			&o.HelperID, &o.HelperName, &o.HelperPhone, &last); err != nil {
			return nil, err
		}
		o.LastVisitAt = storedTimePtr(last)
		out = append(out, o)
	}
	return out, rows.Err()
}
