package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sunshine/internal/db"
)

// fieldIDs are objects of one county the field routes' scope tests aim at.
type fieldIDs struct {
	household int64 // a household of the linked helper
	visit     int64 // its visit, edited in the office and then on the phone: a conflict pending
	conflict  int64
	photo     string // a complete photo on the visit
}

// linkHelper links the user to an active helper of the county with current households (the
// one it already has, if any) and returns the helper's id.
func (h *harness) linkHelper(username, county string) int64 {
	h.t.Helper()
	ctx := context.Background()
	var helperID int64
	err := h.app.DB.InTx(ctx, func(tx *db.Tx) error {
		var uid int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&uid); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM helpers WHERE user_id = ?`, uid).Scan(&helperID); err != nil || helperID != 0 {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT MIN(a.helper_id) FROM assignments a JOIN helpers e ON e.id = a.helper_id
			WHERE a.to_date IS NULL AND a.region_code LIKE ? AND e.user_id IS NULL AND e.active = 1`, county+"%").Scan(&helperID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE helpers SET user_id = ? WHERE id = ?`, uid, helperID)
		return err
	})
	if err != nil {
		h.t.Fatal("link helper: ", err)
	}
	return helperID
}

// fieldFixture links helper_<county> to a helper and gives one of its households a visit with
// a photo and a pending conflict (phone edit of version 1 after an office edit).
func (h *harness) fieldFixture(county string) fieldIDs {
	h.t.Helper()
	var f fieldIDs
	helperID := h.linkHelper("helper_"+county, county)
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT MIN(household_id) FROM assignments
		WHERE helper_id = ? AND to_date IS NULL`, helperID).Scan(&f.household); err != nil {
		h.t.Fatal(err)
	}
	phone := h.login("helper_" + county)
	f.photo = phone.uploadPhoto(testJPEG(h.t, 200, 1))
	v := testVisit(fmt.Sprintf("fixture-%s-0001", county), f.household, f.photo)
	st, body := phone.do("POST", "/api/v1/field/sync", map[string]any{"visits": []any{v}})
	r := decode[syncAnswer](h.t, body)
	if st != 200 || r.Results[0].Status != "accepted" {
		h.t.Fatalf("fixture visit: %d %s", st, body)
	}
	f.visit = r.Results[0].VisitID
	office := h.login("poverty_office_" + county)
	if st, body := office.do("PATCH", fmt.Sprintf("/api/v1/visits/%d", f.visit), map[string]any{"version": 1, "guarantees": v["guarantees"],
		"income_fen": 650000, "needs": "办公室修改", "measures": "", "notes": ""}); st != 200 {
		h.t.Fatalf("fixture edit: %d %s", st, body)
	}
	v["base_version"], v["needs"] = 1, "手机修改"
	st, body = phone.do("POST", "/api/v1/field/sync", map[string]any{"visits": []any{v}})
	if r := decode[syncAnswer](h.t, body); st != 200 || r.Results[0].Status != "conflict" {
		h.t.Fatalf("fixture conflict: %d %s", st, body)
	}
	if err := h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT id FROM visit_conflicts WHERE visit_id = ?`, f.visit).Scan(&f.conflict); err != nil {
		h.t.Fatal(err)
	}
	return f
}

type syncAnswer struct {
	Results []struct {
		ClientID string `json:"client_id"`
		Status   string `json:"status"`
		VisitID  int64  `json:"visit_id"`
		Version  int64  `json:"version"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		Field    string `json:"field"`
	} `json:"results"`
}

// testVisit is a visit made an hour ago near 盐城, as the phone sends it.
func testVisit(clientID string, household int64, photos ...string) map[string]any {
	at := time.Now().Add(-time.Hour).UTC()
	ps := []any{}
	for _, p := range photos {
		ps = append(ps, map[string]any{"sha256": p, "taken_at": at.Format(time.RFC3339)})
	}
	return map[string]any{"client_id": clientID, "household_id": household, "base_version": 0,
		"visited_at": at.Format(time.RFC3339), "recorded_at": at.Add(5 * time.Minute).Format(time.RFC3339),
		"lat": 33.35, "lng": 120.16, "accuracy_m": 15,
		"guarantees": map[string]string{"food": "ok", "education": "na", "medical": "ok", "housing": "ok", "water": "ok"},
		"income_fen": 650000, "needs": "", "measures": "送去过冬棉被", "notes": "", "confirmed": true, "confirmed_by": "户主", "photos": ps}
}

