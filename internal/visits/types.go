package visits

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/registry"
)

// Guarantees is the state of 两不愁三保障 + safe drinking water as seen on a visit: the
// registry's type, so a visit's findings compare directly with the household record.
type Guarantees = registry.Guarantees

// PhotoRef names a photo of a visit by the SHA-256 of its bytes (uploaded beforehand through
// the parts endpoint) with the time the phone took it.
type PhotoRef struct {
	SHA256  string  `json:"sha256"`
	TakenAt *string `json:"taken_at"` // RFC 3339, null when unknown
}

// VisitUpload is one visit as the phone sends it (and as a conflict keeps it). Times are text
// so that one bad time rejects its visit with a named field instead of the whole request.
type VisitUpload struct {
	ClientID    string     `json:"client_id"`
	HouseholdID int64      `json:"household_id"`
	BaseVersion int64      `json:"base_version"` // 0 = new visit; n = the phone edits its copy of version n
	VisitedAt   string     `json:"visited_at"`   // RFC 3339, any offset
	RecordedAt  string     `json:"recorded_at"`  // phone clock when the form was saved
	Lat         *float64   `json:"lat"`
	Lng         *float64   `json:"lng"`
	AccuracyM   *float64   `json:"accuracy_m"`
	Guarantees  Guarantees `json:"guarantees"`
	IncomeFen   *int64     `json:"income_fen"` // per-capita yearly income; null = not updated
	Needs       string     `json:"needs"`
	Measures    string     `json:"measures"`
	Notes       string     `json:"notes"`
	Confirmed   bool       `json:"confirmed"`
	ConfirmedBy string     `json:"confirmed_by"`
	Photos      []PhotoRef `json:"photos"`
}

// FieldVisit is a stored visit as the field app and the console read it: the upload's fields
// (times in UTC, base_version = version so the phone can edit and re-send it) plus the
// server's id, version, conflict flag and receipt time.
type FieldVisit struct {
	VisitUpload
	ID         int64  `json:"id"`
	Version    int64  `json:"version"`
	Conflict   bool   `json:"conflict"`
	ReceivedAt string `json:"received_at"`
}

// Limits of a visit.
const (
	MaxPhotos     = 9
	MaxTextRunes  = 2000
	MaxNameRunes  = 50
	MaxAccuracyM  = 100000
	futureSlack   = 10 * time.Minute
	maxVisitAge   = 2 * 365 * 24 * time.Hour
	recordedSlack = 10 * time.Minute
)

// Checked is a normalized, validated upload with its times parsed.
type Checked struct {
	VisitUpload
	Visited  time.Time
	Recorded time.Time
	TakenAt  []*time.Time // per photo
	Hash     string       // canonical content hash (excludes base_version)
}

// Normalize trims text and puts times and hashes in canonical form, before Validate. Times
// that do not parse are left as sent (Validate names them).
func (v *VisitUpload) Normalize() {
	v.ClientID = strings.TrimSpace(v.ClientID)
	v.VisitedAt = canonTime(v.VisitedAt)
	v.RecordedAt = canonTime(v.RecordedAt)
	v.Needs = strings.TrimSpace(v.Needs)
	v.Measures = strings.TrimSpace(v.Measures)
	v.Notes = strings.TrimSpace(v.Notes)
	v.ConfirmedBy = strings.TrimSpace(v.ConfirmedBy)
	if !v.Confirmed {
		v.ConfirmedBy = ""
	}
	for i := range v.Photos {
		p := &v.Photos[i]
		p.SHA256 = strings.ToLower(strings.TrimSpace(p.SHA256))
		if p.TakenAt != nil {
			s := canonTime(*p.TakenAt)
			if s == "" {
				p.TakenAt = nil
			} else {
				p.TakenAt = &s
			}
		}
	}
	if v.Photos == nil {
		v.Photos = []PhotoRef{}
	}
	// Photos are a set: their order carries no meaning and must not change the content hash.
	slices.SortStableFunc(v.Photos, func(a, b PhotoRef) int { return strings.Compare(a.SHA256, b.SHA256) })
	for _, g := range []*string{&v.Guarantees.Food, &v.Guarantees.Education, &v.Guarantees.Medical, &v.Guarantees.Housing, &v.Guarantees.Water} {
		*g = strings.TrimSpace(*g)
	}
}

