package projects

import (
	"math"
	"math/rand"
	"strconv"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
)

// TestAssetTallies performs random asset creates and updates (kind, status, value, position
// set, moved and cleared, stale edits that roll back) and compares the register read from the
// maintained tallies with the register scanned from the assets, for several principals and
// filters, after every few writes.
func TestAssetTallies(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(20261125))
	villages := []string{"320921100201", "320921100202", "320922100201", "320922100202"}
	office := f.CityRole(auth.PovertyOffice)
	projects := map[string][]int64{}
	for _, v := range villages {
		for k := 0; k < 2; k++ {
			projects[v] = append(projects[v], insertAcceptedProject(f, v, f.Households(v)[:1]))
		}
	}
	position := func() (*float64, *float64) {
		if rng.Intn(4) == 0 {
			return nil, nil
		}
		return ptr(33 + rng.Float64()*2), ptr(119 + rng.Float64()*2)
	}
	statuses := []string{"in_use", "in_use", "idle", "lost", "disposed"}
	var assets []AssetDetail

	principals := []*auth.Principal{office, f.County(auth.PovertyOffice), f.Other(auth.PovertyOffice), f.Town(auth.Auditor),
		f.Village(villages[1]), {UserID: 1, Username: "root", Role: auth.Admin, Root: true}}
	filters := []AssetFilter{{}, {Region: "320921000000"}, {Region: "320922100000"}, {Region: villages[0]}, {Kind: "operating"},
		{Kind: "household"}, {Status: "idle"}, {Status: "disposed"}, {Attention: "idle"}, {Attention: "lost"},
		{Region: "320921000000", Kind: "public_welfare", Status: "in_use"}, {Status: "idle", Attention: "lost"}}
	compare := func(step int) {
		t.Helper()
		q := f.DB.Reader()
		for _, p := range principals {
			for _, flt := range filters {
				if flt.Region != "" && !p.InScope(flt.Region) {
					continue
				}
				if !talliesAnswer(flt) {
					t.Fatalf("filter %+v should be answered by the tallies", flt)
				}
				got, err := registerFromTallies(f.Ctx, q, p, flt)
				if err != nil {
					t.Fatal(err)
				}
				want, err := registerScan(f.Ctx, q, p, flt, "2026-10-01")
				if err != nil {
					t.Fatal(err)
				}
				where := "step " + strconv.Itoa(step) + " " + p.Username + " " + strconv.Quote(flt.Region+"/"+flt.Kind+"/"+flt.Status+"/"+flt.Attention)
				if got.Count != want.Count || got.ValueFen != want.ValueFen {
					t.Fatalf("%s: tallies %d/%d, scan %d/%d", where, got.Count, got.ValueFen, want.Count, want.ValueFen)
				}
				for i := range want.ByKind {
					if got.ByKind[i] != want.ByKind[i] {
						t.Fatalf("%s: by kind %+v, scan %+v", where, got.ByKind, want.ByKind)
					}
				}
				for i := range want.ByStatus {
					if got.ByStatus[i] != want.ByStatus[i] {
						t.Fatalf("%s: by status %+v, scan %+v", where, got.ByStatus, want.ByStatus)
					}
				}
				if len(got.Points) != len(want.Points) {
					t.Fatalf("%s: points %+v, scan %+v", where, got.Points, want.Points)
				}
				for i, w := range want.Points {
					g := got.Points[i]
					if g.RegionCode != w.RegionCode || g.RegionName != w.RegionName || g.Count != w.Count || g.ValueFen != w.ValueFen ||
						g.Attention != w.Attention || math.Abs(g.Lat-w.Lat) > 1e-9 || math.Abs(g.Lng-w.Lng) > 1e-9 {
						t.Fatalf("%s: point %+v, scan %+v", where, g, w)
					}
				}
			}
		}
	}

	for step := 0; step < 70; step++ {
		if len(assets) < 6 || rng.Intn(5) < 2 {
			v := villages[rng.Intn(len(villages))]
			in := assetInput(projects[v][rng.Intn(2)], v)
			in.Kind = AssetKinds[rng.Intn(len(AssetKinds))]
			in.Status = statuses[rng.Intn(len(statuses))]
			in.ValueYuan = strconv.Itoa(1+rng.Intn(900000)) + "." + strconv.Itoa(10+rng.Intn(90))
			in.Lat, in.Lng = position()
			a, err := f.S.CreateAsset(f.Ctx, office, in)
			if err != nil {
				t.Fatalf("step %d create: %v", step, err)
			}
			assets = append(assets, a)
		} else {
			i := rng.Intn(len(assets))
			a := assets[i]
			in := AssetInput{Name: a.Name, Kind: a.Kind, ValueYuan: strconv.FormatInt(a.ValueFen/100, 10), Ownership: a.Ownership,
				PropertyRegNo: a.PropertyRegNo, Custodian: a.Custodian, Location: a.Location, Lat: a.Lat, Lng: a.Lng,
				Status: a.Status, FormedOn: a.FormedOn, Version: a.Version}
			switch rng.Intn(5) {
			case 0:
				in.Kind = AssetKinds[rng.Intn(len(AssetKinds))]
			case 1:
				if a.Status != "disposed" {
					in.Status = statuses[rng.Intn(len(statuses))]
				}
			case 2:
				in.Lat, in.Lng = position()
			case 3:
				in.Name += "(改)" // no tallied field changes
			}
			if rng.Intn(3) == 0 {
				in.ValueYuan = strconv.Itoa(1 + rng.Intn(900000))
			}
			stale := rng.Intn(8) == 0
			if stale {
				in.Version++
			}
			b, err := f.S.UpdateAsset(f.Ctx, office, a.ID, in)
			if stale {
				if err == nil || errs.CodeOf(err) != errs.CodeOf(errStale) {
					t.Fatalf("step %d stale update: %v", step, err)
				}
			} else if err != nil {
				t.Fatalf("step %d update %+v: %v", step, in, err)
			} else {
				assets[i] = b
			}
		}
		if step%7 == 6 {
			compare(step)
		}
	}
	compare(70)
	// the writes moved things around: the tallies hold every asset once, nothing negative
	var n, neg int64
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN n < 0 OR placed < 0 OR value_fen < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM asset_tallies`).Scan(&n, &neg); err != nil {
		t.Fatal(err)
	}
	if n != int64(len(assets)) || neg != 0 {
		t.Fatalf("tallies count %d assets (want %d), %d negative rows", n, len(assets), neg)
	}
	reg, err := f.S.AssetRegister(f.Ctx, office, AssetFilter{})
	if err != nil || reg.Count != len(assets) || len(reg.Points) == 0 {
		t.Fatalf("register %+v %v", reg, err)
	}
}
