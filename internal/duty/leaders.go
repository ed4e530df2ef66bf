package duty

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/phone"
	"sunshine/internal/regioncode"
)

// Leader is a county or town leader who carries the main responsibility for the area
// (主体责任), over a period.
type Leader struct {
	ID         int64  `json:"id"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Name       string `json:"name"`
	Position   string `json:"position"`
	Phone      string `json:"phone"`
	FromDate   string `json:"from_date"`
	ToDate     string `json:"to_date"`
}

// Leaders lists the leaders of the region and the areas under it, current first.
func (s *Service) Leaders(ctx context.Context, p *auth.Principal, region string) ([]Leader, error) {
	if region == "" {
		region = p.Scope
	}
	if !regioncode.Valid(region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, region); err != nil {
		return nil, err
	}
	lo, hi := regioncode.Range(region)
	return leaders(ctx, s.DB.Reader(), "l.region_code BETWEEN ? AND ?", lo, hi)
}

// AddLeader records a county or town leader's responsibility from a date.
func (s *Service) AddLeader(ctx context.Context, p *auth.Principal, l Leader) (Leader, error) {
	l.Name, l.Position, l.Phone = strings.TrimSpace(l.Name), strings.TrimSpace(l.Position), strings.TrimSpace(l.Phone)
	v := errs.Validation{}
	if lv := regioncode.LevelOf(l.RegionCode); lv != regioncode.County && lv != regioncode.Town {
		v.Add("region_code", "应为县(市、区)或乡镇的区划代码")
	}
	text(v, "name", l.Name, 50, true)
	text(v, "position", l.Position, 50, true)
	if l.Phone != "" && !phone.Valid(l.Phone) {
		v.Add("phone", "应为 11 位手机号或带区号的固定电话")
	}
	dateField(v, "from_date", l.FromDate, true)
	if err := v.Err(); err != nil {
		return l, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := p.RequireIn(auth.DutyWrite, l.RegionCode); err != nil {
			return err
		}
		if l.FromDate > db.Date(tx.Now) {
			return errs.Field("from_date", "起始日期不能晚于今天")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, l.RegionCode).Scan(&n); err != nil || n == 0 {
			return errs.Field("region_code", "区划不存在")
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO responsible_leaders (region_code, name, position, phone, from_date, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.RegionCode, l.Name, l.Position, l.Phone, l.FromDate, now, now)
		if err != nil {
			return err
		}
		list, err := leaders(ctx, tx, "l.id = ?", id)
		if err != nil {
			return err
		}
		l = list[0]
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "leader.create", EntityType: "region",
			EntityID: l.RegionCode, RegionCode: l.RegionCode, After: l})
	})
	return l, err
}

// EndLeader records the end of a leader's responsibility (the row stays).
func (s *Service) EndLeader(ctx context.Context, p *auth.Principal, id int64, on string) (Leader, error) {
	var l Leader
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		list, err := leaders(ctx, tx, "l.id = ?", id)
		if err != nil {
			return err
		}
		if len(list) == 0 || !p.InScope(list[0].RegionCode) {
			return errs.E(errs.NotFound, "责任领导不存在")
		}
		l = list[0]
		if err := p.RequireIn(auth.DutyWrite, l.RegionCode); err != nil {
			return err
		}
		if l.ToDate != "" {
			return errs.E(errs.Conflict, "已于 %s 卸任", l.ToDate)
		}
		if _, err := time.Parse(db.DateLayout, on); err != nil || on < l.FromDate || on > db.Date(tx.Now) {
			return errs.Field("to_date", "卸任日期应在起始日期与今天之间")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE responsible_leaders SET to_date = ?, updated_at = ? WHERE id = ?`, on, db.Time(tx.Now), id); err != nil {
			return err
		}
		before := l
		l.ToDate = on
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "leader.end", EntityType: "region",
			EntityID: l.RegionCode, RegionCode: l.RegionCode, Before: before, After: l})
	})
	return l, err
}

func leaders(ctx context.Context, q db.Queryer, where string, args ...any) ([]Leader, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.region_code, COALESCE(r.name, ''), l.name, l.position, l.phone, l.from_date, l.to_date
		FROM responsible_leaders l LEFT JOIN regions r ON r.code = l.region_code
		WHERE `+where+` ORDER BY l.to_date IS NOT NULL, l.region_code, l.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Leader{}
	for rows.Next() {
		var l Leader
		var to sql.NullString
		if err := rows.Scan(&l.ID, &l.RegionCode, &l.RegionName, &l.Name, &l.Position, &l.Phone, &l.FromDate, &to); err != nil {
			return nil, err
		}
		l.ToDate = to.String
		out = append(out, l)
	}
	return out, rows.Err()
}