// canonTime turns an RFC 3339 time with any offset into UTC RFC 3339; unparseable text is
// returned trimmed.
func canonTime(s string) string {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// Validate checks a normalized upload against now (the server clock) and returns the parsed
// form. The error is an *errs.Error naming the first field at fault, so the phone can show it.
// Pure: no I/O, never panics on any input.
func (v VisitUpload) Validate(now time.Time) (Checked, error) { return v.validate(now, true) }

// validateStored checks a visit rebuilt from stored data and a kept payload: everything but
// the time window around now, which was checked when the visit arrived.
func (v VisitUpload) validateStored() (Checked, error) { return v.validate(time.Time{}, false) }

func (v VisitUpload) validate(now time.Time, window bool) (Checked, error) {
	c := Checked{VisitUpload: v}
	if !ValidClientID(v.ClientID) {
		return c, errs.Field("client_id", "应为 8 到 64 个字母、数字或连字符")
	}
	if v.HouseholdID <= 0 {
		return c, errs.Field("household_id", "应为正整数")
	}
	if v.BaseVersion < 0 {
		return c, errs.Field("base_version", "不能为负数")
	}
	var err error
	if c.Visited, err = time.Parse(time.RFC3339Nano, v.VisitedAt); err != nil {
		return c, errs.Field("visited_at", "走访时间应为 RFC 3339 格式(如 2026-11-20T10:30:00+08:00)")
	}
	if window && c.Visited.After(now.Add(futureSlack)) {
		return c, errs.Field("visited_at", "走访时间在未来")
	}
	if window && c.Visited.Before(now.Add(-maxVisitAge)) {
		return c, errs.Field("visited_at", "走访时间早于两年前")
	}
	if c.Recorded, err = time.Parse(time.RFC3339Nano, v.RecordedAt); err != nil {
		return c, errs.Field("recorded_at", "记录时间应为 RFC 3339 格式")
	}
	if c.Recorded.Before(c.Visited.Add(-recordedSlack)) {
		return c, errs.Field("recorded_at", "记录时间早于走访时间")
	}
	if window && c.Recorded.After(now.Add(futureSlack)) {
		return c, errs.Field("recorded_at", "记录时间在未来")
	}
	if (v.Lat == nil) != (v.Lng == nil) {
		return c, errs.Field("lat", "经纬度须同时提供或同时为空")
	}
	if v.Lat != nil && !InChina(*v.Lat, *v.Lng) {
		return c, errs.Field("lat", "GPS 位置不在中国境内")
	}
	if v.AccuracyM != nil {
		if a := *v.AccuracyM; math.IsNaN(a) || a < 0 || a > MaxAccuracyM {
			return c, errs.Field("accuracy_m", "定位精度应在 0 到 100000 米之间")
		}
		if v.Lat == nil {
			return c, errs.Field("accuracy_m", "没有 GPS 位置时精度应为空")
		}
	}
	for i, g := range v.Guarantees.Values() {
		if g != registry.GuaranteeOK && g != registry.GuaranteeGap && g != registry.GuaranteeNA {
			return c, errs.Field("guarantees."+registry.GuaranteeNames[i], "应为 ok(有保障)、gap(未保障)或 na(不适用)")
		}
	}
	if v.IncomeFen != nil && (*v.IncomeFen < 0 || *v.IncomeFen > 100_000_000_00) {
		return c, errs.Field("income_fen", "人均纯收入应在 0 到 1 亿元之间(单位:分)")
	}
	for _, f := range []struct{ name, label, s string }{{"needs", "需求", v.Needs}, {"measures", "帮扶措施", v.Measures}, {"notes", "备注", v.Notes}} {
		if !utf8.ValidString(f.s) {
			return c, errs.Field(f.name, f.label+"含无效字符")
		}
		if utf8.RuneCountInString(f.s) > MaxTextRunes {
			return c, errs.Field(f.name, fmt.Sprintf("%s不超过 %d 个字", f.label, MaxTextRunes))
		}
	}
	if v.Confirmed && v.ConfirmedBy == "" {
		return c, errs.Field("confirmed_by", "农户已确认时须填写确认人")
	}
	if !utf8.ValidString(v.ConfirmedBy) || utf8.RuneCountInString(v.ConfirmedBy) > MaxNameRunes {
		return c, errs.Field("confirmed_by", "确认人不超过 50 个字")
	}
	if len(v.Photos) > MaxPhotos {
		return c, errs.Field("photos", fmt.Sprintf("照片最多 %d 张", MaxPhotos))
	}
	c.TakenAt = make([]*time.Time, len(v.Photos))
	seen := map[string]bool{}
	for i, p := range v.Photos {
		if !ValidSHA256(p.SHA256) {
			return c, errs.Field("photos", "照片的 SHA-256 应为 64 位十六进制小写字符")
		}
		if seen[p.SHA256] {
			return c, errs.Field("photos", "照片 "+p.SHA256[:8]+" 重复")
		}
		seen[p.SHA256] = true
		if p.TakenAt != nil {
			t, err := time.Parse(time.RFC3339Nano, *p.TakenAt)
			if err != nil {
				return c, errs.Field("photos", "照片拍摄时间应为 RFC 3339 格式")
			}
			c.TakenAt[i] = &t
		}
	}
	c.Hash = v.ContentHash()
	return c, nil
}

// ContentHash is the SHA-256 of the upload's canonical content, base_version excluded: two
// uploads with the same hash are the same visit (a replay).
func (v VisitUpload) ContentHash() string {
	v.BaseVersion = 0
	if v.Photos == nil {
		v.Photos = []PhotoRef{}
	}
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ValidClientID reports whether s is 8-64 characters of [A-Za-z0-9-].
func ValidClientID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ValidSHA256 reports whether s is 64 lowercase hex characters.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// China's bounding box (WGS-84): a GPS fix outside it is not a visit to a household here.
const (
	ChinaLatMin, ChinaLatMax = 3.8, 53.6
	ChinaLngMin, ChinaLngMax = 73.4, 135.1
)

// InChina reports whether a position lies in China's bounding box.
func InChina(lat, lng float64) bool {
	return lat >= ChinaLatMin && lat <= ChinaLatMax && lng >= ChinaLngMin && lng <= ChinaLngMax
}

const earthRadiusM = 6371008.8

// Haversine is the great-circle distance in metres between two WGS-84 positions.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// QuarterOf is the "YYYYQn" of t's calendar date in Asia/Shanghai.
func QuarterOf(t time.Time) string {
	s := t.In(db.Shanghai)
	return fmt.Sprintf("%04dQ%d", s.Year(), (int(s.Month())-1)/3+1)
}

// QuarterDates returns the first and last calendar dates (YYYY-MM-DD) of a "YYYYQn" quarter.
func QuarterDates(q string) (first, last string, err error) {
	start, end, err := QuarterBounds(q)
	if err != nil {
		return "", "", err
	}
	return start.Format(db.DateLayout), end.Add(-time.Nanosecond).Format(db.DateLayout), nil
}

// QuarterBounds returns the quarter's start and the next quarter's start as instants in
// Shanghai: a visit is in the quarter when start ≤ visited_at < end.
func QuarterBounds(q string) (start, end time.Time, err error) {
	bad := errs.Field("quarter", "季度格式应为 YYYYQ1 到 YYYYQ4(如 2026Q4)")
	if len(q) != 6 || q[4] != 'Q' || q[5] < '1' || q[5] > '4' {
		return start, end, bad
	}
	y, e := strconv.Atoi(q[:4])
	if e != nil || y < 2000 || y > 2100 {
		return start, end, bad
	}
	n := int(q[5] - '0')
	start = time.Date(y, time.Month(3*(n-1)+1), 1, 0, 0, 0, 0, db.Shanghai)
	return start, start.AddDate(0, 3, 0), nil
}
