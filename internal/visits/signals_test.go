package visits

import (
	"testing"
	"time"
)

func TestSignalRules(t *testing.T) {
	cfg := DefaultConfig()
	// far_from_home: distance less the accuracy (capped at 200 m) against 1000 m.
	for _, c := range []struct {
		dist, acc *float64
		want      bool
	}{
		{nil, nil, false}, {fptr(999), nil, false}, {fptr(1001), nil, true}, {fptr(1100), fptr(150), false},
		{fptr(1250), fptr(5000), true}, // a 5 km accuracy counts as 200 m
		{fptr(1150), fptr(200), false},
	} {
		sg, ok := FarFromHome(c.dist, c.acc, cfg)
		if ok != c.want {
			t.Errorf("far %v/%v: %v", deref(c.dist, -1), deref(c.acc, -1), ok)
		}
		if ok && (sg.Kind != SignalFarFromHome || sg.Value != *c.dist || sg.Detail == "") {
			t.Errorf("far signal %+v", sg)
		}
	}
	v := time.Date(2026, 11, 20, 2, 30, 0, 0, time.UTC)
	if _, ok := LateRecord(v, v.Add(48*time.Hour), cfg); ok {
		t.Error("exactly 48 h is not late")
	}
	if sg, ok := LateRecord(v, v.Add(52*time.Hour+30*time.Minute), cfg); !ok || sg.Value != 52.5 {
		t.Errorf("late %+v %v", sg, ok)
	}
	// impossible_travel: > 2 km and > 120 km/h.
	home := fix{VisitID: 1, At: v, Lat: 33.30, Lng: 120.10}
	for _, c := range []struct {
		name string
		to   fix
		want bool
	}{
		{"next village 1.5 km in 1 min", fix{VisitID: 2, At: v.Add(time.Minute), Lat: 33.3135, Lng: 120.10}, false},
		{"30 km in 10 min", fix{VisitID: 3, At: v.Add(10 * time.Minute), Lat: 33.57, Lng: 120.10}, true},
		{"30 km in an hour", fix{VisitID: 4, At: v.Add(time.Hour), Lat: 33.57, Lng: 120.10}, false},
		{"30 km earlier, 10 min", fix{VisitID: 5, At: v.Add(-10 * time.Minute), Lat: 33.57, Lng: 120.10}, true},
		{"3 km at the same instant", fix{VisitID: 6, At: v, Lat: 33.327, Lng: 120.10}, true},
	} {
		sg, ok := ImpossibleTravel(home, c.to, cfg)
		if ok != c.want {
			t.Errorf("%s: %v %+v", c.name, ok, sg)
		}
		if ok && (sg.OtherVisitID != c.to.VisitID || sg.Value <= cfg.MaxKmh) {
			t.Errorf("%s: %+v", c.name, sg)
		}
	}
}
