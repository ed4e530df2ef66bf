package partners

import (
	"context"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

const deputyCols = `d.id, d.kind, d.level, d.name, d.phone, d.unit, d.region_code, COALESCE(r.name, ''),
	(SELECT COUNT(*) FROM partner_activities a JOIN partner_pairings pp ON pp.id = a.pairing_id WHERE pp.deputy_id = d.id),
	d.version, d.created_at`

const deputyFrom = ` FROM partner_deputies d LEFT JOIN regions r ON r.code = d.region_code`

// queryDeputies reads deputies with their current pairings in the principal's scope.
func queryDeputies(ctx context.Context, q db.Queryer, p *auth.Principal, where string, args ...any) ([]Deputy, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+deputyCols+deputyFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	out := []Deputy{}
	for rows.Next() {
		var x Deputy
		if err := rows.Scan(&x.ID, &x.Kind, &x.Level, &x.Name, &x.Phone, &x.Unit, &x.RegionCode, &x.RegionName, &x.Activities,
			&x.Version, &x.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		x.Phone = phoneFor(p, x.Phone)
		x.Villages = []PairedVillage{}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// the current pairings of the page's deputies, in one query
	at := map[int64]int{}
	ids := make([]any, 0, len(out))
	for i, x := range out {
		at[x.ID] = i
		ids = append(ids, x.ID)
	}
	cond, cargs := p.ScopeCond("pp.village_code")
	prow, err := q.QueryContext(ctx, `SELECT pp.deputy_id, pp.id, pp.village_code, COALESCE(r.name, ''), pp.since
		FROM partner_pairings pp LEFT JOIN regions r ON r.code = pp.village_code
		WHERE pp.status = 'active' AND pp.deputy_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) AND `+cond+`
		ORDER BY pp.since, pp.id`, append(ids, cargs...)...)
	if err != nil {
		return nil, err
	}
	defer prow.Close()
	for prow.Next() {
		var dep int64
		var pv PairedVillage
		if err := prow.Scan(&dep, &pv.PairingID, &pv.VillageCode, &pv.VillageName, &pv.Since); err != nil {
			return nil, err
		}
		i := at[dep]
		out[i].Villages = append(out[i].Villages, pv)
	}
	return out, prow.Err()
}

// deputyFor loads a deputy registered in the principal's scope.
func deputyFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Deputy, error) {
	if err := p.Require(action); err != nil {
		return Deputy{}, err
	}
	rows, err := queryDeputies(ctx, q, p, `d.id = ?`, id)
	if err != nil {
		return Deputy{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].RegionCode) {
		return Deputy{}, errNoDeputy
	}
	return rows[0], nil
}

// deputyRegionLevels are the region levels a deputy of a level may be registered at: a town
// deputy in a town or its villages, a county one in the county or below; deputies of the
// city, the province and the nation in any region of the city where they work.
var deputyRegionLevels = map[string][]regioncode.Level{
	"national": {regioncode.City, regioncode.County, regioncode.Town, regioncode.Village},
	"province": {regioncode.City, regioncode.County, regioncode.Town, regioncode.Village},
	"city":     {regioncode.City, regioncode.County, regioncode.Town, regioncode.Village},
	"town":     {regioncode.Town, regioncode.Village},
	"county":   {regioncode.County, regioncode.Town, regioncode.Village},
}

// CreateDeputy registers a deputy or a CPPCC member.
func (s *Service) CreateDeputy(ctx context.Context, p *auth.Principal, in DeputyInput) (Deputy, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Deputy{}, err
	}
	v := errs.Validation{}
	oneOf(v, "kind", &in.Kind, DeputyKinds)
	oneOf(v, "level", &in.Level, DeputyLevels)
	if in.Kind == "cppcc" && in.Level == "town" {
		v.Add("level", "政协没有乡镇一级")
	}
	text(v, "name", &in.Name, 1, 50)
	text(v, "unit", &in.Unit, 0, 100)
	checkPhone(v, "phone", &in.Phone, false)
	if err := v.Err(); err != nil {
		return Deputy{}, err
	}
	if _, err := regionRow(ctx, s.DB.Reader(), p, auth.SocialWrite, "region_code", in.RegionCode, deputyRegionLevels[in.Level]...); err != nil {
		return Deputy{}, err
	}
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO partner_deputies (kind, level, name, phone, unit, region_code, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Kind, in.Level, in.Name, in.Phone, in.Unit, in.RegionCode, p.UserID, now, now)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "deputy.create", "partner_deputy", id, in.RegionCode, nil, in)
	})
	if err != nil {
		return Deputy{}, err
	}
	return s.Deputy(ctx, p, id)
}

// Deputy reads one deputy with the current pairings.
func (s *Service) Deputy(ctx context.Context, p *auth.Principal, id int64) (Deputy, error) {
	return deputyFor(ctx, s.DB.Reader(), p, id, auth.SocialRead)
}

// Deputies lists deputies registered under a region, newest first (limit+1 rows).
func (s *Service) Deputies(ctx context.Context, p *auth.Principal, f Filter) ([]Deputy, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	v := errs.Validation{}
	if f.Kind != "" && !slices.Contains(DeputyKinds, f.Kind) {
		v.Add("kind", "应为 npc 或 cppcc")
	}
	if f.Level != "" && !slices.Contains(DeputyLevels, f.Level) {
		v.Add("level", "应为 "+strings.Join(DeputyLevels, "、")+" 之一")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	where, args := f.where(p, "d.region_code", "d.id", "d.name")
	if f.Kind != "" {
		where, args = append(where, "d.kind = ?"), append(args, f.Kind)
	}
	if f.Level != "" {
		where, args = append(where, "d.level = ?"), append(args, f.Level)
	}
	return queryDeputies(ctx, s.DB.Reader(), p, strings.Join(where, " AND ")+" ORDER BY d.id DESC LIMIT ?", append(args, f.Limit+1)...)
}
