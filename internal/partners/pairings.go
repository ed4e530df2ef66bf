package partners

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

const pairingCols = `pp.id, pp.kind, pp.deputy_id, COALESCE(d.name, ''), COALESCE(d.kind, ''), COALESCE(d.level, ''),
	pp.enterprise, pp.credit_code, pp.contact, pp.phone, pp.village_code, COALESCE(r.name, ''), pp.since, pp.until, pp.status,
	pp.commitment, pp.pledged_fen,
	COALESCE((SELECT SUM(a.value_fen) FROM partner_activities a WHERE a.pairing_id = pp.id), 0),
	(SELECT COUNT(*) FROM partner_activities a WHERE a.pairing_id = pp.id),
	pp.version`

const pairingFrom = ` FROM partner_pairings pp LEFT JOIN partner_deputies d ON d.id = pp.deputy_id
	LEFT JOIN regions r ON r.code = pp.village_code`

func queryPairings(ctx context.Context, q db.Queryer, where string, args ...any) ([]Pairing, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pairingCols+pairingFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Pairing{}
	for rows.Next() {
		var x Pairing
		var dep sql.NullInt64
		var until sql.NullString
		if err := rows.Scan(&x.ID, &x.Kind, &dep, &x.DeputyName, &x.DeputyKind, &x.DeputyLevel, &x.Enterprise, &x.CreditCode,
			&x.Contact, &x.Phone, &x.VillageCode, &x.VillageName, &x.Since, &until, &x.Status, &x.Commitment, &x.PledgedFen,
			&x.DeliveredFen, &x.Activities, &x.Version); err != nil {
			return nil, err
		}
		if dep.Valid {
			x.DeputyID = &dep.Int64
		}
		x.Until = nullStr(until)
		out = append(out, x)
	}
	return out, rows.Err()
}

// pairingFor loads a pairing whose village lies in the principal's scope.
func pairingFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, action auth.Action) (Pairing, error) {
	if err := p.Require(action); err != nil {
		return Pairing{}, err
	}
	rows, err := queryPairings(ctx, q, `pp.id = ?`, id)
	if err != nil {
		return Pairing{}, err
	}
	if len(rows) == 0 || !p.InScope(rows[0].VillageCode) {
		return Pairing{}, errNoPairing
	}
	return rows[0], nil
}

// validate checks a pairing's fields and returns the pledge in fen.
func (in *PairingInput) validate(v errs.Validation, today string) int64 {
	oneOf(v, "kind", &in.Kind, PairingKinds)
	date(v, "since", &in.Since, today)
	text(v, "commitment", &in.Commitment, 0, 1000)
	in.VillageCode = strings.TrimSpace(in.VillageCode)
	switch in.Kind {
	case "deputy":
		if in.DeputyID == nil || *in.DeputyID <= 0 {
			v.Add("deputy_id", "代表委员结对须指定代表委员")
		}
		for f, s := range map[string]string{"enterprise": in.Enterprise, "credit_code": in.CreditCode, "contact": in.Contact,
			"phone": in.Phone, "pledged_yuan": in.PledgedYuan} {
			if strings.TrimSpace(s) != "" {
				v.Add(f, "代表委员结对不填写企业信息")
			}
		}
		return 0
	case "enterprise":
		if in.DeputyID != nil {
			v.Add("deputy_id", "村企结对不指定代表委员")
		}
		text(v, "enterprise", &in.Enterprise, 1, 100)
		creditCode(v, "credit_code", &in.CreditCode, true)
		text(v, "contact", &in.Contact, 0, 50)
		checkPhone(v, "phone", &in.Phone, false)
		return yuan(v, "pledged_yuan", in.PledgedYuan)
	}
	return 0
}

// CreatePairing pairs a deputy or an enterprise with a village. A deputy may pair with
// several villages, but one deputy (or enterprise) has one active pairing per village.
func (s *Service) CreatePairing(ctx context.Context, p *auth.Principal, in PairingInput) (Pairing, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Pairing{}, err
	}
	v := errs.Validation{}
	pledged := in.validate(v, s.today())
	if err := v.Err(); err != nil {
		return Pairing{}, err
	}
	q := s.DB.Reader()
	if _, err := regionRow(ctx, q, p, auth.SocialWrite, "village_code", in.VillageCode, regioncode.Village); err != nil {
		return Pairing{}, err
	}
	var deputy any
	if in.Kind == "deputy" {
		if _, err := deputyFor(ctx, q, p, *in.DeputyID, auth.SocialWrite); err != nil {
			return Pairing{}, errs.Missing("deputy_id", "代表委员不存在")
		}
		deputy = *in.DeputyID
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) (err error) {
		var n int
		if in.Kind == "deputy" {
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_pairings WHERE kind = 'deputy' AND deputy_id = ? AND village_code = ?
				AND status = 'active'`, deputy, in.VillageCode).Scan(&n)
		} else {
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM partner_pairings WHERE kind = 'enterprise' AND credit_code = ? AND village_code = ?
				AND status = 'active'`, in.CreditCode, in.VillageCode).Scan(&n)
		}
		if err != nil {
			return err
		}
		if n > 0 {
			who := "该代表委员"
			if in.Kind == "enterprise" {
				who = "该企业(" + in.CreditCode + ")"
			}
			return &errs.Error{Code: errs.Conflict, Message: who + "已与该村结对且结对仍在进行中,不能重复结对",
				Fields: map[string]string{"village_code": "已有进行中的结对"}}
		}
		now := db.Time(tx.Now)
		id, err = tx.InsertID(ctx, `INSERT INTO partner_pairings (kind, deputy_id, enterprise, credit_code, contact, phone, village_code,
			since, status, commitment, pledged_fen, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?) RETURNING id`,
			in.Kind, deputy, in.Enterprise, in.CreditCode, in.Contact, in.Phone, in.VillageCode, in.Since, in.Commitment, pledged,
			p.UserID, now, now)
		if err != nil {
			return err
		}
		return record(ctx, tx, p, "pairing.create", "partner_pairing", id, in.VillageCode, nil, in)
	})
	if err != nil {
		return Pairing{}, err
	}
	return s.Pairing(ctx, p, id)
}

