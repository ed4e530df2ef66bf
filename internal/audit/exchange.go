package audit

import (
	"context"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// ExportColumns are the columns of an audit export.
var ExportColumns = []string{"seq", "at", "actor_id", "actor_name", "action", "entity_type", "entity_id", "region_code", "before", "after", "prev_hash", "hash"}

// Export writes the trail in the reader's scope, for auditors' own tools (never imported).
func Export(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.AuditRead); err != nil {
		return err
	}
	lo, hi := regioncode.Range(p.Scope)
	if p.Root {
		lo, hi = "", "999999999999"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE region_code BETWEEN ? AND ? ORDER BY seq`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq, actor int64
		var v [10]string
		if err := rows.Scan(&seq, &v[0], &actor, &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]); err != nil {
			return err
		}
		if err := w.Write([]string{strconv.FormatInt(seq, 10), v[0], strconv.FormatInt(actor, 10), v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]}); err != nil {
			return err
		}
	}
	return rows.Err()
}
