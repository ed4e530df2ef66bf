package visits

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

var testNow = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

func fptr(f float64) *float64 { return &f }
func iptr(n int64) *int64     { return &n }

// goodUpload is a valid visit of household hh made on 2026-11-20 10:30 in Shanghai.
func goodUpload(clientID string, hh int64) VisitUpload {
	return VisitUpload{ClientID: clientID, HouseholdID: hh, VisitedAt: "2026-11-20T10:30:00+08:00", RecordedAt: "2026-11-20T10:41:00+08:00",
		Lat: fptr(33.31), Lng: fptr(120.15), AccuracyM: fptr(12),
		Guarantees: Guarantees{Food: "ok", Education: "na", Medical: "gap", Housing: "ok", Water: "ok"},
		IncomeFen:  iptr(650000), Needs: "医疗报销", Measures: "协助申请大病救助", Confirmed: true, ConfirmedBy: "张三", Photos: []PhotoRef{}}
}

func TestValidateUpload(t *testing.T) {
	long := strings.Repeat("字", MaxTextRunes+1)
	nine := make([]PhotoRef, 10)
	for i := range nine {
		nine[i] = PhotoRef{SHA256: strings.Repeat(string("0123456789"[i]), 64)}
	}
	cases := []struct {
		name  string
		edit  func(v *VisitUpload)
		field string // "" = valid
	}{
		{"valid", func(v *VisitUpload) {}, ""},
		{"no gps", func(v *VisitUpload) { v.Lat, v.Lng, v.AccuracyM = nil, nil, nil }, ""},
		{"short client id", func(v *VisitUpload) { v.ClientID = "abc" }, "client_id"},
		{"client id chars", func(v *VisitUpload) { v.ClientID = "abcdefgh/../x" }, "client_id"},
		{"household", func(v *VisitUpload) { v.HouseholdID = 0 }, "household_id"},
		{"negative base", func(v *VisitUpload) { v.BaseVersion = -1 }, "base_version"},
		{"future", func(v *VisitUpload) { v.VisitedAt = "2026-11-24T08:11:00Z"; v.RecordedAt = v.VisitedAt }, "visited_at"},
		{"slightly ahead clock", func(v *VisitUpload) { v.VisitedAt = "2026-11-24T08:09:00Z"; v.RecordedAt = v.VisitedAt }, ""},
		{"too old", func(v *VisitUpload) { v.VisitedAt = "2024-11-01T08:00:00Z" }, "visited_at"},
		{"bad time", func(v *VisitUpload) { v.VisitedAt = "2026-11-20 10:30" }, "visited_at"},
		{"recorded before", func(v *VisitUpload) { v.RecordedAt = "2026-11-20T10:19:00+08:00" }, "recorded_at"},
		{"recorded in slack", func(v *VisitUpload) { v.RecordedAt = "2026-11-20T10:21:00+08:00" }, ""},
		{"outside china", func(v *VisitUpload) { v.Lat, v.Lng = fptr(48.85), fptr(2.35) }, "lat"},
		{"one of lat lng", func(v *VisitUpload) { v.Lng = nil }, "lat"},
		{"accuracy negative", func(v *VisitUpload) { v.AccuracyM = fptr(-1) }, "accuracy_m"},
		{"accuracy huge", func(v *VisitUpload) { v.AccuracyM = fptr(100001) }, "accuracy_m"},
		{"guarantee", func(v *VisitUpload) { v.Guarantees.Water = "maybe" }, "guarantees.water"},
		{"needs long", func(v *VisitUpload) { v.Needs = long }, "needs"},
		{"notes at limit", func(v *VisitUpload) { v.Notes = long[:len(long)-3] }, ""},
		{"confirmed without name", func(v *VisitUpload) { v.ConfirmedBy = "" }, "confirmed_by"},
		{"too many photos", func(v *VisitUpload) { v.Photos = nine }, "photos"},
		{"photo hash", func(v *VisitUpload) { v.Photos = []PhotoRef{{SHA256: "xyz"}} }, "photos"},
		{"photo twice", func(v *VisitUpload) { v.Photos = []PhotoRef{{SHA256: nine[0].SHA256}, {SHA256: nine[0].SHA256}} }, "photos"},
		{"income negative", func(v *VisitUpload) { v.IncomeFen = iptr(-1) }, "income_fen"},
	}
	for _, c := range cases {
		v := goodUpload("c-0000000001", 12)
		c.edit(&v)
		v.Normalize()
		_, err := v.Validate(testNow)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Code != errs.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: %v, want invalid field %s", c.name, err, c.field)
		}
	}
	// The China check names the reason the contract gives.
	v := goodUpload("c-0000000001", 12)
	v.Lat, v.Lng = fptr(60), fptr(100)
	if _, err := v.Validate(testNow); err == nil || !strings.Contains(err.Error(), "GPS 位置不在中国境内") {
		t.Errorf("outside China: %v", err)
	}
}