// testJPEG is a noise picture of about kb kilobytes; seed varies the bytes in a comment segment
// only, so every seed has its own SHA-256 but costs nothing to make.
func testJPEG(t testing.TB, kb int, seed uint64) []byte {
	return withComment(noiseJPEG(t, kb), seed)
}

var noiseCache = map[int][]byte{}

// noiseJPEG encodes random colour pixels (4:3) at quality 90, at least kb kilobytes.
func noiseJPEG(t testing.TB, kb int) []byte {
	if b, ok := noiseCache[kb]; ok {
		return b
	}
	side := 64
	var b []byte
	for {
		b = noisePicture(t, side, uint64(kb))
		if len(b) >= kb*1000 {
			break
		}
		side += 16
	}
	noiseCache[kb] = b
	return b
}

// noisePicture encodes a side×(3/4 side) picture of random colour pixels at quality 90; each
// seed is another picture (with its own perceptual hash).
func noisePicture(t testing.TB, side int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, side, side*3/4))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32()) | uint8(i%4/3*255)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// uploadPhoto sends a photo as one part and returns its name.
func (c *client) uploadPhoto(b []byte) string {
	c.h.t.Helper()
	sha := shaHex(b)
	st, body := c.raw("POST", fmt.Sprintf("/api/v1/field/photos/%s/parts?pos=0&size=%d", sha, len(b)), b)
	if st != 200 || !strings.Contains(string(body), `"complete":true`) {
		c.h.t.Fatalf("upload: %d %s", st, body)
	}
	return sha
}

// raw sends bytes as application/octet-stream.
func (c *client) raw(method, path string, b []byte) (int, []byte) {
	c.h.t.Helper()
	return c.send(method, path, bytes.NewReader(b), "application/octet-stream")
}

