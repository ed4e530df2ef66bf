package visits

import (
	"context"
	"encoding/json"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Sync statuses of one uploaded visit.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusUpdated   = "updated"
	StatusConflict  = "conflict"
	StatusRejected  = "rejected"
)

// CodePhotoMissing rejects a visit whose photo is not (yet) complete on the server: the phone
// uploads it and retries.
const CodePhotoMissing = "photo_missing"

// MaxSyncVisits is how many visits one sync request may carry.
const MaxSyncVisits = 50

// SyncRequest is the body of POST /api/v1/field/sync.
type SyncRequest struct {
	Visits []VisitUpload `json:"visits"`
}

// SyncResult is the fate of one uploaded visit, in request order.
type SyncResult struct {
	ClientID string `json:"client_id"`
	Status   string `json:"status"`
	VisitID  int64  `json:"visit_id"`
	Version  int64  `json:"version"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
	Field    string `json:"field,omitempty"`
}

// SyncResponse is the answer to a sync.
type SyncResponse struct {
	Results []SyncResult `json:"results"`
}

// fieldHelper is the helper record a field account signs in as.
type fieldHelper struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
	Position string `json:"position"`
}

var errNotLinked = errs.E(errs.Forbidden, "您的账号尚未关联帮扶责任人档案,请联系镇(街道)农办")

// myHelper is the active helper linked to the signed-in account; every field endpoint acts
// as it and only on its households.
func (s *Service) myHelper(ctx context.Context, q db.Queryer, p *auth.Principal) (fieldHelper, error) {
	var h fieldHelper
	if err := p.Require(auth.FieldSync); err != nil {
		return h, err
	}
	found, err := helperOfUser(ctx, q, p.UserID, &h)
	if err != nil {
		return h, err
	}
	if !found {
		return h, errNotLinked
	}
	return h, nil
}

// Sync stores uploaded visits, each in its own transaction: one bad visit never blocks the
// others, and a visit sent twice is stored once.
func (s *Service) Sync(ctx context.Context, p *auth.Principal, in SyncRequest) (SyncResponse, error) {
	out := SyncResponse{Results: []SyncResult{}}
	h, err := s.myHelper(ctx, s.DB.Reader(), p)
	if err != nil {
		return out, err
	}
	if len(in.Visits) == 0 || len(in.Visits) > MaxSyncVisits {
		return out, errs.Field("visits", "每次上传 1 到 50 条走访")
	}
	for _, v := range in.Visits {
		r, err := s.syncOne(ctx, p, h, v)
		if err != nil {
			return out, err
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}

func rejected(r SyncResult, err error) SyncResult {
	r.Status, r.VisitID, r.Version = StatusRejected, 0, 0
	e, ok := errs.As(err)
	if !ok {
		e = &errs.Error{Code: errs.Invalid, Message: err.Error()}
	}
	r.Code, r.Message = string(e.Code), e.Message
	for f := range e.Fields {
		if r.Field == "" || f < r.Field {
			r.Field = f
		}
	}
	return r
}

// syncOne stores one visit. A replay is answered from the read side without taking the write
// lock; everything else is decided and written in one transaction, retried when a concurrent
// upload of the same client_id won the insert.
func (s *Service) syncOne(ctx context.Context, p *auth.Principal, h fieldHelper, v VisitUpload) (SyncResult, error) {
	v.Normalize()
	res := SyncResult{ClientID: v.ClientID}
	if !ValidClientID(v.ClientID) {
		return rejected(res, errs.Field("client_id", "应为 8 到 64 个字母、数字或连字符")), nil
	}
	hash := v.ContentHash()
	if ex, found, err := visitByClientID(ctx, s.DB.Reader(), v.ClientID); err != nil {
		return res, err
	} else if found && ex.UserID == p.UserID && ex.HouseholdID == v.HouseholdID && ex.ContentHash == hash {
		res.Status, res.VisitID, res.Version = StatusDuplicate, ex.ID, ex.Version
		return res, nil
	}
	var err error
	for attempt := 0; ; attempt++ {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			var err error
			res, err = s.applyVisit(ctx, tx, p, h, v, hash)
			return err
		})
		if errs.CodeOf(err) != errs.Conflict || attempt == 2 {
			break
		}
	}
	return res, err
}

// applyVisit decides a visit's fate inside the write transaction. Rejections are results, not
// errors (nothing is written for them); an error rolls back and fails the request.
func (s *Service) applyVisit(ctx context.Context, tx *db.Tx, p *auth.Principal, h fieldHelper, v VisitUpload, hash string) (SyncResult, error) {
	res := SyncResult{ClientID: v.ClientID}
	ex, found, err := visitByClientID(ctx, tx, v.ClientID)
	if err != nil {
		return res, err
	}
	if found {
		if ex.UserID != p.UserID || ex.HouseholdID != v.HouseholdID {
			return rejected(res, &errs.Error{Code: errs.Conflict, Message: "client_id 已被另一条走访使用", Fields: map[string]string{"client_id": "已被另一条走访使用"}}), nil
		}
		res.VisitID, res.Version = ex.ID, ex.Version
		if ex.ContentHash == hash {
			res.Status = StatusDuplicate
			return res, nil
		}
	}
	c, err := v.Validate(tx.Now)
	if err != nil {
		return rejected(res, err), nil
	}
	c.Hash = hash
	if !found && v.BaseVersion > 0 {
		return rejected(res, errs.Field("base_version", "服务器上没有这条走访,不能作为修改上传")), nil
	}
	hh, err := s.visitHousehold(ctx, tx, p, h, c)
	if _, ok := errs.As(err); ok {
		return rejected(res, err), nil
	} else if err != nil {
		return res, err
	}
	photos, err := photoHashes(ctx, tx, v.Photos)
	if err != nil {
		return res, err
	}
	for _, ph := range v.Photos {
		if _, ok := photos[ph.SHA256]; !ok {
			return rejected(res, &errs.Error{Code: CodePhotoMissing, Message: "照片 " + ph.SHA256[:8] + " 尚未上传完成",
				Fields: map[string]string{"photos": "照片 " + ph.SHA256[:8] + " 尚未上传完成"}}), nil
		}
	}
	switch {
	case found && v.BaseVersion != ex.Version:
		return s.storeConflict(ctx, tx, p, ex, hh, v)
	case found:
		return s.storeVisit(ctx, tx, p, h, hh, c, photos, &ex)
	default:
		return s.storeVisit(ctx, tx, p, h, hh, c, photos, nil)
	}
}

// visitHousehold checks the household is in the account's scope and was assigned to the
// helper on the visit's date (Shanghai calendar).
func (s *Service) visitHousehold(ctx context.Context, tx *db.Tx, p *auth.Principal, h fieldHelper, c Checked) (householdRef, error) {
	notMine := &errs.Error{Code: errs.Forbidden, Message: "该户不是您帮扶的农户", Fields: map[string]string{"household_id": "该户不是您帮扶的农户"}}
	hh, found, err := householdOf(ctx, tx, c.HouseholdID)
	if err != nil {
		return hh, err
	}
	if !found || !p.InScope(hh.RegionCode) {
		return hh, notMine
	}
	ok, err := assignedOn(ctx, tx, hh.ID, h.ID, db.Date(c.Visited))
	if err != nil {
		return hh, err
	}
	if !ok {
		return hh, notMine
	}
	return hh, nil
}

// storeVisit inserts a new visit (ex nil) or replaces the fields of ex with the phone's newer
// copy, then recomputes its signals and records the audit event.
func (s *Service) storeVisit(ctx context.Context, tx *db.Tx, p *auth.Principal, h fieldHelper, hh householdRef, c Checked, photos map[string]photoHash, ex *visitRec) (SyncResult, error) {
	res := SyncResult{ClientID: c.ClientID}
	row := visitRow{Checked: c, HelperID: h.ID, UserID: p.UserID, RegionCode: hh.RegionCode, Quarter: QuarterOf(c.Visited)}
	if c.Lat != nil && hh.Location != nil {
		d := Haversine(*c.Lat, *c.Lng, hh.Location.Lat, hh.Location.Lng)
		row.DistanceM = &d
	}
	var before any
	var err error
	if ex == nil {
		row.ReceivedAt = tx.Now
		if row.ID, err = insertVisit(ctx, tx, row); err != nil {
			return res, err
		}
		row.Version = 1
		res.Status = StatusAccepted
	} else {
		old, err := getFieldVisit(ctx, tx, ex.ID)
		if err != nil {
			return res, err
		}
		before = old
		row.ID, row.Version, row.ReceivedAt = ex.ID, ex.Version+1, db.ParseTime(old.ReceivedAt)
		if err := updateVisit(ctx, tx, row); err != nil {
			return res, err
		}
		res.Status = StatusUpdated
	}
	if err := setVisitPhotos(ctx, tx, row.ID, c, ex != nil); err != nil {
		return res, err
	}
	kinds, err := s.refreshSignals(ctx, tx, row, photos)
	if err != nil {
		return res, err
	}
	after := row.fieldVisit()
	action := "visit.create"
	if ex != nil {
		action = "visit.update"
	}
	if err := audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "visit",
		EntityID: strconv.FormatInt(row.ID, 10), RegionCode: hh.RegionCode, Before: before,
		After: auditVisit{FieldVisit: after, HelperID: h.ID, Signals: kinds}}); err != nil {
		return res, err
	}
	res.VisitID, res.Version = row.ID, row.Version
	return res, nil
}

// auditVisit is the visit summary the trail keeps: the visit as the phone sees it (photo
// hashes, never bytes), who answered for it, and the signs it raised.
type auditVisit struct {
	FieldVisit
	HelperID int64    `json:"helper_id"`
	Signals  []string `json:"signals"`
}

// storeConflict keeps a phone edit based on a version the server already changed, whole, for
// review; nothing is overwritten. The same payload sent again is not kept twice.
func (s *Service) storeConflict(ctx context.Context, tx *db.Tx, p *auth.Principal, ex visitRec, hh householdRef, v VisitUpload) (SyncResult, error) {
	res := SyncResult{ClientID: v.ClientID, Status: StatusConflict, VisitID: ex.ID, Version: ex.Version}
	payload, err := json.Marshal(v)
	if err != nil {
		return res, err
	}
	known, err := conflictPayloadKnown(ctx, tx, ex.ID, string(payload))
	if err != nil || known {
		return res, err
	}
	cid, err := insertConflict(ctx, tx, ex.ID, v.BaseVersion, ex.Version, string(payload), p.UserID)
	if err != nil {
		return res, err
	}
	return res, audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "visit.conflict", EntityType: "visit",
		EntityID: strconv.FormatInt(ex.ID, 10), RegionCode: hh.RegionCode,
		After: map[string]any{"conflict_id": cid, "client_id": v.ClientID, "base_version": v.BaseVersion, "server_version": ex.Version, "payload": v}})
}
