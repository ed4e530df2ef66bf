package partners

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// providerCols reads a provider with its region's name and its service totals (index lookups
// by provider).
const providerCols = `v.id, v.kind, v.name, v.contact_person, v.phone, v.credit_code, v.region_code, COALESCE(r.name, ''),
	v.services, v.status,
	(SELECT COUNT(*) FROM partner_services s WHERE s.provider_id = v.id),
	COALESCE((SELECT SUM(s.hours_c) FROM partner_services s WHERE s.provider_id = v.id), 0),
	(SELECT MAX(s.served_on) FROM partner_services s WHERE s.provider_id = v.id),
	v.version, v.created_at`

const providerFrom = ` FROM partner_providers v LEFT JOIN regions r ON r.code = v.region_code`

func queryProviders(ctx context.Context, q db.Queryer, where string, args ...any) ([]Provider, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+providerCols+providerFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Provider{}
	for rows.Next() {
		var x Provider
		var svc string
		var hc int64
		var last sql.NullString
		if err := rows.Scan(&x.ID, &x.Kind, &x.Name, &x.ContactPerson, &x.Phone, &x.CreditCode, &x.RegionCode, &x.RegionName,
			&svc, &x.Status, &x.ServiceCount, &hc, &last, &x.Version, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.Services, x.ServiceHours, x.LastServedOn = jsonList(svc), hours(hc), nullStr(last)
		out = append(out, x)
	}
	return out, rows.Err()
}

// providerFor loads a provider in the principal's scope (errNoProvider otherwise: ids reveal
// nothing across the scope line).
func providerFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Provider, error) {
	if err := p.Require(action); err != nil {
		return Provider{}, err
	}
	rows, err := queryProviders(ctx, q, `v.id = ?`, id)
	if err != nil {
		return Provider{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].RegionCode) {
		return Provider{}, errNoProvider
	}
	return rows[0], nil
}

// validate checks a provider's fields.
func (in *ProviderInput) validate(v errs.Validation) {
	oneOf(v, "kind", &in.Kind, ProviderKinds)
	text(v, "name", &in.Name, 1, 100)
	text(v, "contact_person", &in.ContactPerson, 0, 50)
	checkPhone(v, "phone", &in.Phone, true)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	firm := in.Kind != "volunteer" && in.Kind != ""
	if firm {
		creditCode(v, "credit_code", &in.CreditCode, true)
		if in.ContactPerson == "" {
			v.Add("contact_person", "机构须填写联系人")
		}
	} else if strings.TrimSpace(in.CreditCode) != "" {
		v.Add("credit_code", "志愿者没有统一社会信用代码")
	}
	in.Services = services(v, "services", in.Services)
}

// CreateProvider registers a volunteer or a firm serving the city, a county, a town or a village.
func (s *Service) CreateProvider(ctx context.Context, p *auth.Principal, in ProviderInput) (Provider, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Provider{}, err
	}
	v := errs.Validation{}
	in.validate(v)
	if err := v.Err(); err != nil {
		return Provider{}, err
	}
	if _, err := regionRow(ctx, s.DB.Reader(), p, auth.SocialWrite, "region_code", in.RegionCode,
		regioncode.City, regioncode.County, regioncode.Town, regioncode.Village); err != nil {
		return Provider{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		if in.CreditCode != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_providers WHERE region_code = ? AND credit_code = ?`,
				in.RegionCode, in.CreditCode).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &errs.Error{Code: errs.Conflict, Message: "该机构(统一社会信用代码 " + in.CreditCode + ")已在本区划登记",
					Fields: map[string]string{"credit_code": "已登记"}}
			}
		}
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO partner_providers (kind, name, contact_person, phone, credit_code, region_code, services,
			status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`,
			in.Kind, in.Name, in.ContactPerson, in.Phone, in.CreditCode, in.RegionCode, jsonText(in.Services), p.UserID, now, now)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "provider.create", "partner_provider", id, in.RegionCode, nil, in)
	})
	if err != nil {
		return Provider{}, err
	}
	return s.Provider(ctx, p, id)
}

// Provider reads one provider.
func (s *Service) Provider(ctx context.Context, p *auth.Principal, id int64) (Provider, error) {
	x, err := providerFor(ctx, s.DB.Reader(), p, id, auth.SocialRead)
	x.Phone = phoneFor(p, x.Phone)
	return x, err
}

// Providers lists providers under a region, newest first (limit+1 rows: the caller pages).
func (s *Service) Providers(ctx context.Context, p *auth.Principal, f Filter) ([]Provider, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	v := errs.Validation{}
	if f.Kind != "" && !slices.Contains(ProviderKinds, f.Kind) {
		v.Add("kind", "应为 "+strings.Join(ProviderKinds, "、")+" 之一")
	}
	if f.Status != "" && !slices.Contains(ProviderStates, f.Status) {
		v.Add("status", "应为 active 或 inactive")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	where, args := f.where(p, "v.region_code", "v.id", "v.name")
	if f.Kind != "" {
		where, args = append(where, "v.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "v.status = ?"), append(args, f.Status)
	}
	out, err := queryProviders(ctx, s.DB.Reader(), strings.Join(where, " AND ")+" ORDER BY v.id DESC LIMIT ?", append(args, f.Limit+1)...)
	for i := range out {
		out[i].Phone = phoneFor(p, out[i].Phone)
	}
	return out, err
}

// UpdateProvider changes a provider's services, status, phone or contact person (version
// checked: two updates of one version, one wins).
func (s *Service) UpdateProvider(ctx context.Context, p *auth.Principal, id int64, in ProviderUpdate) (Provider, error) {
	if _, err := providerFor(ctx, s.DB.Reader(), p, id, auth.SocialWrite); err != nil {
		return Provider{}, err
	}
	if err := checkVersion(in.Version); err != nil {
		return Provider{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := providerFor(ctx, tx, p, id, auth.SocialWrite)
		if err != nil {
			return err
		}
		after := before
		v := errs.Validation{}
		if in.Services != nil {
			after.Services = services(v, "services", *in.Services)
		}
		if in.Status != nil {
			after.Status = *in.Status
			oneOf(v, "status", &after.Status, ProviderStates)
		}
		if in.Phone != nil {
			after.Phone = *in.Phone
			checkPhone(v, "phone", &after.Phone, true)
		}
		if in.ContactPerson != nil {
			after.ContactPerson = *in.ContactPerson
			text(v, "contact_person", &after.ContactPerson, 0, 50)
			if after.Kind != "volunteer" && after.ContactPerson == "" {
				v.Add("contact_person", "机构须填写联系人")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if before.Version != in.Version {
			return errStale
		}
		if err := bump(ctx, tx, "partner_providers", id, in.Version, `services = ?, status = ?, phone = ?, contact_person = ?, `,
			jsonText(after.Services), after.Status, after.Phone, after.ContactPerson); err != nil {
			return err
		}
		after.Version++
		return record(ctx, tx, p, "provider.update", "partner_provider", id, before.RegionCode, before, after)
	})
	if err != nil {
		return Provider{}, err
	}
	return s.Provider(ctx, p, id)
}