// Pairing reads one pairing.
func (s *Service) Pairing(ctx context.Context, p *auth.Principal, id int64) (Pairing, error) {
	x, err := pairingFor(ctx, s.DB.Reader(), p, id, auth.SocialRead)
	x.Phone = phoneFor(p, x.Phone)
	return x, err
}

// PairingDetail reads a pairing with its activities, newest first.
func (s *Service) PairingDetail(ctx context.Context, p *auth.Principal, id int64) (PairingDetail, error) {
	x, err := s.Pairing(ctx, p, id)
	if err != nil {
		return PairingDetail{}, err
	}
	items, err := queryActivities(ctx, s.DB.Reader(), `a.pairing_id = ? ORDER BY a.on_date DESC, a.id DESC LIMIT ?`, id, MaxListed)
	return PairingDetail{Pairing: x, Items: items}, err
}

// Pairings lists pairings with villages under a region, newest first (limit+1 rows).
func (s *Service) Pairings(ctx context.Context, p *auth.Principal, f Filter) ([]Pairing, error) {
	if err := f.check(p); err != nil {
		return nil, err
	}
	v := errs.Validation{}
	if f.Kind != "" && !slices.Contains(PairingKinds, f.Kind) {
		v.Add("kind", "应为 deputy 或 enterprise")
	}
	if f.Status != "" && f.Status != "active" && f.Status != "ended" {
		v.Add("status", "应为 active 或 ended")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	where, args := f.where(p, "pp.village_code", "pp.id", "")
	if f.Q != "" {
		where = append(where, `(pp.enterprise LIKE ? ESCAPE '\' OR d.name LIKE ? ESCAPE '\')`)
		args = append(args, "%"+likeEscape(f.Q)+"%", "%"+likeEscape(f.Q)+"%")
	}
	if f.Kind != "" {
		where, args = append(where, "pp.kind = ?"), append(args, f.Kind)
	}
	if f.Status != "" {
		where, args = append(where, "pp.status = ?"), append(args, f.Status)
	}
	out, err := queryPairings(ctx, s.DB.Reader(), strings.Join(where, " AND ")+" ORDER BY pp.id DESC LIMIT ?", append(args, f.Limit+1)...)
	for i := range out {
		out[i].Phone = phoneFor(p, out[i].Phone)
	}
	return out, err
}

// EndPairing ends an active pairing on a date (not before it began, not after today); the
// pairing and its activities stay on record.
func (s *Service) EndPairing(ctx context.Context, p *auth.Principal, id int64, in PairingEnd) (Pairing, error) {
	if _, err := pairingFor(ctx, s.DB.Reader(), p, id, auth.SocialWrite); err != nil {
		return Pairing{}, err
	}
	if err := checkVersion(in.Version); err != nil {
		return Pairing{}, err
	}
	v := errs.Validation{}
	date(v, "until", &in.Until, s.today())
	if err := v.Err(); err != nil {
		return Pairing{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := pairingFor(ctx, tx, p, id, auth.SocialWrite)
		if err != nil {
			return err
		}
		if before.Status != "active" {
			return errs.E(errs.Conflict, "该结对已于 %s 结束", deref(before.Until))
		}
		if in.Until < before.Since {
			return errs.Field("until", fmt.Sprintf("结束日期不能早于结对开始日期 %s", before.Since))
		}
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(on_date) FROM partner_activities WHERE pairing_id = ?`, id).Scan(&last); err != nil {
			return err
		}
		if last.Valid && in.Until < last.String {
			return errs.Field("until", "结束日期不能早于最近一次活动日期 "+last.String)
		}
		if before.Version != in.Version {
			return errStale
		}
		if err := bump(ctx, tx, "partner_pairings", id, in.Version, `status = 'ended', until = ?, `, in.Until); err != nil {
			return err
		}
		after := before
		after.Status, after.Until, after.Version = "ended", &in.Until, before.Version+1
		return record(ctx, tx, p, "pairing.end", "partner_pairing", id, before.VillageCode, before, after)
	})
	if err != nil {
		return Pairing{}, err
	}
	return s.Pairing(ctx, p, id)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
