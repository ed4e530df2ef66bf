package visits

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// VisitRow is a visit as the console's list shows it.
type VisitRow struct {
	ID          int64    `json:"id"`
	ClientID    string   `json:"client_id"`
	HouseholdID int64    `json:"household_id"`
	HouseholdNo string   `json:"household_no"`
	HeadName    string   `json:"head_name"`
	RegionCode  string   `json:"region_code"`
	RegionName  string   `json:"region_name"`
	HelperID    int64    `json:"helper_id"`
	HelperName  string   `json:"helper_name"`
	VisitedAt   string   `json:"visited_at"`
	ReceivedAt  string   `json:"received_at"`
	Quarter     string   `json:"quarter"`
	DistanceM   *float64 `json:"distance_m"`
	AccuracyM   *float64 `json:"accuracy_m"`
	Photos      int      `json:"photos"`
	Signals     []string `json:"signals"`
	Conflict    bool     `json:"conflict"`
	Confirmed   bool     `json:"confirmed"`
	Version     int64    `json:"version"`
}

// VisitFilter selects visits for the console's list.
type VisitFilter struct {
	Region      string
	Quarter     string
	HouseholdID int64
	HelperID    int64
	Signal      string // "", any, or one of SignalKinds
	Conflict    bool   // only visits with a conflict pending
	After       int64  // keyset: visits with id < After (0 = newest)
	Limit       int
}

// DetailHousehold is the visited household as the visit page shows it.
type DetailHousehold struct {
	ID          int64       `json:"id"`
	HouseholdNo string      `json:"household_no"`
	HeadName    string      `json:"head_name"`
	Address     string      `json:"address"`
	RegionCode  string      `json:"region_code"`
	RegionName  string      `json:"region_name"`
	Location    *DetailSpot `json:"location"`
}

// DetailSpot is a position.
type DetailSpot struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// DetailHelper is the helper the visit was made by.
type DetailHelper struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
}

