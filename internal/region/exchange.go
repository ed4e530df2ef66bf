package region

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Exchange is the "regions" kind: the region tree as a spreadsheet (parents before children).
func (s *Service) Exchange() exchange.Kind {
	return exchange.Kind{
		Name:  "regions",
		Label: "行政区划",
		Schema: tabular.Schema{Columns: []tabular.Column{
			{Name: "code", Aliases: []string{"区划代码", "统计用区划代码"}, Required: true},
			{Name: "name", Aliases: []string{"名称", "区划名称"}, Required: true},
			{Name: "weak_level", Aliases: []string{"经济薄弱村", "薄弱村类别"}},
			{Name: "weak_lax", Aliases: []string{"软弱涣散村", "软弱涣散"}},
			{Name: "area", Aliases: []string{"片区"}},
		}},
		ImportAction: auth.RegionWrite,
		ExportAction: auth.RegionRead,
		Apply:        s.applyRow,
		Export:       exportRegions,
	}
}

func rowErr(column, reason string) error {
	return &tabular.RowError{Column: column, Code: "invalid", Reason: reason}
}

func (s *Service) applyRow(ctx context.Context, tx *db.Tx, p *auth.Principal, row tabular.Row) (exchange.Outcome, error) {
	r := Region{Code: row.Get("code"), Name: row.Get("name"), WeakLevel: WeakLevel(row.Get("weak_level")), Area: row.Get("area")}
	switch row.Get("weak_lax") {
	case "", "0", "否":
	case "1", "是":
		r.WeakLax = true
	default:
		return 0, rowErr("weak_lax", "应为 0/1 或 否/是")
	}
	if err := r.Validate(); err != nil {
		e, _ := errs.As(err)
		for f, reason := range e.Fields {
			return 0, rowErr(f, reason)
		}
	}
	if err := p.RequireIn(auth.RegionWrite, r.Code); err != nil {
		return 0, rowErr("code", "不在您的管辖范围或无权修改区划")
	}
	r.Level = regioncode.LevelOf(r.Code)
	if r.Level != regioncode.Village && (r.WeakLevel != NotWeak || r.WeakLax) {
		return 0, rowErr("weak_level", "只有行政村可以认定为薄弱村或软弱涣散村")
	}
	old, err := getOne(ctx, tx, r.Code)
	if errors.Is(err, sql.ErrNoRows) {
		if r.Level != regioncode.City {
			if _, err := getOne(ctx, tx, regioncode.Parent(r.Code)); errors.Is(err, sql.ErrNoRows) {
				return 0, rowErr("code", "上级区划 "+regioncode.Parent(r.Code)+" 不存在(请把上级放在前面的行)")
			} else if err != nil {
				return 0, err
			}
		}
		if err := Insert(ctx, tx, r); err != nil {
			return 0, err
		}
		return exchange.Inserted, audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
			Action: "region.create", EntityType: "region", EntityID: r.Code, RegionCode: r.Code, After: r.auditView()})
	}
	if err != nil {
		return 0, err
	}
	if old.Name == r.Name && old.WeakLevel == r.WeakLevel && old.WeakLax == r.WeakLax && old.Area == r.Area {
		return exchange.Unchanged, nil
	}
	if err := update(ctx, tx, r); err != nil {
		return 0, err
	}
	return exchange.Updated, audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
		Action: "region.update", EntityType: "region", EntityID: r.Code, RegionCode: r.Code, Before: old.auditView(), After: r.auditView()})
}

func getOne(ctx context.Context, q db.Queryer, code string) (Region, error) {
	var r Region
	var lax int
	err := q.QueryRowContext(ctx, `SELECT code, name, level, weak_level, weak_lax, area FROM regions WHERE code = ?`, code).
		Scan(&r.Code, &r.Name, &r.Level, &r.WeakLevel, &lax, &r.Area)
	r.WeakLax = lax != 0
	return r, err
}

func exportRegions(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.RegionRead); err != nil {
		return err
	}
	lo, hi := regioncode.Range(p.Scope)
	if p.Root {
		lo, hi = "000000000000", "999999999999"
	}
	rows, err := q.QueryContext(ctx, `SELECT code, name, weak_level, weak_lax, area FROM regions WHERE code BETWEEN ? AND ? ORDER BY code`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code, name, weak, area string
		var lax int
		if err := rows.Scan(&code, &name, &weak, &lax, &area); err != nil {
			return err
		}
		if err := w.Write([]string{code, name, weak, strconv.Itoa(lax), area}); err != nil {
			return err
		}
	}
	return rows.Err()
}
