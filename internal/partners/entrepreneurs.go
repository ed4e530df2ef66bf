package partners

import (
	"context"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

const entrepreneurCols = `e.id, e.name, e.phone, e.hometown_code, COALESCE(r.name, ''), e.works_in, e.company, e.industry,
	e.capital, e.project, e.technology, e.capital_fen, e.notes,
	(SELECT COUNT(*) FROM partner_matches m WHERE m.entrepreneur_id = e.id), e.version, e.created_at`

const entrepreneurFrom = ` FROM partner_entrepreneurs e LEFT JOIN regions r ON r.code = e.hometown_code`

func queryEntrepreneurs(ctx context.Context, q db.Queryer, where string, args ...any) ([]Entrepreneur, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+entrepreneurCols+entrepreneurFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entrepreneur{}
	for rows.Next() {
		var x Entrepreneur
		var capital, project, tech int
		if err := rows.Scan(&x.ID, &x.Name, &x.Phone, &x.HometownCode, &x.HometownName, &x.WorksIn, &x.Company, &x.Industry,
			&capital, &project, &tech, &x.CapitalFen, &x.Notes, &x.Matches, &x.Version, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.Capital, x.Project, x.Technology = capital == 1, project == 1, tech == 1
		out = append(out, x)
	}
	return out, rows.Err()
}

// entrepreneurFor loads an entrepreneur whose hometown lies in the principal's scope.
func entrepreneurFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Entrepreneur, error) {
	if err := p.Require(action); err != nil {
		return Entrepreneur{}, err
	}
	rows, err := queryEntrepreneurs(ctx, q, `e.id = ?`, id)
	if err != nil {
		return Entrepreneur{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].HometownCode) {
		return Entrepreneur{}, errNoEntrepreneur
	}
	return rows[0], nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateEntrepreneur adds a person to the directory; the hometown is a town or village.
func (s *Service) CreateEntrepreneur(ctx context.Context, p *auth.Principal, in EntrepreneurInput) (Entrepreneur, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Entrepreneur{}, err
	}
	v := errs.Validation{}
	text(v, "name", &in.Name, 1, 50)
	checkPhone(v, "phone", &in.Phone, false)
	text(v, "works_in", &in.WorksIn, 1, 50)
	text(v, "company", &in.Company, 0, 100)
	text(v, "industry", &in.Industry, 0, 50)
	text(v, "notes", &in.Notes, 0, 1000)
	capital := yuan(v, "capital_yuan", in.CapitalYuan)
	if capital > 0 && !in.Capital {
		v.Add("capital_yuan", "无资金意向时不填写意向资金")
	}
	if err := v.Err(); err != nil {
		return Entrepreneur{}, err
	}
	in.HometownCode = strings.TrimSpace(in.HometownCode)
	if _, err := regionRow(ctx, s.DB.Reader(), p, auth.SocialWrite, "hometown_code", in.HometownCode, regioncode.Town, regioncode.Village); err != nil {
		return Entrepreneur{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO partner_entrepreneurs (name, phone, hometown_code, works_in, company, industry, capital,
			project, technology, capital_fen, notes, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Name, in.Phone, in.HometownCode, in.WorksIn, in.Company, in.Industry, b2i(in.Capital), b2i(in.Project), b2i(in.Technology),
			capital, in.Notes, p.UserID, now, now)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "entrepreneur.create", "partner_entrepreneur", id, in.HometownCode, nil, in)
	})
	if err != nil {
		return Entrepreneur{}, err
	}
	return s.Entrepreneur(ctx, p, id)
}

// Entrepreneur reads one entrepreneur.
func (s *Service) Entrepreneur(ctx context.Context, p *auth.Principal, id int64) (Entrepreneur, error) {
	x, err := entrepreneurFor(ctx, s.DB.Reader(), p, id, auth.SocialRead)
	x.Phone = phoneFor(p, x.Phone)
	return x, err
}

// Entrepreneurs lists entrepreneurs from a region, newest first (limit+1 rows).
func (s *Service) Entrepreneurs(ctx context.Context, p *auth.Principal, f Filter) ([]Entrepreneur, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	where, args := f.where(p, "e.hometown_code", "e.id", "e.name")
	switch f.Willing {
	case "":
	case "capital", "project", "technology":
		where = append(where, "e."+f.Willing+" = 1") // one of three fixed column names
	default:
		return nil, errs.Field("willing", "应为 capital、project 或 technology")
	}
	out, err := queryEntrepreneurs(ctx, s.DB.Reader(), strings.Join(where, " AND ")+" ORDER BY e.id DESC LIMIT ?", append(args, f.Limit+1)...)
	for i := range out {
		out[i].Phone = phoneFor(p, out[i].Phone)
	}
	return out, err
}
