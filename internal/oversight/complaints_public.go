package oversight

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
)

// Limits on public complaints per client (the SHA-256 of its address): scripted floods are
// refused with 429 while a villager lodging a few complaints is never in the way.
const (
	PublicPerHour = 5
	PublicPerDay  = 20
)

// publicActor is who the audit trail names for what the public does: never their address.
func publicActor(channel string) audit.Actor {
	return audit.Actor{ID: 0, Name: "公众(" + channel + ")"}
}

// LodgePublic records a complaint from the public portal or the kiosk. The same content from
// the same client within 24 hours answers the first complaint's code again (a double submit or
// a retry makes no second row); beyond PublicPerHour complaints in an hour or PublicPerDay in a
// day the client is refused.
func (s *Service) LodgePublic(ctx context.Context, clientAddr string, in PublicComplaintInput) (LodgeResult, error) {
	c := in.complaint()
	c.normalize()
	if err := c.validate([]string{ChannelPortal, ChannelKiosk}); err != nil {
		return LodgeResult{}, err
	}
	if err := complaintRegionExists(ctx, s.DB.Reader(), c.RegionCode, true); err != nil {
		return LodgeResult{}, err
	}
	hash := mask.Client(clientAddr)
	var res LodgeResult
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if tx.Dialect() == db.Postgres {
			// One client's complaints are counted and written one at a time (SQLite has a single
			// writer anyway), so a burst cannot slip past the limits together.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, "complaint:"+hash); err != nil {
				return err
			}
		}
		dayAgo := db.Time(tx.Now.Add(-24 * time.Hour))
		var code, deadline string
		err := tx.QueryRowContext(ctx, `SELECT tracking_code, COALESCE(deadline, '') FROM complaints
			WHERE client_hash = ? AND created_at >= ? AND content = ? ORDER BY id LIMIT 1`, hash, dayAgo, c.Content).Scan(&code, &deadline)
		if err == nil {
			res = LodgeResult{TrackingCode: FormatTrackingCode(code), Deadline: deadline}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var hour, day int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0), COUNT(*)
			FROM complaints WHERE client_hash = ? AND created_at >= ?`, db.Time(tx.Now.Add(-time.Hour)), hash, dayAgo).Scan(&hour, &day); err != nil {
			return err
		}
		if hour >= PublicPerHour || day >= PublicPerDay {
			return errs.E(errs.Throttled, "提交过于频繁,请稍后再试(每小时最多 %d 件,每天最多 %d 件)", PublicPerHour, PublicPerDay)
		}
		r, err := lodgeTx(ctx, tx, publicActor(c.Channel), c, hash, 0)
		// The public learn the code and the deadline, nothing else (not the row's id).
		res = LodgeResult{TrackingCode: r.TrackingCode, Deadline: r.Deadline}
		return err
	})
	return res, err
}

// PublicComplaint is what the complainant sees by the tracking code: the handling, never who
// complained or who handles it.
type PublicComplaint struct {
	TrackingCode  string  `json:"tracking_code"`
	Status        string  `json:"status"`
	Category      string  `json:"category"`
	CategoryLabel string  `json:"category_label"`
	Subject       string  `json:"subject"`
	CreatedAt     string  `json:"created_at"`
	Deadline      *string `json:"deadline"`
	Reply         string  `json:"reply"`
	RepliedAt     *string `json:"replied_at"`
	Satisfaction  string  `json:"satisfaction"`
}

// errNoCode is the one answer for a code that is malformed and for one that does not exist, so
// the answer tells nothing about which codes are in use.
var errNoCode = errs.E(errs.NotFound, "查询码不存在,请核对后重新输入")

// TrackComplaint returns a complaint by its tracking code.
func (s *Service) TrackComplaint(ctx context.Context, code string) (PublicComplaint, error) {
	stored, ok := ParseTrackingCode(code)
	if !ok {
		return PublicComplaint{}, errNoCode
	}
	return s.publicView(ctx, s.DB.Reader(), stored)
}

func (s *Service) publicView(ctx context.Context, q db.Queryer, stored string) (PublicComplaint, error) {
	var v PublicComplaint
	var deadline, replied sql.NullString
	err := q.QueryRowContext(ctx, `SELECT tracking_code, status, category, subject, created_at, deadline, reply, replied_at, satisfaction
		FROM complaints WHERE tracking_code = ?`, stored).Scan(&v.TrackingCode, &v.Status, &v.Category, &v.Subject, &v.CreatedAt,
		&deadline, &v.Reply, &replied, &v.Satisfaction)
	if errors.Is(err, sql.ErrNoRows) {
		return v, errNoCode
	}
	v.TrackingCode = FormatTrackingCode(v.TrackingCode)
	v.CategoryLabel = ComplaintCategories[v.Category]
	v.Deadline, v.RepliedAt = nullStr(deadline), nullStr(replied)
	return v, err
}

// RatingInput is the complainant's satisfaction with the reply.
type RatingInput struct {
	Satisfaction string `json:"satisfaction"`
}

// RateComplaint records the complainant's satisfaction: only once the complaint was replied to,
// and only once.
func (s *Service) RateComplaint(ctx context.Context, code string, in RatingInput) (PublicComplaint, error) {
	stored, ok := ParseTrackingCode(code)
	if !ok {
		return PublicComplaint{}, errNoCode
	}
	if !slices.Contains(satisfactions, in.Satisfaction) {
		return PublicComplaint{}, errs.Field("satisfaction", "应为 satisfied(满意)、basic(基本满意)或 unsatisfied(不满意)")
	}
	var out PublicComplaint
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		var region, channel, sat string
		var replied sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, region_code, channel, satisfaction, replied_at FROM complaints WHERE tracking_code = ?`, stored).
			Scan(&id, &region, &channel, &sat, &replied)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoCode
		}
		if err != nil {
			return err
		}
		if !replied.Valid {
			return errs.E(errs.Conflict, "尚未答复,答复后才能评价")
		}
		if sat != "" {
			return errs.E(errs.Conflict, "已评价过,不能重复评价")
		}
		res, err := tx.ExecContext(ctx, `UPDATE complaints SET satisfaction = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND satisfaction = ''`, in.Satisfaction, db.Time(tx.Now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "已评价过,不能重复评价")
		}
		if err := audit.Record(ctx, tx, publicActor(channel), audit.Change{Action: "complaint.rate", EntityType: "complaint",
			EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: map[string]any{"satisfaction": ""},
			After: map[string]any{"satisfaction": in.Satisfaction}}); err != nil {
			return err
		}
		out, err = s.publicView(ctx, tx, stored)
		return err
	})
	return out, err
}
