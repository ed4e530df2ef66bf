package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/region"
	"sunshine/internal/visits"
)

// Where Yancheng's county-level divisions lie: approximate centres of their seats (WGS-84).
var countyCentres = map[string][2]float64{
	"320902": {33.39, 120.16}, "320903": {33.34, 119.99}, "320904": {33.20, 120.47},
	"320921": {34.20, 119.60}, "320922": {33.99, 119.82}, "320923": {33.76, 119.80},
	"320924": {33.77, 120.26}, "320925": {33.46, 119.80}, "320981": {32.85, 120.32},
}

// Yancheng's box: every demo position lies inside it.
const (
	demoLatMin, demoLatMax = 32.6, 34.4
	demoLngMin, demoLngMax = 119.5, 120.9
)

// offsetBy moves a position by up to maxM metres in a random direction (uniform over the disc).
func offsetBy(r *rand.Rand, lat, lng, minM, maxM float64) (float64, float64) {
	d := minM + (maxM-minM)*math.Sqrt(r.Float64())
	a := r.Float64() * 2 * math.Pi
	lat += d * math.Cos(a) / 111320
	lng += d * math.Sin(a) / (111320 * math.Cos(lat*math.Pi/180))
	return lat, lng
}

func clampBox(lat, lng float64) (float64, float64) {
	return min(max(lat, demoLatMin+0.01), demoLatMax-0.01), min(max(lng, demoLngMin+0.01), demoLngMax-0.01)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// codeRand is a generator seeded by a region code: a region's place does not depend on the
// order anything else was drawn in.
func codeRand(code string) *rand.Rand {
	h := fnv.New64a()
	_, _ = h.Write([]byte(code))
	return rand.New(rand.NewPCG(h.Sum64(), 0x5eed))
}

// villageCentre is a deterministic village centre: within 12 km of its county's seat for the
// town, within 3 km of the town for the village, inside Yancheng's box.
func villageCentre(code string) (float64, float64) {
	c, ok := countyCentres[code[:6]]
	if !ok {
		c = [2]float64{33.35, 120.16}
	}
	lat, lng := offsetBy(codeRand(code[:9]), c[0], c[1], 0, 12000)
	lat, lng = clampBox(lat, lng)
	lat, lng = offsetBy(codeRand(code), lat, lng, 0, 3000)
	return clampBox(lat, lng)
}

// demoHousehold is a household a visit may be owed to, with its current helper.
type demoHousehold struct {
	id          int64
	code        string
	status      string
	policyUntil string
	head        string
	income      int64
	g           visits.Guarantees
	helper      int64
	lat, lng    float64
}

// demoQuarter is a quarter of visits: its first day, how many days visits fall in, and the
// share of due households visited.
type demoQuarter struct {
	name  string
	first time.Time // 00:00 Shanghai
	days  int
	share float64
}

var visitQuarters = []demoQuarter{
	{"2026Q3", time.Date(2026, 7, 1, 0, 0, 0, 0, db.Shanghai), 92, 0.9},
	{"2026Q4", time.Date(2026, 10, 1, 0, 0, 0, 0, db.Shanghai), 46, 0.6}, // up to mid-November
}

var visitColumns = []string{"id", "client_id", "household_id", "helper_id", "user_id", "region_code", "quarter", "visited_at",
	"recorded_at", "received_at", "lat", "lng", "accuracy_m", "distance_m", "g_food", "g_education", "g_medical", "g_housing",
	"g_water", "income_fen", "needs", "measures", "notes", "confirmed", "confirmed_by", "content_hash", "version", "conflict",
	"created_at", "updated_at"}

var (
	demoNeeds    = []string{"", "", "希望提供务工信息", "申请危房改造", "孩子上学需要资助", "需要慢性病用药报销指导", "希望参加技能培训"}
	demoMeasures = []string{"宣讲帮扶政策", "落实医疗救助", "联系公益性岗位", "协助申请教育资助", "送去种苗和技术指导", "帮助办理低保年审"}
	demoNotes    = []string{"", "", "", "户主在外务工,由配偶接待", "家中整洁,生活稳定", "已核实收入情况"}
)

// photoVillages is how many villages (the first ones) get photos on their visits: photos are
// the heavy part, and a few villages show the photo pages and the same-photo sign.
const photoVillages = 3

// loadVisits gives every registered or exited household a location near its village centre,
// and visits by its current helper in 2026Q3 (about 90 % of due households) and 2026Q4
// (about 60 %), with GPS near home; a few visits carry the fake-visit signs (far from home,
// late record, one photo on two households). Each town's first helper (the one the demo
// helper_<town> account is linked to) visits all its due households in 2026Q3. Visits are
// uploaded by the town's helper_<town> account.
func loadVisits(ctx context.Context, tx *db.Tx, villages []region.Region) error {
	now := db.Time(tx.Now)
	r := rand.New(rand.NewPCG(2026, 4))
	hhs, err := demoHouseholds(ctx, tx)
	if err != nil {
		return err
	}
	centres := map[string][2]float64{}
	locs := make([][]any, 0, len(hhs))
	for i := range hhs {
		h := &hhs[i]
		c, ok := centres[h.code]
		if !ok {
			c[0], c[1] = villageCentre(h.code)
			centres[h.code] = c
		}
		lat, lng := offsetBy(r, c[0], c[1], 0, 500)
		h.lat, h.lng = round6(lat), round6(lng)
		locs = append(locs, []any{h.id, h.lat, h.lng, "demo", now, now})
	}
	if err := tx.BulkLoad(ctx, "household_locations", []string{"household_id", "lat", "lng", "source", "created_at", "updated_at"}, locs); err != nil {
		return err
	}
	users, firstHelpers, err := demoHelperUsers(ctx, tx)
	if err != nil {
		return err
	}
	byHelper := map[int64][]*demoHousehold{}
	var helpers []int64
	for i := range hhs {
		h := &hhs[i]
		if h.helper == 0 {
			continue
		}
		if _, ok := byHelper[h.helper]; !ok {
			helpers = append(helpers, h.helper)
		}
		byHelper[h.helper] = append(byHelper[h.helper], h)
	}
	slices.Sort(helpers)
	photoCodes := map[string]bool{}
	for i := 0; i < photoVillages && i < len(villages); i++ {
		photoCodes[villages[i].Code] = true
	}
	g := &visitGen{ctx: ctx, tx: tx, r: r, users: users, nextID: 1, visits: make([][]any, 0, visitBatch)}
	for _, q := range visitQuarters {
		for _, hid := range helpers {
			var todo []*demoHousehold
			for _, h := range byHelper[hid] {
				if !dueIn(h, q) {
					continue
				}
				if firstHelpers[hid] && q.name == "2026Q3" || r.Float64() < q.share {
					todo = append(todo, h)
				}
			}
			if len(todo) == 0 {
				continue
			}
			// A helper goes out on a few distinct days and sees the households one after
			// another, 80 minutes apart: never two places at once.
			n := 1 + len(todo)/4
			var days []int
			for len(days) < n {
				if d := r.IntN(q.days); !slices.Contains(days, d) {
					days = append(days, d)
				}
			}
			for i, h := range todo {
				at := q.first.AddDate(0, 0, days[i%n]).Add(9*time.Hour + time.Duration(i/n)*80*time.Minute + time.Duration(r.IntN(20))*time.Minute)
				if err := g.visit(h, q, at, photoCodes[h.code]); err != nil {
					return err
				}
			}
		}
	}
	if err := g.flush(true); err != nil {
		return err
	}
	if tx.Dialect() == db.Postgres && g.nextID > 1 {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('visits', 'id'), ?)`, g.nextID-1); err != nil {
			return err
		}
	}
	if err := tx.BulkLoad(ctx, "photos", []string{"sha256", "uploaded_by", "size", "content_type", "width", "height", "phash",
		"ph1", "ph2", "ph3", "ph4", "data", "complete", "created_at", "updated_at"}, g.photos); err != nil {
		return err
	}
	if err := tx.BulkLoad(ctx, "visit_photos", []string{"visit_id", "sha256", "taken_at"}, g.visitPhotos); err != nil {
		return err
	}
	return tx.BulkLoad(ctx, "visit_signals", []string{"visit_id", "kind", "region_code", "other_visit_id", "value", "detail", "created_at"}, g.signals)
}

func dueIn(h *demoHousehold, q demoQuarter) bool {
	return h.status == "registered" || h.status == "exited" && h.policyUntil >= q.first.Format(db.DateLayout)
}

// demoHouseholds reads the registered and exited households with their current helper: a
// plain scan of each table (an index walk with a sort, or a probe per row, is slower here).
func demoHouseholds(ctx context.Context, tx *db.Tx) ([]demoHousehold, error) {
	helper := map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT household_id, helper_id FROM assignments WHERE to_date IS NULL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var hh, e int64
		if err := rows.Scan(&hh, &e); err != nil {
			rows.Close()
			return nil, err
		}
		helper[hh] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT id, region_code, status, COALESCE(policy_until, ''), head_name, income_per_capita_fen,
		g_food, g_education, g_medical, g_housing, g_water FROM households ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]demoHousehold, 0, len(helper)+len(helper)/8)
	for rows.Next() {
		var h demoHousehold
		if err := rows.Scan(&h.id, &h.code, &h.status, &h.policyUntil, &h.head, &h.income,
			&h.g.Food, &h.g.Education, &h.g.Medical, &h.g.Housing, &h.g.Water); err != nil {
			return nil, err
		}
		if h.status == "registered" || h.status == "exited" {
			h.helper = helper[h.id]
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

// demoHelperUsers maps each town's helper_<town> account by town prefix (9 digits) and admin, and marks
// each town's first helper (lowest id: the one helper_<town> is linked to) and any helper with an account.
func demoHelperUsers(ctx context.Context, tx *db.Tx) (map[string]int64, map[int64]bool, error) {
	users := map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users WHERE role = 'helper' OR username = 'admin' ORDER BY id`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, nil, err
		}
		switch {
		case name == "admin":
			users[name] = id // uploads in a town without a helper account (none in the demo)
		case len(name) == len("helper_")+9:
			users[name[len("helper_"):]] = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	first := map[int64]bool{}
	rows, err = tx.QueryContext(ctx, `SELECT id FROM helpers WHERE user_id IS NOT NULL OR id IN (SELECT MIN(id) FROM helpers GROUP BY region_code)`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		first[id] = true
	}
	return users, first, rows.Err()
}

// visitGen makes the demo's visit rows, writing visits out in batches as they are made.
type visitGen struct {
	ctx         context.Context
	tx          *db.Tx
	r           *rand.Rand
	users       map[string]int64
	nextID      int64
	visits      [][]any
	photos      [][]any
	visitPhotos [][]any
	signals     [][]any
	photoVisits int         // visits with photos so far
	donor       *photoDonor // a photo about to be reused on another household's visit
	pairs       int
}

// photoDonor is a visit whose first photo the next photo visit of another household reuses.
type photoDonor struct {
	id, household int64
	sha, code     string
	received      time.Time
}

const visitBatch = 10000

func (g *visitGen) flush(force bool) error {
	if len(g.visits) < visitBatch && !force {
		return nil
	}
	err := g.tx.BulkLoad(g.ctx, "visits", visitColumns, g.visits)
	g.visits = g.visits[:0]
	return err
}

// visit adds one visit of h at the stated time at.
func (g *visitGen) visit(h *demoHousehold, q demoQuarter, at time.Time, photos bool) error {
	r := g.r
	id := g.nextID
	g.nextID++
	recorded := at.Add(time.Duration(5+r.IntN(35)) * time.Minute)
	if id%97 == 13 { // about one in a hundred saved days later (every scale has some)
		recorded = at.Add(time.Duration(60+r.IntN(90)) * time.Hour)
	}
	received := recorded.Add(time.Duration(r.IntN(48*60)) * time.Minute)
	up := visits.VisitUpload{
		ClientID: fmt.Sprintf("demo-%s-%07d", q.name, id), HouseholdID: h.id,
		VisitedAt: apiTime(at), RecordedAt: apiTime(recorded),
		Guarantees: h.g, Needs: demoNeeds[r.IntN(len(demoNeeds))], Measures: demoMeasures[r.IntN(len(demoMeasures))],
		Notes: demoNotes[r.IntN(len(demoNotes))], Photos: []visits.PhotoRef{},
	}
	if r.IntN(50) == 0 {
		up.Guarantees.Medical = "gap"
	}
	if q.name == "2026Q3" || r.IntN(2) == 0 {
		inc := h.income + int64(r.IntN(20001)-10000)
		up.IncomeFen = &inc
	}
	if r.IntN(20) != 0 {
		up.Confirmed, up.ConfirmedBy = true, h.head
	}
	// The signs are the ones the sync computes (visits.FarFromHome, visits.LateRecord), with
	// the server's default thresholds: a demo visit carries exactly the signs an upload would.
	cfg := visits.DefaultConfig()
	var distance any
	if r.IntN(33) != 0 { // now and then the phone had no GPS fix
		lat, lng := offsetBy(r, h.lat, h.lng, 3, 40)
		acc := float64(5 + r.IntN(26))
		if id%61 == 7 { // about one in sixty far from home
			lat, lng = offsetBy(r, h.lat, h.lng, 1800, 4000)
		}
		lat, lng = round6(lat), round6(lng)
		up.Lat, up.Lng, up.AccuracyM = &lat, &lng, &acc
		d := math.Round(visits.Haversine(lat, lng, h.lat, h.lng)*10) / 10
		distance = d
		if sg, ok := visits.FarFromHome(&d, &acc, cfg); ok {
			g.signal(id, h.code, sg, received)
		}
	}
	if sg, ok := visits.LateRecord(at, recorded, cfg); ok {
		g.signal(id, h.code, sg, received)
	}
	user, ok := g.users[h.code[:9]]
	if !ok {
		user = g.users["admin"]
	}
	if photos {
		g.addPhotos(&up, id, h, user, at, received)
	}
	var lat, lng, acc, income any
	if up.Lat != nil {
		lat, lng, acc = *up.Lat, *up.Lng, *up.AccuracyM
	}
	if up.IncomeFen != nil {
		income = *up.IncomeFen
	}
	confirmed := 0
	if up.Confirmed {
		confirmed = 1
	}
	rec := db.Time(received)
	g.visits = append(g.visits, []any{id, up.ClientID, h.id, h.helper, user, h.code, q.name, db.Time(at), db.Time(recorded),
		rec, lat, lng, acc, distance, up.Guarantees.Food, up.Guarantees.Education, up.Guarantees.Medical,
		up.Guarantees.Housing, up.Guarantees.Water, income, up.Needs, up.Measures, up.Notes, confirmed, up.ConfirmedBy,
		up.ContentHash(), 1, 0, rec, rec})
	return g.flush(false)
}

// addPhotos gives a visit one or two photos of its own; twice, a visit also carries the first
// photo of an earlier visit to another household: the same-photo sign on both.
func (g *visitGen) addPhotos(up *visits.VisitUpload, id int64, h *demoHousehold, user int64, at, received time.Time) {
	r := g.r
	add := func(sha string, taken time.Time) {
		ts := apiTime(taken)
		up.Photos = append(up.Photos, visits.PhotoRef{SHA256: sha, TakenAt: &ts})
		g.visitPhotos = append(g.visitPhotos, []any{id, sha, db.Time(taken)})
	}
	n := 1 + r.IntN(2)
	first := ""
	for k := 0; k < n; k++ {
		data, w, hgt, ph := demoPhoto(r)
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		b := visits.Bands(ph)
		g.photos = append(g.photos, []any{sha, user, len(data), "image/jpeg", w, hgt, visits.HashHex(ph), b[0], b[1], b[2], b[3], data, 1,
			db.Time(received), db.Time(received)})
		add(sha, at.Add(time.Duration(2+r.IntN(10))*time.Minute))
		if k == 0 {
			first = sha
		}
	}
	if d := g.donor; d != nil && d.household != h.id {
		add(d.sha, at.Add(5*time.Minute))
		// As the sync words it (samePhotoDetail): identical bytes, Hamming distance 0.
		detail := fmt.Sprintf("照片 %s 与另一户走访的照片相同", d.sha[:8])
		g.signal(d.id, d.code, visits.Signal{Kind: visits.SignalSamePhoto, OtherVisitID: id, Detail: detail}, d.received)
		g.signal(id, h.code, visits.Signal{Kind: visits.SignalSamePhoto, OtherVisitID: d.id, Detail: detail}, received)
		g.donor = nil
		g.pairs++
	} else if g.donor == nil && g.pairs < 2 && g.photoVisits%8 == 0 {
		g.donor = &photoDonor{id: id, household: h.id, sha: first, code: h.code, received: received}
	}
	g.photoVisits++
	// The content hash is taken over the photos in sha256 order, the order they are read back in.
	slices.SortFunc(up.Photos, func(a, b visits.PhotoRef) int { return strings.Compare(a.SHA256, b.SHA256) })
}

func (g *visitGen) signal(visit int64, code string, sg visits.Signal, at time.Time) {
	var other any
	if sg.OtherVisitID != 0 {
		other = sg.OtherVisitID
	}
	g.signals = append(g.signals, []any{visit, sg.Kind, code, other, sg.Value, sg.Detail, db.Time(at)})
}

// apiTime is a time as the API and the content hash carry it: UTC RFC 3339.
func apiTime(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano) }

// demoPhoto draws a small JPEG of random grey-green blocks on a 9×8 grid, so any two differ
// in about half of their perceptual-hash bits; returns the bytes, size and dHash.
func demoPhoto(r *rand.Rand) ([]byte, int, int, uint64) {
	const cw, ch = 8, 6
	img := image.NewRGBA(image.Rect(0, 0, 9*cw, 8*ch))
	for by := 0; by < 8; by++ {
		for bx := 0; bx < 9; bx++ {
			v := uint8(40 + r.IntN(180))
			c := color.RGBA{v / 2, v, uint8(int(v) * 2 / 3), 255}
			for y := by * ch; y < (by+1)*ch; y++ {
				for x := bx * cw; x < (bx+1)*cw; x++ {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	data := buf.Bytes()
	dec, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		panic(err) // our own encoder's output
	}
	return data, dec.Bounds().Dx(), dec.Bounds().Dy(), visits.DHash(dec)
}
