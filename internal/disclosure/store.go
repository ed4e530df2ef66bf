package disclosure

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/regioncode"
)

// The queries behind the public pages. Each takes a db.Queryer (the read pool in service,
// a counting wrapper in tests) and reads one region's code range through the region indexes.

var errNoRegion = errs.E(errs.NotFound, "区划不存在")

// checkCode answers 400 for a malformed code.
func checkCode(code string) error {
	if !regioncode.Valid(code) {
		return errs.Field("code", "区划代码须为 12 位数字")
	}
	return nil
}

// loadRegion reads a region with its enclosing regions (top first) and its children.
func loadRegion(ctx context.Context, q db.Queryer, code string) (RegionRef, []RegionRef, []RegionRef, error) {
	var r RegionRef
	var parent sql.NullString
	err := q.QueryRowContext(ctx, `SELECT code, name, level, parent_code FROM regions WHERE code = ?`, code).Scan(&r.Code, &r.Name, &r.Level, &parent)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil, nil, errNoRegion
	}
	if err != nil {
		return r, nil, nil, err
	}
	path := []RegionRef{}
	for p := parent.String; parent.Valid && p != "" && len(path) < 6; {
		var x RegionRef
		var up sql.NullString
		err := q.QueryRowContext(ctx, `SELECT code, name, level, parent_code FROM regions WHERE code = ?`, p).Scan(&x.Code, &x.Name, &x.Level, &up)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return r, nil, nil, err
		}
		path = append([]RegionRef{x}, path...)
		p, parent = up.String, up
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name, level FROM regions WHERE parent_code = ? ORDER BY code`, code)
	if err != nil {
		return r, nil, nil, err
	}
	defer rows.Close()
	children := []RegionRef{}
	for rows.Next() {
		var x RegionRef
		if err := rows.Scan(&x.Code, &x.Name, &x.Level); err != nil {
			return r, nil, nil, err
		}
		children = append(children, x)
	}
	return r, path, children, rows.Err()
}

// yearBounds are the first and last dates of now's year in Shanghai, and the year.
func yearBounds(now time.Time) (from, to string, year int) {
	year = now.In(db.Shanghai).Year()
	y := strconv.Itoa(year)
	return y + "-01-01", y + "-12-31", year
}

// loadStats counts a region's headline figures.
func loadStats(ctx context.Context, q db.Queryer, code string, now time.Time) (Stats, error) {
	lo, hi := regioncode.Range(code)
	from, to, year := yearBounds(now)
	st := Stats{Year: year}
	if err := q.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = 'registered' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'registered' THEN members_count ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'exited' AND exited_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0)
		FROM households WHERE region_code BETWEEN ? AND ? AND status IN ('registered', 'exited')`, from, to, lo, hi).
		Scan(&st.Households, &st.People, &st.ExitedYear); err != nil {
		return st, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT helper_id) FROM assignments
		WHERE region_code BETWEEN ? AND ? AND to_date IS NULL`, lo, hi).Scan(&st.Helpers); err != nil {
		return st, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(o.amount_fen - COALESCE(r.amount_fen, 0)), 0),
		COALESCE(SUM(CASE WHEN o.on_date BETWEEN ? AND ? THEN o.amount_fen - COALESCE(r.amount_fen, 0) ELSE 0 END), 0)
		FROM ledger_transfers o JOIN ledger_accounts a ON a.id = o.to_account AND a.kind = 'passbook'
		LEFT JOIN ledger_transfers r ON r.reverses_id = o.id AND r.kind = 'reversal'
		WHERE o.kind = 'payment' AND o.region_code BETWEEN ? AND ?`, from, to, lo, hi).Scan(&st.PaidTotalFen, &st.PaidYearFen); err != nil {
		return st, err
	}
	// Projects the public see (projects.PublicProjects): past approval, from the tender on.
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(budget_fen), 0) FROM projects
		WHERE region_code BETWEEN ? AND ? AND stage >= 4 AND status <> 'failed'`, lo, hi).Scan(&st.Projects, &st.ProjectBudgetFen); err != nil {
		return st, err
	}
	return st, nil
}

// NoticeWindow is how long an ended notice stays on the public page.
const NoticeWindow = 30 * 24 * time.Hour

// maxNotices bounds the notices of one page (a county in a busy month).
const maxNotices = 200

// noticeSelect reads notices with what decides their period: the procedure's state and its
// last signature (a notice is current while no signature followed it, as registry.currentNotice).
const noticeSelect = `SELECT n.id, n.procedure_id, n.step, n.region_code, COALESCE(g.name, ''), n.title, n.body, n.starts_at, n.ends_at,
	p.kind, p.status, p.step, h.head_name,
	COALESCE((SELECT MAX(s.at) FROM procedure_signatures s WHERE s.procedure_id = p.id), ''),
	(SELECT COUNT(*) FROM objections o WHERE o.notice_id = n.id),
	(SELECT COUNT(*) FROM objections o WHERE o.notice_id = n.id AND o.answered_at IS NULL)
	FROM publicity_notices n JOIN procedures p ON p.id = n.procedure_id JOIN households h ON h.id = p.household_id
	LEFT JOIN regions g ON g.code = n.region_code`

type noticeRow struct {
	Notice
	procedureID int64
	open        bool
}

func scanNotice(sc interface{ Scan(...any) error }, now time.Time) (noticeRow, error) {
	var x noticeRow
	var step, procStep int
	var procStatus, head, lastSig string
	if err := sc.Scan(&x.ID, &x.procedureID, &step, &x.RegionCode, &x.RegionName, &x.Title, &x.Body, &x.StartsAt, &x.EndsAt,
		&x.Kind, &procStatus, &procStep, &head, &lastSig, &x.Objections, &x.Unanswered); err != nil {
		return x, err
	}
	nowS := db.Time(now)
	x.open = procStatus == "open" && procStep == step && lastSig <= x.StartsAt && x.StartsAt <= nowS && nowS < x.EndsAt
	x.Period = PeriodClosed
	if x.open {
		x.Period = PeriodOpen
	}
	x.KindLabel = kindLabels[x.Kind]
	x.Title, x.Body = Scrub(x.Title, head), Scrub(x.Body, head)
	return x, nil
}

// loadNotices reads the region's notices that have started and ended at most NoticeWindow ago:
// open ones first, then by end, newest first.
func loadNotices(ctx context.Context, q db.Queryer, code string, now time.Time) ([]Notice, error) {
	lo, hi := regioncode.Range(code)
	rows, err := q.QueryContext(ctx, noticeSelect+` WHERE n.region_code BETWEEN ? AND ? AND n.ends_at >= ? AND n.starts_at <= ?
		ORDER BY n.ends_at DESC, n.id DESC LIMIT ?`, lo, hi, db.Time(now.Add(-NoticeWindow)), db.Time(now), maxNotices)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var open, closed []Notice
	for rows.Next() {
		x, err := scanNotice(rows, now)
		if err != nil {
			return nil, err
		}
		if x.open {
			open = append(open, x.Notice)
		} else {
			closed = append(closed, x.Notice)
		}
	}
	return append(append(make([]Notice, 0, len(open)+len(closed)), open...), closed...), rows.Err()
}

// loadNotice reads one notice (for an objection).
func loadNotice(ctx context.Context, q db.Queryer, id int64, now time.Time) (noticeRow, error) {
	x, err := scanNotice(q.QueryRowContext(ctx, noticeSelect+` WHERE n.id = ?`, id), now)
	if errors.Is(err, sql.ErrNoRows) {
		return x, errs.E(errs.NotFound, "公示不存在")
	}
	return x, err
}

// cursor is the households list's keyset position: the village code and the id within it,
// written "<12 digits>-<id>".
type cursor struct {
	region string
	id     int64
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	code, id, ok := strings.Cut(s, "-")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !regioncode.Valid(code) || err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return cursor{}, errs.Field("after", "分页游标无效")
	}
	return cursor{region: code, id: n}, nil
}

func (c cursor) String() string { return c.region + "-" + strconv.FormatInt(c.id, 10) }

// loadHouseholds reads up to limit+1 masked households of a town or village, by village then id.
func loadHouseholds(ctx context.Context, q db.Queryer, code string, after cursor, limit int, now time.Time) ([]Household, []cursor, error) {
	lo, hi := regioncode.Range(code)
	where, args := ``, []any{lo, hi, db.Date(now)}
	if after.region != "" {
		where, args = ` AND (h.region_code > ? OR (h.region_code = ? AND h.id > ?))`, append(args, after.region, after.region, after.id)
	}
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.head_name, h.region_code, COALESCE(g.name, ''), h.household_type, h.status,
		h.members_count, COALESCE(hp.name, '')
		FROM households h LEFT JOIN regions g ON g.code = h.region_code
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		LEFT JOIN helpers hp ON hp.id = a.helper_id
		WHERE h.region_code BETWEEN ? AND ? AND (h.status = 'registered' OR (h.status = 'exited' AND h.policy_until >= ?))`+where+`
		ORDER BY h.region_code, h.id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, keys := []Household{}, []cursor{}
	for rows.Next() {
		var x Household
		var k cursor
		var head, helper string
		if err := rows.Scan(&k.id, &head, &x.VillageCode, &x.VillageName, &x.Type, &x.Status, &x.MembersCount, &helper); err != nil {
			return nil, nil, err
		}
		k.region = x.VillageCode
		x.HeadName, x.HelperName = mask.Name(head), mask.Name(helper)
		x.TypeLabel, x.StatusLabel = typeLabels[x.Type], statusLabels[x.Status]
		out, keys = append(out, x), append(keys, k)
	}
	return out, keys, rows.Err()
}

// loadFunds adds up the payments to passbooks under the region, net of reversals, by fund
// and item, with the households (passbooks) reached.
func loadFunds(ctx context.Context, q db.Queryer, code string, now time.Time) (FundsPage, error) {
	lo, hi := regioncode.Range(code)
	from, to, year := yearBounds(now)
	out := FundsPage{Code: code, Year: year, Funds: []FundUse{}}
	rows, err := q.QueryContext(ctx, `SELECT o.fund_id, f.code, f.name, f.category, f.source_level, f.year,
		COALESCE(o.item_id, 0), COALESCE(i.name, ''), COALESCE(a.household_id, -a.id),
		SUM(o.amount_fen - COALESCE(r.amount_fen, 0)),
		SUM(CASE WHEN o.on_date BETWEEN ? AND ? THEN o.amount_fen - COALESCE(r.amount_fen, 0) ELSE 0 END)
		FROM ledger_transfers o JOIN ledger_accounts a ON a.id = o.to_account AND a.kind = 'passbook'
		JOIN funds f ON f.id = o.fund_id
		LEFT JOIN fund_items i ON i.id = o.item_id
		LEFT JOIN ledger_transfers r ON r.reverses_id = o.id AND r.kind = 'reversal'
		WHERE o.kind = 'payment' AND o.region_code BETWEEN ? AND ?
		GROUP BY o.fund_id, f.code, f.name, f.category, f.source_level, f.year, COALESCE(o.item_id, 0), COALESCE(i.name, ''),
			COALESCE(a.household_id, -a.id)
		ORDER BY o.fund_id, COALESCE(o.item_id, 0)`, from, to, lo, hi)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	reached := map[int64]bool{}
	for rows.Next() {
		var f FundUse
		var it ItemUse
		var who, paid, paidYear int64
		if err := rows.Scan(&f.FundID, &f.Code, &f.Name, &f.Category, &f.SourceLevel, &f.Year, &it.ItemID, &it.ItemName, &who,
			&paid, &paidYear); err != nil {
			return out, err
		}
		if paid <= 0 {
			continue // reversed in full: nothing reached the household
		}
		if n := len(out.Funds); n == 0 || out.Funds[n-1].FundID != f.FundID {
			f.Items = []ItemUse{}
			out.Funds = append(out.Funds, f)
		}
		fu := &out.Funds[len(out.Funds)-1]
		if n := len(fu.Items); n == 0 || fu.Items[n-1].ItemID != it.ItemID {
			if it.ItemID == 0 {
				it.ItemName = "未列明补贴项目"
			}
			fu.Items = append(fu.Items, it)
		}
		iu := &fu.Items[len(fu.Items)-1]
		iu.Households++
		iu.PaidFen += paid
		fu.PaidFen += paid
		out.PaidFen += paid
		if paidYear > 0 {
			iu.HouseholdsYear++
			iu.PaidYearFen += paidYear
			fu.PaidYearFen += paidYear
			out.PaidYearFen += paidYear
		}
		reached[who] = true
	}
	out.Households = int64(len(reached))
	return out, rows.Err()
}