// The field app's whole exchange over HTTP with a bearer token: download, resumable photo,
// sync with replays, and another helper seeing none of it.
func TestFieldSyncOverHTTP(t *testing.T) {
	h := newHarness(t)
	phone := h.fieldLogin("helper_320921100")
	st, body := phone.do("GET", "/api/v1/field/households", nil)
	if st != 200 {
		t.Fatalf("download: %d %s", st, body)
	}
	dl := decode[struct {
		Helper     struct{ ID int64 } `json:"helper"`
		Quarter    string             `json:"quarter"`
		Households []struct {
			ID         int64  `json:"id"`
			RegionCode string `json:"region_code"`
		} `json:"households"`
	}](t, body)
	if len(dl.Households) == 0 || dl.Quarter == "" {
		t.Fatalf("download: %s", body)
	}
	h.conforms("GET", "/api/v1/field/households", st, body)
	for _, hh := range dl.Households {
		if !strings.HasPrefix(hh.RegionCode, "320921100") {
			t.Errorf("household %d of %s in the download", hh.ID, hh.RegionCode)
		}
	}
	if strings.Contains(string(body), "id_number") || strings.Contains(string(body), "account_no") {
		t.Error("download carries ID or account numbers")
	}
	hh := dl.Households[0].ID

	// A photo in two parts; a part at the wrong position is answered with where to resume.
	pic := testJPEG(t, 300, 7)
	sha := shaHex(pic)
	if st, _ := phone.do("GET", "/api/v1/field/photos/"+sha, nil); st != 404 {
		t.Errorf("unknown photo: %d", st)
	}
	half := len(pic) / 2
	part := func(pos, end int) (int, []byte) {
		return phone.raw("POST", fmt.Sprintf("/api/v1/field/photos/%s/parts?pos=%d&size=%d", sha, pos, len(pic)), pic[pos:end])
	}
	if st, body := part(0, half); st != 200 || !strings.Contains(string(body), fmt.Sprintf(`"received":%d`, half)) {
		t.Fatalf("first half: %d %s", st, body)
	}
	if st, body := part(0, half); st != 409 || !strings.Contains(string(body), fmt.Sprintf(`"received":%d`, half)) || !strings.Contains(string(body), `"code":"conflict"`) {
		t.Errorf("part at the wrong position: %d %s", st, body)
	} else {
		h.conforms("POST", "/api/v1/field/photos/"+sha+"/parts?pos=0&size=1", st, body)
	}
	if st, body := phone.do("GET", "/api/v1/field/photos/"+sha, nil); st != 200 || !strings.Contains(string(body), fmt.Sprintf(`"received":%d`, half)) {
		t.Errorf("status of the partial upload: %d %s", st, body)
	} else {
		h.conforms("GET", "/api/v1/field/photos/"+sha, st, body)
	}
	other := h.fieldLogin("helper_320921101")
	if st, _ := other.do("GET", "/api/v1/field/photos/"+sha, nil); st != 404 {
		t.Errorf("another helper sees the partial upload: %d", st)
	}
	if st, body := part(half, len(pic)); st != 200 || !strings.Contains(string(body), `"complete":true`) {
		t.Fatalf("second half: %d %s", st, body)
	}
	// 50 MB is refused before the body is read; so is a non-image.
	if st, body := phone.raw("POST", "/api/v1/field/photos/"+sha+"/parts?pos=0&size=52428800", []byte("x")); st != 413 ||
		!strings.Contains(string(body), "照片 52428800 字节,超过 8 MB 上限") {
		t.Errorf("50 MB photo: %d %s", st, body)
	}
	txt := []byte("not an image, just text")
	if st, body := phone.raw("POST", fmt.Sprintf("/api/v1/field/photos/%s/parts?pos=0&size=%d", shaHex(txt), len(txt)), txt); st != 415 {
		t.Errorf("text as a photo: %d %s", st, body)
	}

	// Sync: accepted once, a replay is a duplicate; malformed JSON fails the whole request.
	v := testVisit("http-visit-0001", hh, sha)
	bad := testVisit("http-visit-0002", hh)
	bad["lat"], bad["lng"] = 40.7, -74.0
	for i, want := range []string{"accepted", "duplicate"} {
		st, body := phone.do("POST", "/api/v1/field/sync", map[string]any{"visits": []any{v, bad}})
		r := decode[syncAnswer](t, body)
		if st != 200 || len(r.Results) != 2 || r.Results[0].Status != want || r.Results[1].Status != "rejected" || r.Results[1].Field != "lat" {
			t.Errorf("sync %d: %d %s", i, st, body)
		}
		h.conforms("POST", "/api/v1/field/sync", st, body)
	}
	if st, body := phone.do("POST", "/api/v1/field/sync", `{"visits":[{"client_id":`); st != 400 {
		t.Errorf("malformed JSON: %d %s", st, body)
	}
	// The other helper cannot upload for this household, nor reuse the client_id.
	st, body = other.do("POST", "/api/v1/field/sync", map[string]any{"visits": []any{testVisit("http-visit-0003", hh)}})
	if r := decode[syncAnswer](t, body); st != 200 || r.Results[0].Status != "rejected" || r.Results[0].Code != "forbidden" {
		t.Errorf("other helper's upload: %d %s", st, body)
	}
	var n int
	_ = h.app.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM visits WHERE client_id LIKE 'http-visit-%'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d visits stored", n)
	}
	// The visit shows in the download, the console reads it and its photo.
	st, body = phone.do("GET", "/api/v1/field/households", nil)
	if st != 200 || !strings.Contains(string(body), `"client_id":"http-visit-0001"`) {
		t.Errorf("download after sync: %d %.300s", st, body)
	}
	h.conforms("GET", "/api/v1/field/households", st, body)
	office := h.login("poverty_office_320921")
	if st, _ := office.do("GET", "/api/v1/visits/photos/"+sha, nil); st != 200 {
		t.Errorf("office reading the photo: %d", st)
	}
	// Office users have no field endpoints.
	if st, _ := office.do("GET", "/api/v1/field/households", nil); st != 403 {
		t.Errorf("office downloading: %d", st)
	}
}

// The conflict the fixture leaves is settled in the console, once.
func TestResolveOverHTTP(t *testing.T) {
	h := newHarness(t)
	f := h.fieldFixture("320921")
	office := h.login("poverty_office_320921")
	path := fmt.Sprintf("/api/v1/visits/%d/conflicts/%d/resolve", f.visit, f.conflict)
	if st, _ := h.login("poverty_office_320922").do("POST", path, map[string]string{"take": "phone"}); st != 404 {
		t.Errorf("other county: %d", st)
	}
	if st, _ := h.login("auditor_320921").do("POST", path, map[string]string{"take": "phone"}); st != 403 {
		t.Errorf("auditor: %d", st)
	}
	st, body := office.do("POST", path, map[string]string{"take": "phone"})
	if st != 200 || !strings.Contains(string(body), `"needs":"手机修改"`) || !strings.Contains(string(body), `"version":3`) ||
		!strings.Contains(string(body), `"resolution":"phone"`) || !strings.Contains(string(body), `"conflict":false`) {
		t.Fatalf("resolve: %d %s", st, body)
	}
	h.conforms("POST", path, st, body)
	if st, _ := office.do("POST", path, map[string]string{"take": "server"}); st != 409 {
		t.Errorf("resolving twice: %d", st)
	}
}
