package visits

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Location is where a household lives (WGS-84, as phones report positions): the reference of
// the far-from-home sign.
type Location struct {
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	Source    string  `json:"source"` // console (set in the office), demo
	UpdatedAt string  `json:"updated_at"`
}

// LocationInput is a position set in the console.
type LocationInput struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

// LocationSourceConsole marks a location set by hand in the office console.
const LocationSourceConsole = "console"

var errNoLocation = errs.E(errs.NotFound, "该户尚未标注位置")

// householdRegion reads a household's village and checks the principal may do action there;
// a household outside the scope looks absent (no probing for ids).
func householdRegion(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, id int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT region_code FROM households WHERE id = ?`, id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !p.InScope(code) {
		return "", errs.E(errs.NotFound, "农户不存在")
	}
	if err != nil {
		return "", err
	}
	return code, p.RequireIn(action, code)
}

// HouseholdLocation returns a household's location; 404 when none is set.
func (s *Service) HouseholdLocation(ctx context.Context, p *auth.Principal, id int64) (Location, error) {
	q := s.DB.Reader()
	if _, err := householdRegion(ctx, q, p, auth.HouseholdRead, id); err != nil {
		return Location{}, err
	}
	l, ok, err := getLocation(ctx, q, id)
	if err == nil && !ok {
		err = errNoLocation
	}
	return l, err
}

// SetLocation records where a household lives, audited on the household (so its file shows
// it). Setting the same position again changes nothing.
func (s *Service) SetLocation(ctx context.Context, p *auth.Principal, id int64, in LocationInput) (Location, error) {
	var out Location
	if err := in.validate(); err != nil {
		return out, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		code, err := householdRegion(ctx, tx, p, auth.VisitReview, id)
		if err != nil {
			return err
		}
		before, had, err := getLocation(ctx, tx, id)
		if err != nil {
			return err
		}
		lat, lng := roundCoord(*in.Lat), roundCoord(*in.Lng)
		if had && before.Lat == lat && before.Lng == lng {
			out = before
			return nil
		}
		if err := putLocation(ctx, tx, id, lat, lng, LocationSourceConsole); err != nil {
			return err
		}
		if out, _, err = getLocation(ctx, tx, id); err != nil {
			return err
		}
		var b any
		if had {
			b = map[string]any{"lat": before.Lat, "lng": before.Lng, "source": before.Source}
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "household.locate", EntityType: "household",
			EntityID: strconv.FormatInt(id, 10), RegionCode: code, Before: b,
			After: map[string]any{"lat": out.Lat, "lng": out.Lng, "source": out.Source}})
	})
	return out, err
}

func (in LocationInput) validate() error {
	v := errs.Validation{}
	if in.Lat == nil || math.IsNaN(*in.Lat) {
		v.Add("lat", "请填写纬度")
	}
	if in.Lng == nil || math.IsNaN(*in.Lng) {
		v.Add("lng", "请填写经度")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if !InChina(*in.Lat, *in.Lng) {
		return errs.Field("lat", "位置不在中国境内(纬度 3.8–53.6,经度 73.4–135.1)")
	}
	return nil
}

// roundCoord keeps 6 decimals (about 0.1 m): more is noise, and equal inputs compare equal.
func roundCoord(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func getLocation(ctx context.Context, q db.Queryer, id int64) (Location, bool, error) {
	var l Location
	err := q.QueryRowContext(ctx, `SELECT lat, lng, source, updated_at FROM household_locations WHERE household_id = ?`, id).
		Scan(&l.Lat, &l.Lng, &l.Source, &l.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	l.UpdatedAt = canonTime(l.UpdatedAt)
	return l, err == nil, err
}

func putLocation(ctx context.Context, tx *db.Tx, id int64, lat, lng float64, source string) error {
	now := db.Time(tx.Now)
	_, err := tx.ExecContext(ctx, `INSERT INTO household_locations (household_id, lat, lng, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (household_id) DO UPDATE SET lat = excluded.lat, lng = excluded.lng, source = excluded.source, updated_at = excluded.updated_at`,
		id, lat, lng, source, now, now)
	return err
}
