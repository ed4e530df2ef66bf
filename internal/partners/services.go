package partners

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

const serviceCols = `s.id, s.provider_id, v.name, s.region_code, COALESCE(r.name, ''), s.household_id, COALESCE(h.head_name, ''),
	s.served_on, s.service, s.content, s.hours_c, s.people, s.created_at`

const serviceFrom = ` FROM partner_services s JOIN partner_providers v ON v.id = s.provider_id
	LEFT JOIN regions r ON r.code = s.region_code LEFT JOIN households h ON h.id = s.household_id`

func queryServices(ctx context.Context, q db.Queryer, where string, args ...any) ([]ServiceRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+serviceCols+serviceFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ServiceRecord{}
	for rows.Next() {
		var x ServiceRecord
		var hh sql.NullInt64
		var hc int64
		if err := rows.Scan(&x.ID, &x.ProviderID, &x.ProviderName, &x.RegionCode, &x.RegionName, &hh, &x.HeadName,
			&x.ServedOn, &x.Service, &x.Content, &hc, &x.People, &x.CreatedAt); err != nil {
			return nil, err
		}
		if hh.Valid {
			x.HouseholdID = &hh.Int64
		}
		x.Hours = hours(hc)
		out = append(out, x)
	}
	return out, rows.Err()
}

// MaxListed bounds the nested lists (a provider's services, a pairing's activities, an
// entrepreneur's matches): the newest are shown.
const MaxListed = 500

// Services lists a provider's service records in the principal's scope, newest first.
func (s *Service) Services(ctx context.Context, p *auth.Principal, providerID int64) ([]ServiceRecord, error) {
	if _, err := providerFor(ctx, s.DB.Reader(), p, providerID, auth.SocialRead); err != nil {
		return nil, err
	}
	cond, args := p.ScopeCond("s.region_code")
	return queryServices(ctx, s.DB.Reader(), `s.provider_id = ? AND `+cond+` ORDER BY s.served_on DESC, s.id DESC LIMIT ?`,
		append(append([]any{providerID}, args...), MaxListed)...)
}

// AddService records a service an active provider gave in a village within its area,
// optionally to a household of that village.
func (s *Service) AddService(ctx context.Context, p *auth.Principal, providerID int64, in ServiceInput) (ServiceRecord, error) {
	pv, err := providerFor(ctx, s.DB.Reader(), p, providerID, auth.SocialWrite)
	if err != nil {
		return ServiceRecord{}, err
	}
	v := errs.Validation{}
	date(v, "served_on", &in.ServedOn, s.today())
	text(v, "service", &in.Service, 1, MaxServiceRunes)
	text(v, "content", &in.Content, 0, 1000)
	hc := hoursC(v, "hours", in.Hours)
	if in.People < 1 || in.People > MaxPeople {
		v.Add("people", fmt.Sprintf("服务人数应为 1 到 %d", MaxPeople))
	}
	if in.Service != "" && len(pv.Services) > 0 && !slices.Contains(pv.Services, in.Service) {
		v.Add("service", "不在该服务主体登记的服务项目内")
	}
	if in.HouseholdID != nil && *in.HouseholdID <= 0 {
		v.Add("household_id", "应为正整数")
	}
	if err := v.Err(); err != nil {
		return ServiceRecord{}, err
	}
	if _, err := regionRow(ctx, s.DB.Reader(), p, auth.SocialWrite, "region_code", in.RegionCode, regioncode.Village); err != nil {
		return ServiceRecord{}, err
	}
	if !regioncode.Within(in.RegionCode, pv.RegionCode) {
		return ServiceRecord{}, errs.Field("region_code", "不在该服务主体的服务区域内")
	}
	if pv.Status != "active" {
		return ServiceRecord{}, errs.E(errs.Conflict, "服务主体已停用,不能再登记服务")
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		var hh any
		if in.HouseholdID != nil {
			var region string
			err := tx.QueryRowContext(ctx, `SELECT region_code FROM households WHERE id = ?`, *in.HouseholdID).Scan(&region)
			if errors.Is(err, sql.ErrNoRows) || err == nil && !p.InScope(region) {
				return errs.Missing("household_id", "农户不存在")
			}
			if err != nil {
				return err
			}
			if region != in.RegionCode {
				return errs.Field("household_id", "该户不在所选村")
			}
			hh = *in.HouseholdID
		}
		id, err = tx.InsertID(ctx, `INSERT INTO partner_services (provider_id, region_code, household_id, served_on, service, content,
			hours_c, people, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, in.RegionCode, hh, in.ServedOn, in.Service, in.Content, hc, in.People, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "provider.service", "partner_service", id, in.RegionCode, nil, in)
	})
	if err != nil {
		return ServiceRecord{}, err
	}
	rows, err := queryServices(ctx, s.DB.Reader(), `s.id = ?`, id)
	if err == nil && len(rows) == 0 {
		err = errs.E(errs.Internal, "服务记录读取失败")
	}
	if err != nil {
		return ServiceRecord{}, err
	}
	return rows[0], nil
}
