package visits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Resolutions of a conflict.
const (
	TakePhone  = "phone"
	TakeServer = "server"
)

// ResolveInput settles a conflict: take the phone's copy or keep the server's.
type ResolveInput struct {
	Take string `json:"take"`
}

var errNoConflict = errs.E(errs.NotFound, "冲突记录不存在")

// Resolve settles a pending conflict of a visit. Taking the phone's side applies its editable
// fields (guarantees, income, needs, measures, notes) and its photos as a new version, and
// recomputes the signals; keeping the server's changes nothing but the conflict. The visit's
// conflict flag clears when no other conflict is pending. Audited as visit.resolve.
func (s *Service) Resolve(ctx context.Context, p *auth.Principal, visitID, conflictID int64, in ResolveInput) (VisitDetail, error) {
	if err := p.Require(auth.VisitReview); err != nil {
		return VisitDetail{}, err
	}
	if in.Take != TakePhone && in.Take != TakeServer {
		return VisitDetail{}, errs.Field("take", "应为 phone(采用手机上的版本)或 server(保留服务器上的版本)")
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		v, err := reviewableVisit(ctx, tx, p, visitID)
		if err != nil {
			return err
		}
		payload, resolution, err := getConflict(ctx, tx, visitID, conflictID)
		if err != nil {
			return err
		}
		if resolution != "" {
			return errs.E(errs.Conflict, "该冲突已处理(%s)", resolutionLabel(resolution))
		}
		before := v.editable()
		change := audit.Change{Action: "visit.resolve", EntityType: "visit", EntityID: strconv.FormatInt(visitID, 10), RegionCode: v.RegionCode}
		after := map[string]any{"conflict_id": conflictID, "take": in.Take, "version": v.Version}
		if in.Take == TakePhone {
			var up VisitUpload
			if err := json.Unmarshal([]byte(payload), &up); err != nil {
				return errs.E(errs.Conflict, "冲突中保存的手机数据无法读取,只能保留服务器上的版本")
			}
			up.Normalize()
			if v, err = s.takePhone(ctx, tx, v, up); err != nil {
				return err
			}
			change.Before = map[string]any{"version": v.Version - 1, "fields": before}
			after["version"] = v.Version
			after["fields"] = v.editable()
			after["photos"] = v.Photos
		}
		if err := settleConflict(ctx, tx, visitID, conflictID, in.Take, p.UserID); err != nil {
			return err
		}
		change.After = after
		return audit.Record(ctx, tx, audit.ActorOf(p), change)
	})
	if err != nil {
		return VisitDetail{}, err
	}
	return s.Detail(ctx, p, visitID)
}

func resolutionLabel(r string) string {
	if r == TakePhone {
		return "已采用手机版本"
	}
	return "已保留服务器版本"
}

// takePhone applies the phone copy's editable fields and photos to v as version+1.
func (s *Service) takePhone(ctx context.Context, tx *db.Tx, v storedVisit, up VisitUpload) (storedVisit, error) {
	next := v.VisitUpload
	next.Guarantees, next.IncomeFen, next.Needs, next.Measures, next.Notes = up.Guarantees, up.IncomeFen, up.Needs, up.Measures, up.Notes
	next.Photos = up.Photos
	next.BaseVersion = v.Version
	c, err := next.validateStored()
	if err != nil {
		msg := err.Error()
		if e, ok := errs.As(err); ok {
			msg = e.Message
		}
		return v, errs.E(errs.Conflict, "手机版本的数据无效(%s),只能保留服务器上的版本", msg)
	}
	c.Visited, c.Recorded = db.ParseTime(db.Time(c.Visited)), db.ParseTime(db.Time(c.Recorded))
	photos, err := photoHashes(ctx, tx, c.Photos)
	if err != nil {
		return v, err
	}
	for _, ph := range c.Photos {
		if _, ok := photos[ph.SHA256]; !ok {
			return v, errs.E(errs.Conflict, "手机版本的照片 %s 不在服务器上,只能保留服务器上的版本", ph.SHA256[:8])
		}
	}
	if err := updateEditable(ctx, tx, v.ID, v.Version, next.editable(), c.Hash); err != nil {
		return v, err
	}
	if err := setVisitPhotos(ctx, tx, v.ID, c, true); err != nil {
		return v, err
	}
	row := visitRow{Checked: c, ID: v.ID, Version: v.Version + 1, HelperID: v.HelperID, UserID: v.UserID,
		RegionCode: v.RegionCode, Quarter: v.Quarter, DistanceM: v.DistanceM}
	if _, err := s.refreshSignals(ctx, tx, row, photos); err != nil {
		return v, err
	}
	v.VisitUpload, v.Version = next, v.Version+1
	return v, nil
}

func getConflict(ctx context.Context, q db.Queryer, visitID, conflictID int64) (payload, resolution string, err error) {
	err = q.QueryRowContext(ctx, `SELECT payload_json, resolution FROM visit_conflicts WHERE id = ? AND visit_id = ?`, conflictID, visitID).
		Scan(&payload, &resolution)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNoConflict
	}
	return payload, resolution, err
}

// settleConflict records the decision and clears the visit's flag when nothing is pending.
func settleConflict(ctx context.Context, tx *db.Tx, visitID, conflictID int64, take string, by int64) error {
	now := db.Time(tx.Now)
	if _, err := tx.ExecContext(ctx, `UPDATE visit_conflicts SET resolution = ?, resolved_by = ?, resolved_at = ?, updated_at = ? WHERE id = ?`,
		take, by, now, now, conflictID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE visits SET conflict = CASE WHEN EXISTS (SELECT 1 FROM visit_conflicts c
		WHERE c.visit_id = visits.id AND c.resolution = '') THEN 1 ELSE 0 END, updated_at = ? WHERE id = ?`, now, visitID)
	return err
}