// The content hash ignores base_version, the offset times are written in and photo order;
// it sees every field the helper records.
func TestContentHash(t *testing.T) {
	a := goodUpload("c-0000000001", 12)
	a.Photos = []PhotoRef{{SHA256: strings.Repeat("b", 64)}, {SHA256: strings.Repeat("a", 64)}}
	b := a
	b.Photos = []PhotoRef{a.Photos[1], a.Photos[0]}
	b.BaseVersion = 3
	b.VisitedAt = "2026-11-20T02:30:00Z"
	b.Needs = "  医疗报销 "
	a.Normalize()
	b.Normalize()
	if a.ContentHash() != b.ContentHash() {
		t.Fatal("equivalent uploads hash differently")
	}
	c := a
	c.Guarantees.Food = "gap"
	d := a
	d.IncomeFen = nil
	e := a
	e.Lat = fptr(33.3100001)
	for i, x := range []VisitUpload{c, d, e} {
		if x.ContentHash() == a.ContentHash() {
			t.Errorf("change %d not seen by the hash", i)
		}
	}
}

func TestGeoAndQuarters(t *testing.T) {
	// 盐城 to 南京 is about 190 km.
	if d := Haversine(33.35, 120.16, 32.06, 118.80); math.Abs(d-188_000) > 10_000 {
		t.Errorf("Yancheng–Nanjing %f m", d)
	}
	if d := Haversine(33.3, 120.1, 33.3, 120.1); d != 0 {
		t.Errorf("same point %f", d)
	}
	// one degree of latitude ≈ 111.2 km
	if d := Haversine(30, 120, 31, 120); math.Abs(d-111_195) > 50 {
		t.Errorf("one degree %f", d)
	}
	for _, c := range []struct {
		lat, lng float64
		in       bool
	}{{33.3, 120.1, true}, {3.8, 73.4, true}, {53.6, 135.1, true}, {3.79, 100, false}, {40, 135.2, false}, {0, 0, false}} {
		if InChina(c.lat, c.lng) != c.in {
			t.Errorf("InChina(%v,%v)", c.lat, c.lng)
		}
	}
	// 2026-12-31 16:30 UTC is already 2027-01-01 in Shanghai.
	if q := QuarterOf(time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)); q != "2027Q1" {
		t.Errorf("quarter across new year: %s", q)
	}
	if q := QuarterOf(time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC)); q != "2026Q3" {
		t.Errorf("quarter end: %s", q)
	}
	first, last, err := QuarterDates("2026Q4")
	if err != nil || first != "2026-10-01" || last != "2026-12-31" {
		t.Errorf("2026Q4: %s %s %v", first, last, err)
	}
	if first, last, _ := QuarterDates("2028Q1"); first != "2028-01-01" || last != "2028-03-31" {
		t.Errorf("2028Q1: %s %s", first, last)
	}
	for _, bad := range []string{"", "2026Q5", "2026Q0", "2026-Q1", "26Q1", "2026q1", "abcdQ1", "2026Q1 "} {
		if _, _, err := QuarterBounds(bad); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("quarter %q accepted", bad)
		}
	}
}

// FuzzSyncPayload: any body decodes to a clear error or to visits; each visit validates to a
// clear field error or to a checked visit, never a panic; normalizing twice changes nothing
// and a replay of the same visit hashes the same (so the store answers duplicate).
func FuzzSyncPayload(f *testing.F) {
	good, _ := json.Marshal(SyncRequest{Visits: []VisitUpload{goodUpload("c-0000000001", 12)}})
	f.Add(good)
	f.Add([]byte(`{"visits":[{"client_id":"x","lat":1e400}]}`))
	f.Add([]byte(`{"visits":[{"client_id":"abcdefgh","household_id":1,"visited_at":"2026-11-20T10:30:00+08:00","recorded_at":"2026-11-20T10:30:00+08:00","lat":null,"lng":33,"photos":[{"sha256":"A","taken_at":"x"}]}]}`))
	f.Add([]byte(`{"visits":null}`))
	f.Add([]byte(`{"visits":[{"visited_at":"0000-01-01T00:00:00Z","recorded_at":"9999-12-31T23:59:59.999999999+23:59"}]}`))
	f.Add([]byte("{\"visits\":[{\"needs\":\"\xff\xfe\"}]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var req SyncRequest
		if err := httpx.DecodeReader(bytes.NewReader(b), &req); err != nil {
			if e, ok := errs.As(err); !ok || e.Message == "" {
				t.Fatalf("decode error not clear: %v", err)
			}
			return
		}
		for _, v := range req.Visits {
			v.Normalize()
			w := v
			w.Photos = append([]PhotoRef(nil), v.Photos...)
			w.Normalize()
			if w.ContentHash() != v.ContentHash() {
				t.Fatalf("normalize is not idempotent: %+v", v)
			}
			c, err := v.Validate(testNow)
			if err != nil {
				e, ok := errs.As(err)
				if !ok || e.Code != errs.Invalid || len(e.Fields) != 1 || e.Message == "" {
					t.Fatalf("validation error not a clear field error: %v", err)
				}
				continue
			}
			replay := v
			replay.BaseVersion += 7
			if c.Hash != replay.ContentHash() {
				t.Fatal("a replay hashes differently")
			}
			if !InChina(deref(c.Lat, 33), deref(c.Lng, 120)) || c.Visited.After(testNow.Add(futureSlack)) {
				t.Fatalf("invalid visit passed: %+v", c)
			}
			// What is stored comes back in canonical form and validates to the same hash.
			back := c.VisitUpload
			back.VisitedAt, back.RecordedAt = canonTime(back.VisitedAt), canonTime(back.RecordedAt)
			back.Normalize()
			if back.ContentHash() != c.Hash {
				t.Fatalf("stored form hashes differently")
			}
		}
	})
}

func deref(f *float64, d float64) float64 {
	if f == nil {
		return d
	}
	return *f
}