// DetailPhoto is a photo of the visit with what the server learnt on receiving it.
type DetailPhoto struct {
	SHA256      string  `json:"sha256"`
	TakenAt     *string `json:"taken_at"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Size        int64   `json:"size"`
	ContentType string  `json:"content_type"`
}

// DetailSignal is a fake-visit sign on the visit.
type DetailSignal struct {
	Kind         string  `json:"kind"`
	Value        float64 `json:"value"`
	Detail       string  `json:"detail"`
	OtherVisitID *int64  `json:"other_visit_id"`
}

// DetailConflict is a phone edit that met a server edit, as kept for review.
type DetailConflict struct {
	ID             int64           `json:"id"`
	BaseVersion    int64           `json:"base_version"`
	ServerVersion  int64           `json:"server_version"`
	Payload        json.RawMessage `json:"payload"` // the VisitUpload as the phone sent it
	UserName       string          `json:"user_name"`
	CreatedAt      string          `json:"created_at"`
	Resolution     string          `json:"resolution"` // "" pending, phone, server
	ResolvedAt     *string         `json:"resolved_at"`
	ResolvedByName string          `json:"resolved_by_name"`
}

// VisitDetail is everything the console's visit page shows: the visit's fields as the field
// app has them, where and by whom, its photos, signs, conflicts and audit history.
type VisitDetail struct {
	FieldVisit
	RegionCode string           `json:"region_code"`
	Quarter    string           `json:"quarter"`
	DistanceM  *float64         `json:"distance_m"`
	Household  DetailHousehold  `json:"household"`
	Helper     DetailHelper     `json:"helper"`
	UploadedBy string           `json:"uploaded_by"`
	Photos     []DetailPhoto    `json:"photos"` // replaces the upload's photo references
	Signals    []DetailSignal   `json:"signals"`
	Conflicts  []DetailConflict `json:"conflicts"`
	History    []audit.Event    `json:"history"`
}

var errNoVisit = errs.E(errs.NotFound, "走访记录不存在")

// Visits pages through the visits under a region in the principal's scope, newest first.
func (s *Service) Visits(ctx context.Context, p *auth.Principal, f VisitFilter) ([]VisitRow, error) {
	if f.Region == "" && p != nil {
		f.Region = p.Scope
	}
	if !regioncode.Valid(f.Region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.VisitRead, f.Region); err != nil {
		return nil, err
	}
	if f.Quarter != "" {
		if _, _, err := QuarterBounds(f.Quarter); err != nil {
			return nil, err
		}
	}
	if f.Signal != "" && f.Signal != "any" && !slices.Contains(SignalKinds, f.Signal) {
		return nil, errs.Field("signal", "应为 any、far_from_home、same_photo、late_record 或 impossible_travel")
	}
	return listVisits(ctx, s.DB.Reader(), f)
}

// Detail returns one visit with everything the console's visit page shows. A visit outside the
// principal's scope looks absent.
func (s *Service) Detail(ctx context.Context, p *auth.Principal, id int64) (VisitDetail, error) {
	if err := p.Require(auth.VisitRead); err != nil {
		return VisitDetail{}, err
	}
	q := s.DB.Reader()
	d, err := loadDetail(ctx, q, id)
	if err != nil {
		return d, err
	}
	if !p.InScope(d.RegionCode) {
		return VisitDetail{}, errNoVisit
	}
	if d.History, err = s.Audit.History(ctx, "visit", strconv.FormatInt(id, 10), 200); err != nil {
		return d, err
	}
	if d.History == nil {
		d.History = []audit.Event{}
	}
	return d, nil
}

// VisitEdit is the office's correction of a visit's findings (the GPS, times, photos and the
// household's confirmation stay as the helper recorded them).
type VisitEdit struct {
	Version    int64      `json:"version"`
	Guarantees Guarantees `json:"guarantees"`
	IncomeFen  *int64     `json:"income_fen"`
	Needs      string     `json:"needs"`
	Measures   string     `json:"measures"`
	Notes      string     `json:"notes"`
}

func (in *VisitEdit) normalize() {
	in.Needs, in.Measures, in.Notes = strings.TrimSpace(in.Needs), strings.TrimSpace(in.Measures), strings.TrimSpace(in.Notes)
	for _, g := range []*string{&in.Guarantees.Food, &in.Guarantees.Education, &in.Guarantees.Medical, &in.Guarantees.Housing, &in.Guarantees.Water} {
		*g = strings.TrimSpace(*g)
	}
}

func (in VisitEdit) validate() error {
	v := errs.Validation{}
	if in.Version <= 0 {
		v.Add("version", "请提供所编辑的版本号")
	}
	for i, g := range in.Guarantees.Values() {
		if g != registry.GuaranteeOK && g != registry.GuaranteeGap && g != registry.GuaranteeNA {
			v.Add("guarantees."+registry.GuaranteeNames[i], "应为 ok(有保障)、gap(未保障)或 na(不适用)")
		}
	}
	if in.IncomeFen != nil && (*in.IncomeFen < 0 || *in.IncomeFen > 100_000_000_00) {
		v.Add("income_fen", "人均纯收入应在 0 到 1 亿元之间(单位:分)")
	}
	for _, f := range []struct{ name, label, s string }{{"needs", "需求", in.Needs}, {"measures", "帮扶措施", in.Measures}, {"notes", "备注", in.Notes}} {
		if !utf8.ValidString(f.s) {
			v.Add(f.name, f.label+"含无效字符")
		} else if utf8.RuneCountInString(f.s) > MaxTextRunes {
			v.Add(f.name, fmt.Sprintf("%s不超过 %d 个字", f.label, MaxTextRunes))
		}
	}
	return v.Err()
}

// editable is the part of a visit the office may correct, as the audit event shows it.
type editable struct {
	Guarantees Guarantees `json:"guarantees"`
	IncomeFen  *int64     `json:"income_fen"`
	Needs      string     `json:"needs"`
	Measures   string     `json:"measures"`
	Notes      string     `json:"notes"`
}

// reviewableVisit reads a visit for an office write (edit, resolve): out of the principal's
// scope it does not exist for them; in scope it needs visit.review in its region.
func reviewableVisit(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64) (storedVisit, error) {
	v, err := loadStoredVisit(ctx, tx, id)
	if err != nil {
		return v, err
	}
	if !p.InScope(v.RegionCode) {
		return v, errNoVisit
	}
	return v, p.RequireIn(auth.VisitReview, v.RegionCode)
}

// editable is the part of a visit the office may correct.
func (u VisitUpload) editable() editable {
	return editable{Guarantees: u.Guarantees, IncomeFen: u.IncomeFen, Needs: u.Needs, Measures: u.Measures, Notes: u.Notes}
}

func (e editable) equal(o editable) bool {
	sameIncome := (e.IncomeFen == nil) == (o.IncomeFen == nil) && (e.IncomeFen == nil || *e.IncomeFen == *o.IncomeFen)
	return e.Guarantees == o.Guarantees && sameIncome && e.Needs == o.Needs && e.Measures == o.Measures && e.Notes == o.Notes
}

// Edit corrects a visit's findings when the stored version is still the one the editor saw: a
// stale version is a conflict, never a silent overwrite. No change writes nothing (no new
// version, no audit event); a change makes version+1 with the audit event visit.edit. The
// content hash follows the stored content, so a phone re-sending its older copy is kept as
// a conflict for review instead of passing as a replay.
func (s *Service) Edit(ctx context.Context, p *auth.Principal, id int64, in VisitEdit) (VisitDetail, error) {
	in.normalize()
	if err := p.Require(auth.VisitReview); err != nil {
		return VisitDetail{}, err
	}
	if err := in.validate(); err != nil {
		return VisitDetail{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		v, err := reviewableVisit(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if in.Version != v.Version {
			return errs.E(errs.Conflict, "该走访记录已被修改(当前版本 %d,您编辑的是版本 %d),请刷新后重试", v.Version, in.Version)
		}
		before := v.editable()
		after := editable{Guarantees: in.Guarantees, IncomeFen: in.IncomeFen, Needs: in.Needs, Measures: in.Measures, Notes: in.Notes}
		if before.equal(after) {
			return nil
		}
		up := v.VisitUpload
		up.Guarantees, up.IncomeFen, up.Needs, up.Measures, up.Notes = after.Guarantees, after.IncomeFen, after.Needs, after.Measures, after.Notes
		if err := updateEditable(ctx, tx, id, v.Version, after, up.ContentHash()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "visit.edit", EntityType: "visit",
			EntityID: strconv.FormatInt(id, 10), RegionCode: v.RegionCode,
			Before: map[string]any{"version": v.Version, "fields": before},
			After:  map[string]any{"version": v.Version + 1, "fields": after}})
	})
	if err != nil {
		return VisitDetail{}, err
	}
	return s.Detail(ctx, p, id)
}

// PhotoBytes returns a photo's bytes and content type when it belongs to a visit in the
// principal's scope; anything else (unknown, incomplete, or only on visits elsewhere) is absent.
func (s *Service) PhotoBytes(ctx context.Context, p *auth.Principal, sha string) (string, []byte, error) {
	if err := p.Require(auth.VisitRead); err != nil {
		return "", nil, err
	}
	if !ValidSHA256(sha) {
		return "", nil, errs.E(errs.NotFound, "照片不存在")
	}
	return photoInScope(ctx, s.DB.Reader(), sha, p.Scope)
}
