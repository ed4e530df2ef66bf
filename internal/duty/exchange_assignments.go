package duty

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/exchange"
	"sunshine/internal/tabular"
)

type assignBatch struct {
	ctx  context.Context
	tx   *db.Tx
	p    *auth.Principal
	seen map[string]int // household number → file line
}

// Apply records that a helper answers for a household from a date. The same helper again
// is unchanged (or a corrected start date); another helper closes the current assignment
// on the new one's first day, so the history stays gap-free.
func (b *assignBatch) Apply(row tabular.Row) (exchange.Outcome, error) {
	no, err := cell(row, "household_no")
	if err != nil {
		return 0, err
	}
	number, err := cell(row, "helper_id_number")
	if err != nil {
		return 0, err
	}
	number = strings.ToUpper(number)
	from, err := tabular.ParseDate(row.Get("from_date"))
	if err != nil {
		return 0, cellErr("from_date", err.Error())
	}
	fromDate := from.Format(db.DateLayout)
	if fromDate > db.Date(b.tx.Now) {
		return 0, cellErr("from_date", "起始日期不能晚于今天")
	}
	if line, dup := b.seen[no]; dup {
		return 0, cellErr("household_no", "户编号 "+no+" 与第 "+strconv.Itoa(line)+" 行重复(一户同时只有一名帮扶责任人)")
	}
	var hid int64
	var region string
	err = b.tx.QueryRowContext(b.ctx, `SELECT id, region_code FROM households WHERE household_no = ?`, no).Scan(&hid, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cellErr("household_no", "户编号 "+no+" 不存在")
	}
	if err != nil {
		return 0, err
	}
	if !b.p.InScope(region) {
		return 0, cellErr("household_no", "户编号 "+no+" 不在您的管辖范围内")
	}
	var helper int64
	err = b.tx.QueryRowContext(b.ctx, `SELECT id FROM helpers WHERE id_number = ? AND active = 1`, number).Scan(&helper)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, cellErr("helper_id_number", "该帮扶人未登记(请先导入帮扶责任人)")
	}
	if err != nil {
		return 0, err
	}
	b.seen[no] = row.Line
	var cur, curHelper int64
	var curFrom, curNumber string
	err = b.tx.QueryRowContext(b.ctx, `SELECT a.id, a.helper_id, a.from_date, hp.id_number FROM assignments a
		JOIN helpers hp ON hp.id = a.helper_id WHERE a.household_id = ? AND a.to_date IS NULL`, hid).
		Scan(&cur, &curHelper, &curFrom, &curNumber)
	now := db.Time(b.tx.Now)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return exchange.Inserted, b.insert(hid, helper, region, fromDate)
	case err != nil:
		return 0, err
	case curHelper == helper && curFrom == fromDate:
		return exchange.Unchanged, nil
	case curHelper == helper:
		if _, err := b.tx.ExecContext(b.ctx, `UPDATE assignments SET from_date = ?, updated_at = ? WHERE id = ?`, fromDate, now, cur); err != nil {
			return 0, err
		}
	case fromDate <= curFrom:
		return 0, cellErr("from_date", "起始日期应晚于现任帮扶人的起始日期 "+curFrom)
	default:
		if _, err := b.tx.ExecContext(b.ctx, `UPDATE assignments SET to_date = ?, updated_at = ? WHERE id = ?`, fromDate, now, cur); err != nil {
			return 0, err
		}
		if err := b.insert(hid, helper, region, fromDate); err != nil {
			return 0, err
		}
	}
	return exchange.Updated, audit.Record(b.ctx, b.tx, audit.ActorOf(b.p), audit.Change{Action: "assignment.import_update",
		EntityType: "household", EntityID: strconv.FormatInt(hid, 10), RegionCode: region,
		Before: map[string]any{"helper_id_number": curNumber, "from_date": curFrom},
		After:  map[string]any{"helper_id_number": number, "from_date": fromDate}})
}

func (b *assignBatch) insert(household, helper int64, region, from string) error {
	now := db.Time(b.tx.Now)
	_, err := b.tx.ExecContext(b.ctx, `INSERT INTO assignments (household_id, helper_id, region_code, from_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, household, helper, region, from, now, now)
	return err
}

func (b *assignBatch) Flush() error { return nil }

func exportAssignments(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.HouseholdExport); err != nil {
		return err
	}
	lo, hi := scopeRange(p)
	rows, err := q.QueryContext(ctx, `SELECT h.household_no, hp.id_number, a.from_date FROM assignments a
		JOIN households h ON h.id = a.household_id JOIN helpers hp ON hp.id = a.helper_id
		WHERE a.to_date IS NULL AND a.region_code BETWEEN ? AND ? ORDER BY a.region_code, a.id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v [3]string
		if err := rows.Scan(&v[0], &v[1], &v[2]); err != nil {
			return err
		}
		if err := w.Write(v[:]); err != nil {
			return err
		}
	}
	return rows.Err()
}
