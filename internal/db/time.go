package db

import (
	"database/sql"
	"time"
)

// TimeLayout is how every timestamp is stored: UTC, microseconds, as text in both dialects. Text
// sorts correctly, compares the same on SQLite and PostgreSQL, and hashes the same in the audit
// chain whatever driver read it back.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// DateLayout is how calendar dates (registered_on, exited_on …) are stored.
const DateLayout = "2006-01-02"

// Time formats t for storage.
func Time(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored timestamp; the zero time for "".
func ParseTime(s string) time.Time {
	t, _ := time.Parse(TimeLayout, s)
	return t
}

// NullTime formats an optional timestamp.
func NullTime(t *time.Time) sql.NullString {
	if t == nil || t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: Time(*t), Valid: true}
}

// TimePtr reads an optional stored timestamp.
func TimePtr(s sql.NullString) *time.Time {
	if !s.Valid || s.String == "" {
		return nil
	}
	t := ParseTime(s.String)
	return &t
}

// Shanghai is the zone dates are reckoned in (China has had no daylight saving since 1991, so
// a fixed offset is exact and needs no tzdata on the host).
var Shanghai = time.FixedZone("CST", 8*60*60)

// Date is t's calendar date in Shanghai, as stored (YYYY-MM-DD).
func Date(t time.Time) string { return t.In(Shanghai).Format(DateLayout) }

// NullID stores an optional reference: 0 is NULL.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
