package oversight

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
)

// cpWant fails unless err carries the code.
func cpWant(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

func cpPublic(subject, content string) PublicComplaintInput {
	return PublicComplaintInput{Channel: ChannelPortal, Anonymous: false, Name: "王小明", Phone: "13812341234", Category: "funds",
		RegionCode: villageA, Subject: subject, Content: content}
}

func TestTrackingCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c, err := newTrackingCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != trackingLen || strings.ContainsAny(c, "01OIL") {
			t.Fatalf("bad code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		f := FormatTrackingCode(c)
		if len(f) != 17 || !strings.HasPrefix(f, "TS-") || f[7] != '-' || f[12] != '-' {
			t.Fatalf("format %q", f)
		}
		for _, in := range []string{f, c, strings.ToLower(f), strings.ToLower(c), f[3:], " " + f[3:7] + " " + f[8:12] + " " + f[13:] + " "} {
			if got, ok := ParseTrackingCode(in); !ok || got != c {
				t.Fatalf("ParseTrackingCode(%q) = %q, %v; want %q", in, got, ok, c)
			}
		}
	}
	for _, bad := range []string{"", "TS-", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKM0", "ABCD-EFGH-JKMO", "ABCD-EFGH-JKM1",
		"ABCD-EFGH-JKMI", "ABCD-EFGH-JKML", "XX-ABCD-EFGH-JKMN", "ABCD_EFGH_JKMN", "ＡBCD-EFGH-JKMN", strings.Repeat("A", 65)} {
		if got, ok := ParseTrackingCode(bad); ok {
			t.Errorf("ParseTrackingCode(%q) = %q, accepted", bad, got)
		}
	}
	// A code may itself begin with TS: 12 characters are never read as prefix + 10.
	if got, ok := ParseTrackingCode("TSAB-CDEF-GHJK"); !ok || got != "TSABCDEFGHJK" {
		t.Errorf("code starting with TS: %q %v", got, ok)
	}
	if FormatTrackingCode("short") != "short" {
		t.Error("FormatTrackingCode changed a malformed code")
	}
}

func TestMatterKeyAndMasks(t *testing.T) {
	a := matterKey(villageA, "funds", " 张 三 的 低保 ", "x")
	b := matterKey(villageA, "funds", "张三的低保", "y")
	if a != b || a != villageA+"|funds|张三的低保" {
		t.Errorf("entity_ref keys %q %q", a, b)
	}
	if matterKey(villageA, "funds", "", "Road  Repair") != villageA+"|funds|roadrepair" {
		t.Error("subject key not normalised")
	}
	if matterKey(villageA, "project", "", "x") == matterKey(villageA, "funds", "", "x") ||
		matterKey(villageB, "funds", "", "x") == matterKey(villageA, "funds", "", "x") {
		t.Error("category and region must separate matters")
	}
	for in, want := range map[string]string{"13812341234": "138****1234", "": "", "0515-1234": "051****1234", "1234567": "*******", "051588881234": "051****1234"} {
		if got := mask.Phone(in); got != want {
			t.Errorf("mask.Phone(%q) = %q, want %q", in, got, want)
		}
	}
	for _, ok := range []string{"13812341234", "0515-88881234", "88881234"} {
		if !validPhone(ok) {
			t.Errorf("validPhone(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "123", "1381234123x", "-13812341234", "0515--8888", "1381234123456789"} {
		if validPhone(bad) {
			t.Errorf("validPhone(%q) = true", bad)
		}
	}
}

func TestPublicComplaintLodgeTrackRate(t *testing.T) {
	f := newFixture(t)
	in := cpPublic("低保金被克扣", "村里发放低保金时每户扣了100元,<script>alert(1)</script>请查处")
	res, err := f.S.LodgePublic(f.Ctx, "203.0.113.7", in)
	if err != nil {
		t.Fatal(err)
	}
	// 2026-07-15 is a Wednesday: 15 working days later is 2026-08-05.
	if res.Deadline != "2026-08-05" || res.ID != 0 || res.RepeatNo != 0 {
		t.Errorf("receipt %+v", res)
	}
	code, ok := ParseTrackingCode(res.TrackingCode)
	if !ok {
		t.Fatalf("receipt code %q", res.TrackingCode)
	}
	var content, hash, dept, status, name string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT content, client_hash, department, status, complainant_name FROM complaints WHERE tracking_code = ?`, code).
		Scan(&content, &hash, &dept, &status, &name); err != nil {
		t.Fatal(err)
	}
	if content != in.Content {
		t.Errorf("content not kept as text: %q", content)
	}
	if hash != mask.Client("203.0.113.7") || strings.Contains(hash, "203.0.113") || len(hash) != 64 {
		t.Errorf("client hash %q", hash)
	}
	if dept != "finance" || status != "received" || name != "王小明" {
		t.Errorf("stored %s %s %s", dept, status, name)
	}
	// The audit event names the public, not the address, and keeps no name or phone.
	var actor, after string
	if err := f.DB.Reader().QueryRowContext(f.Ctx, `SELECT actor_name, after_json FROM audit_events WHERE action = 'complaint.lodge'`).Scan(&actor, &after); err != nil {
		t.Fatal(err)
	}
	if actor != "公众(portal)" || strings.Contains(after, "王小明") || strings.Contains(after, "13812341234") || strings.Contains(after, "203.0.113") {
		t.Errorf("audit %s %s", actor, after)
	}

	// Tracking: with or without dashes, any case; nothing about the complainant.
	v, err := f.S.TrackComplaint(f.Ctx, strings.ToLower(strings.ReplaceAll(res.TrackingCode, "-", "")))
	if err != nil {
		t.Fatal(err)
	}
	if v.TrackingCode != res.TrackingCode || v.Status != "received" || v.Subject != in.Subject || v.Deadline == nil || *v.Deadline != "2026-08-05" {
		t.Errorf("public view %+v", v)
	}
	b, _ := json.Marshal(v)
	for _, leak := range []string{"王小明", "1381234", "complainant", "assignee", "department", "region", "content"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("public view shows %q: %s", leak, b)
		}
	}
	_, errUnknown := f.S.TrackComplaint(f.Ctx, "TS-2222-2222-2222")
	_, errBad := f.S.TrackComplaint(f.Ctx, "not a code")
	cpWant(t, "unknown code", errUnknown, errs.NotFound)
	cpWant(t, "malformed code", errBad, errs.NotFound)
	if errUnknown.Error() != errBad.Error() {
		t.Errorf("unknown and malformed codes answer differently: %v / %v", errUnknown, errBad)
	}

	// Rating: not before the reply, then once.
	_, err = f.S.RateComplaint(f.Ctx, res.TrackingCode, RatingInput{Satisfaction: "satisfied"})
	cpWant(t, "rate before reply", err, errs.Conflict)
	_, err = f.S.RateComplaint(f.Ctx, "TS-2222-2222-2222", RatingInput{Satisfaction: "satisfied"})
	cpWant(t, "rate unknown code", err, errs.NotFound)
	_, err = f.S.RateComplaint(f.Ctx, "bad", RatingInput{Satisfaction: "satisfied"})
	cpWant(t, "rate malformed code", err, errs.NotFound)
	_, err = f.S.RateComplaint(f.Ctx, res.TrackingCode, RatingInput{Satisfaction: "great"})
	cpWant(t, "rate bad value", err, errs.Invalid)

	office := f.County(auth.PovertyOffice)
	id := f.count(`SELECT id FROM complaints WHERE tracking_code = ?`, code)
	d, err := f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.S.ReplyComplaint(f.Ctx, f.County(auth.Finance), id, ReplyInput{Reply: "经核查,已责令退还克扣款项。", Version: d.Version}); err != nil {
		t.Fatal(err)
	}
	v, err = f.S.RateComplaint(f.Ctx, res.TrackingCode, RatingInput{Satisfaction: "basic"})
	if err != nil || v.Satisfaction != "basic" || v.Reply == "" || v.RepliedAt == nil || v.Status != "replied" {
		t.Fatalf("rated %+v %v", v, err)
	}
	_, err = f.S.RateComplaint(f.Ctx, res.TrackingCode, RatingInput{Satisfaction: "unsatisfied"})
	cpWant(t, "second rating", err, errs.Conflict)
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'complaint.rate' AND actor_name = '公众(portal)'`); n != 1 {
		t.Errorf("rate events %d", n)
	}
	if got, _ := f.S.TrackComplaint(f.Ctx, res.TrackingCode); got.Satisfaction != "basic" {
		t.Errorf("rating not kept: %+v", got)
	}
}

func TestPublicComplaintValidation(t *testing.T) {
	f := newFixture(t)
	ok := cpPublic("主题", "这是一条举报内容")
	cases := []struct {
		name  string
		edit  func(*PublicComplaintInput)
		code  errs.Code
		field string
	}{
		{"staff channel", func(in *PublicComplaintInput) { in.Channel = ChannelHotline }, errs.Invalid, "channel"},
		{"no channel", func(in *PublicComplaintInput) { in.Channel = "" }, errs.Invalid, "channel"},
		{"category", func(in *PublicComplaintInput) { in.Category = "misc" }, errs.Invalid, "category"},
		{"region malformed", func(in *PublicComplaintInput) { in.RegionCode = "32092110020" }, errs.Invalid, "region_code"},
		{"region unknown", func(in *PublicComplaintInput) { in.RegionCode = "320921100299" }, errs.NotFound, "region_code"},
		{"region county", func(in *PublicComplaintInput) { in.RegionCode = countyCode }, errs.Invalid, "region_code"},
		{"subject short", func(in *PublicComplaintInput) { in.Subject = " a " }, errs.Invalid, "subject"},
		{"subject long", func(in *PublicComplaintInput) { in.Subject = strings.Repeat("题", 101) }, errs.Invalid, "subject"},
		{"content short", func(in *PublicComplaintInput) { in.Content = "太短" }, errs.Invalid, "content"},
		{"content long", func(in *PublicComplaintInput) { in.Content = strings.Repeat("长", 2001) }, errs.Invalid, "content"},
		{"content control", func(in *PublicComplaintInput) { in.Content = "含有\x00控制字符的内容" }, errs.Invalid, "content"},
		{"content bad utf8", func(in *PublicComplaintInput) { in.Content = "内容\xff\xfe无效编码" }, errs.Invalid, "content"},
		{"entity_ref long", func(in *PublicComplaintInput) { in.EntityRef = strings.Repeat("x", 101) }, errs.Invalid, "entity_ref"},
		{"named without name", func(in *PublicComplaintInput) { in.Name = "  " }, errs.Invalid, "name"},
		{"named long name", func(in *PublicComplaintInput) { in.Name = strings.Repeat("名", 51) }, errs.Invalid, "name"},
		{"named without phone", func(in *PublicComplaintInput) { in.Phone = "" }, errs.Invalid, "phone"},
		{"named bad phone", func(in *PublicComplaintInput) { in.Phone = "12ab" }, errs.Invalid, "phone"},
	}
	for _, c := range cases {
		in := ok
		c.edit(&in)
		_, err := f.S.LodgePublic(f.Ctx, "198.51.100.1", in)
		cpWant(t, c.name, err, c.code)
		if e, _ := errs.As(err); e != nil && e.Fields[c.field] == "" {
			t.Errorf("%s: error does not name %s: %v", c.name, c.field, err)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints`); n != 0 {
		t.Errorf("%d complaints written by refused input", n)
	}
	// Exactly at the limits, and anonymous: whatever name and phone were sent are dropped.
	in := ok
	in.Anonymous, in.Name, in.Phone = true, "不该保存", "bad phone"
	in.Subject, in.Content, in.RegionCode, in.Channel = strings.Repeat("题", 100), strings.Repeat("长", 2000), "320921100000", ChannelKiosk
	if _, err := f.S.LodgePublic(f.Ctx, "198.51.100.1", in); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints WHERE anonymous = 1 AND complainant_name = '' AND complainant_phone = '' AND channel = 'kiosk'`); n != 1 {
		t.Error("anonymous complaint kept the complainant's details")
	}
}

func TestPublicComplaintFloods(t *testing.T) {
	f := newFixture(t)
	first, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题一", "第一条举报内容"))
	if err != nil {
		t.Fatal(err)
	}
	// The same content again (even with another subject, trimmed): the same code, no new row.
	again, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题二", "  第一条举报内容 "))
	if err != nil || again != first {
		t.Fatalf("resubmit: %+v %v, want %+v", again, err, first)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints`); n != 1 {
		t.Fatalf("%d rows after a resubmit", n)
	}
	// From another client it is a complaint of its own.
	other, err := f.S.LodgePublic(f.Ctx, "192.0.2.10", cpPublic("主题一", "第一条举报内容"))
	if err != nil || other.TrackingCode == first.TrackingCode {
		t.Fatalf("other client: %+v %v", other, err)
	}
	// Five an hour per client.
	for i := 2; i <= PublicPerHour; i++ {
		if _, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题", "第"+strings.Repeat("又", i)+"条举报内容")); err != nil {
			t.Fatalf("complaint %d: %v", i, err)
		}
	}
	_, err = f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题", "第六条举报内容"))
	cpWant(t, "sixth in an hour", err, errs.Throttled)
	// A resubmit of known content still answers its code while throttled.
	if r, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题", "第一条举报内容")); err != nil || r != first {
		t.Errorf("resubmit while throttled: %+v %v", r, err)
	}
	// An hour later: again, until twenty a day.
	n := PublicPerHour
	for hour := 1; n < PublicPerDay; hour++ {
		f.Now = f.Now.Add(61 * time.Minute)
		for i := 0; i < PublicPerHour && n < PublicPerDay; i++ {
			n++
			if _, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题", "批量内容"+strings.Repeat("之", n))); err != nil {
				t.Fatalf("complaint %d: %v", n, err)
			}
		}
	}
	f.Now = f.Now.Add(61 * time.Minute)
	_, err = f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题", "第二十一条举报内容"))
	cpWant(t, "21st in a day", err, errs.Throttled)
	// A day after the first, the oldest have aged out; the same content then makes a new row.
	f.Now = f.Now.Add(24 * time.Hour)
	r, err := f.S.LodgePublic(f.Ctx, "192.0.2.9", cpPublic("主题一", "第一条举报内容"))
	if err != nil || r.TrackingCode == first.TrackingCode {
		t.Errorf("a day later: %+v %v", r, err)
	}
	// And the throttled client did not hold back others.
	if _, err := f.S.LodgePublic(f.Ctx, "192.0.2.11", cpPublic("主题", "另一位群众的举报")); err != nil {
		t.Error(err)
	}
}

// cpLodge records a hotline complaint as the county's poverty office.
func cpLodge(f *fixture, region, category, entityRef, subject string) int64 {
	f.t.Helper()
	res, err := f.S.Lodge(f.Ctx, f.County(auth.PovertyOffice), ComplaintInput{Channel: ChannelHotline, Name: "李四", Phone: "13900001111",
		Category: category, RegionCode: region, Subject: subject, Content: "电话反映的问题内容", EntityRef: entityRef, EntityType: "household"})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.ID
}

func TestStaffLodge(t *testing.T) {
	f := newFixture(t)
	in := ComplaintInput{Channel: ChannelField, Anonymous: true, Category: "visit", RegionCode: villageA, Subject: "帮扶干部未走访",
		Content: "今年以来帮扶干部一次都没来过", EntityType: "household", EntityRef: villageA + "0001"}
	// A helper lodges from the field app, only as a field complaint, for a household of theirs.
	helper := f.County(auth.Helper)
	cpLinkHelper(f, helper, villageA)
	res, err := f.S.Lodge(f.Ctx, helper, in)
	if err != nil || res.ID == 0 || res.RepeatNo != 1 || res.Deadline != "2026-08-05" {
		t.Fatalf("field complaint %+v %v", res, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints WHERE id = ? AND created_by = ? AND channel = 'field' AND department = 'poverty_office'`, res.ID, helper.UserID); n != 1 {
		t.Error("field complaint not stored as such")
	}
	hot := in
	hot.Channel = ChannelHotline
	_, err = f.S.Lodge(f.Ctx, helper, hot)
	cpWant(t, "helper lodging a hotline complaint", err, errs.Invalid)
	_, err = f.S.Lodge(f.Ctx, f.County(auth.Participant), in)
	cpWant(t, "participant", err, errs.Forbidden)
	_, err = f.S.Lodge(f.Ctx, nil, in)
	cpWant(t, "nobody", err, errs.Unauthorized)
	_, err = f.S.Lodge(f.Ctx, f.Other(auth.PovertyOffice), hot)
	cpWant(t, "other county", err, errs.Forbidden)
	portal := in
	portal.Channel = ChannelPortal
	_, err = f.S.Lodge(f.Ctx, f.County(auth.PovertyOffice), portal)
	cpWant(t, "staff lodging as the portal", err, errs.Invalid)
	missing := hot
	missing.RegionCode = "320921100299"
	_, err = f.S.Lodge(f.Ctx, f.County(auth.PovertyOffice), missing)
	cpWant(t, "unknown region", err, errs.NotFound)
	bad := hot
	bad.EntityType = "planet"
	_, err = f.S.Lodge(f.Ctx, f.County(auth.PovertyOffice), bad)
	cpWant(t, "entity type", err, errs.Invalid)
	// Staff may lodge at county level (a complaint about a county office).
	county := hot
	county.RegionCode = countyCode
	if _, err := f.S.Lodge(f.Ctx, f.County(auth.PovertyOffice), county); err != nil {
		t.Error(err)
	}
}

func TestComplaintRepeatsAndLists(t *testing.T) {
	f := newFixture(t)
	a := cpLodge(f, villageA, "funds", "张三 低保", "第一次")
	b := cpLodge(f, villageA, "funds", "张三低保", "第二次")
	c := cpLodge(f, villageA, "funds", " 张三低保 ", "第三次")
	other := cpLodge(f, villageB, "funds", "张三低保", "别村同名")
	office := f.County(auth.PovertyOffice)
	d, err := f.S.Complaint(f.Ctx, office, c)
	if err != nil {
		t.Fatal(err)
	}
	if d.RepeatNo != 3 || len(d.SameMatter) != 2 || d.SameMatter[0].ID != a || d.SameMatter[1].ID != b {
		t.Errorf("third complaint: repeat %d, same matter %+v", d.RepeatNo, d.SameMatter)
	}
	if d.ComplainantName != "李四" || d.ComplainantPhone != "13900001111" {
		t.Errorf("detail masks the complainant: %q %q", d.ComplainantName, d.ComplainantPhone)
	}
	if len(d.History) != 1 || d.History[0].Action != "complaint.lodge" {
		t.Errorf("history %+v", d.History)
	}
	if od, _ := f.S.Complaint(f.Ctx, office, other); od.RepeatNo != 1 {
		t.Errorf("another village's matter counted as a repeat: %d", od.RepeatNo)
	}
	rows, err := f.S.Complaints(f.Ctx, office, ComplaintFilter{})
	if err != nil || len(rows) != 4 || rows[0].ID != other || rows[3].ID != a {
		t.Fatalf("list %v %v", len(rows), err)
	}
	if rows[0].ComplainantName != "李*" || rows[0].ComplainantPhone != "139****1111" || rows[0].RegionName == "" ||
		rows[0].CategoryLabel != "资金发放" || rows[0].DepartmentLabel == "" || !strings.HasPrefix(rows[0].TrackingCode, "TS-") {
		t.Errorf("list row %+v", rows[0])
	}
	b2, _ := json.Marshal(rows)
	if strings.Contains(string(b2), "13900001111") || strings.Contains(string(b2), "李四") {
		t.Error("list shows the complainant unmasked")
	}
	// Paging.
	page, err := f.S.Complaints(f.Ctx, office, ComplaintFilter{Limit: 2})
	if err != nil || len(page) != 3 {
		t.Fatalf("page of 2 fetched %d (limit+1 expected) %v", len(page), err)
	}
	next, _ := f.S.Complaints(f.Ctx, office, ComplaintFilter{After: page[1].ID, Limit: 2})
	if len(next) != 2 || next[0].ID != b || next[1].ID != a {
		t.Errorf("second page %+v", next)
	}
	// Filters.
	count := func(fl ComplaintFilter) int {
		t.Helper()
		rows, err := f.S.Complaints(f.Ctx, office, fl)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if n := count(ComplaintFilter{Repeat: true}); n != 2 {
		t.Errorf("repeat filter %d", n)
	}
	if n := count(ComplaintFilter{Region: villageB}); n != 1 {
		t.Errorf("region filter %d", n)
	}
	if n := count(ComplaintFilter{Category: "conduct"}); n != 0 {
		t.Errorf("category filter %d", n)
	}
	if n := count(ComplaintFilter{Status: "pending"}); n != 4 {
		t.Errorf("pending filter %d", n)
	}
	if n := count(ComplaintFilter{Status: "replied"}); n != 0 {
		t.Errorf("status filter %d", n)
	}
	if n := count(ComplaintFilter{Mine: true}); n != 0 { // funds complaints go to finance
		t.Errorf("mine as poverty office %d", n)
	}
	if rows, _ := f.S.Complaints(f.Ctx, f.County(auth.Finance), ComplaintFilter{Mine: true}); len(rows) != 4 {
		t.Errorf("mine as finance %d", len(rows))
	}
	_, err = f.S.Complaints(f.Ctx, office, ComplaintFilter{Status: "lost"})
	cpWant(t, "bad status", err, errs.Invalid)
	_, err = f.S.Complaints(f.Ctx, office, ComplaintFilter{Category: "lost"})
	cpWant(t, "bad category", err, errs.Invalid)
	_, err = f.S.Complaints(f.Ctx, office, ComplaintFilter{Region: "x"})
	cpWant(t, "bad region", err, errs.Invalid)
	// Scope: the other county sees nothing and cannot aim at this one.
	if rows, err := f.S.Complaints(f.Ctx, f.Other(auth.PovertyOffice), ComplaintFilter{}); err != nil || len(rows) != 0 {
		t.Errorf("other county lists %d %v", len(rows), err)
	}
	_, err = f.S.Complaints(f.Ctx, f.Other(auth.PovertyOffice), ComplaintFilter{Region: countyCode})
	cpWant(t, "other county's region", err, errs.Forbidden)
	_, err = f.S.Complaint(f.Ctx, f.Other(auth.PovertyOffice), a)
	cpWant(t, "other county's complaint", err, errs.NotFound)
	_, err = f.S.Complaint(f.Ctx, office, 999999)
	cpWant(t, "no complaint", err, errs.NotFound)
	_, err = f.S.Complaint(f.Ctx, f.County(auth.Helper), a)
	cpWant(t, "helper reads", err, errs.Forbidden)
	_, err = f.S.Complaints(f.Ctx, f.County(auth.Helper), ComplaintFilter{})
	cpWant(t, "helper lists", err, errs.Forbidden)
	// The city sees them all; root too.
	if rows, _ := f.S.Complaints(f.Ctx, f.CityRole(auth.Discipline), ComplaintFilter{}); len(rows) != 4 {
		t.Errorf("city discipline sees %d", len(rows))
	}
	if rows, _ := f.S.Complaints(f.Ctx, f.City, ComplaintFilter{}); len(rows) != 4 {
		t.Errorf("root sees %d", len(rows))
	}
	if d, err := f.S.Complaint(f.Ctx, f.City, c); err != nil || len(d.SameMatter) != 2 {
		t.Errorf("root detail %v %v", len(d.SameMatter), err)
	}
}

func TestComplaintHandling(t *testing.T) {
	f := newFixture(t)
	id := cpLodge(f, villageA, "conduct", "", "村干部作风粗暴")
	office := f.County(auth.PovertyOffice)
	d, _ := f.S.Complaint(f.Ctx, office, id)
	if d.Department != "discipline" || d.Status != "received" || *d.Deadline != "2026-08-05" {
		t.Fatalf("new complaint %+v", d.ComplaintRow)
	}
	// Reply and close need an assigned (then replied) complaint.
	_, err := f.S.ReplyComplaint(f.Ctx, office, id, ReplyInput{Reply: "已经处理完毕", Version: 1})
	cpWant(t, "reply before assign", err, errs.Conflict)
	_, err = f.S.CloseComplaint(f.Ctx, office, id, VersionInput{Version: 1})
	cpWant(t, "close before reply", err, errs.Conflict)
	// Assignment errors.
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "helper", Version: 1})
	cpWant(t, "department without complaint.handle", err, errs.Invalid)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "nobody", Version: 1})
	cpWant(t, "unknown department", err, errs.Invalid)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", DeadlineDays: 61, Version: 1})
	cpWant(t, "deadline too long", err, errs.Invalid)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", DeadlineDays: -1, Version: 1})
	cpWant(t, "negative deadline", err, errs.Invalid)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", Version: 0})
	cpWant(t, "no version", err, errs.Invalid)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", Version: 7})
	cpWant(t, "stale version", err, errs.Conflict)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", AssigneeID: f.County(auth.PovertyOffice).UserID, Version: 1})
	cpWant(t, "assignee of another role", err, errs.NotFound)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", AssigneeID: f.Other(auth.Finance).UserID, Version: 1})
	cpWant(t, "assignee of another county", err, errs.NotFound)
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", AssigneeID: 999999, Version: 1})
	cpWant(t, "no such assignee", err, errs.NotFound)
	_, err = f.S.AssignComplaint(f.Ctx, f.Other(auth.PovertyOffice), id, AssignInput{Department: "finance", Version: 1})
	cpWant(t, "other county assigns", err, errs.NotFound)
	_, err = f.S.AssignComplaint(f.Ctx, f.County(auth.Auditor), id, AssignInput{Department: "finance", Version: 1})
	cpWant(t, "auditor assigns", err, errs.Forbidden)
	_, err = f.S.AssignComplaint(f.Ctx, office, 999999, AssignInput{Department: "finance", Version: 1})
	cpWant(t, "no complaint", err, errs.NotFound)
	disc := f.County(auth.Discipline)
	d, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "discipline", AssigneeID: disc.UserID, DeadlineDays: 5, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Five working days from receipt (Wednesday 2026-07-15): 2026-07-22.
	if d.Status != "assigned" || d.Version != 2 || d.AssigneeID == nil || *d.AssigneeID != disc.UserID || d.AssigneeName == "" || *d.Deadline != "2026-07-22" {
		t.Errorf("assigned %+v", d.ComplaintRow)
	}
	// Re-routing an assigned complaint is allowed; the city user also may.
	d, err = f.S.AssignComplaint(f.Ctx, f.CityRole(auth.PovertyOffice), id, AssignInput{Department: "discipline", Version: 2})
	if err != nil || d.AssigneeID != nil || *d.Deadline != "2026-08-05" || d.Version != 3 {
		t.Fatalf("re-assigned %+v %v", d.ComplaintRow, err)
	}
	// Overdue when the deadline has passed and no reply came.
	f.Now = time.Date(2026, 8, 7, 2, 0, 0, 0, time.UTC)
	d, _ = f.S.Complaint(f.Ctx, office, id)
	if !d.Overdue || d.OverdueDays != 2 {
		t.Errorf("overdue %v %d", d.Overdue, d.OverdueDays)
	}
	if rows, _ := f.S.Complaints(f.Ctx, office, ComplaintFilter{Overdue: true}); len(rows) != 1 {
		t.Errorf("overdue filter %d", len(rows))
	}
	st, err := f.S.ComplaintStatistics(f.Ctx, office, ComplaintFilter{})
	if err != nil || st.Total != 1 || st.Pending != 1 || st.Overdue != 1 || st.ByStatus["assigned"] != 1 || st.ByCategory["conduct"] != 1 {
		t.Errorf("stats %+v %v", st, err)
	}
	// Reply.
	_, err = f.S.ReplyComplaint(f.Ctx, disc, id, ReplyInput{Reply: "短", Version: 3})
	cpWant(t, "short reply", err, errs.Invalid)
	_, err = f.S.ReplyComplaint(f.Ctx, disc, id, ReplyInput{Reply: "经查属实,已对相关人员进行谈话提醒。", Version: 2})
	cpWant(t, "stale reply", err, errs.Conflict)
	d, err = f.S.ReplyComplaint(f.Ctx, disc, id, ReplyInput{Reply: "经查属实,已对相关人员进行谈话提醒。", Version: 3})
	if err != nil || d.Status != "replied" || d.RepliedAt == nil || d.Overdue {
		t.Fatalf("replied %+v %v", d.ComplaintRow, err)
	}
	_, err = f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", Version: d.Version})
	cpWant(t, "assign after reply", err, errs.Conflict)
	_, err = f.S.ReplyComplaint(f.Ctx, disc, id, ReplyInput{Reply: "再次答复的内容", Version: d.Version})
	cpWant(t, "reply twice", err, errs.Conflict)
	// Forward to the discipline commission: once.
	_, err = f.S.ForwardComplaint(f.Ctx, office, id, ForwardInput{Note: "", Version: d.Version})
	cpWant(t, "forward without note", err, errs.Invalid)
	d, err = f.S.ForwardComplaint(f.Ctx, office, id, ForwardInput{Note: "涉嫌违纪,移送纪委", Version: d.Version})
	if err != nil || !d.Misconduct || d.ForwardedAt == nil {
		t.Fatalf("forwarded %+v %v", d.ComplaintRow, err)
	}
	_, err = f.S.ForwardComplaint(f.Ctx, office, id, ForwardInput{Note: "再次移送", Version: d.Version})
	cpWant(t, "forward twice", err, errs.Conflict)
	if rows, _ := f.S.Complaints(f.Ctx, f.CityRole(auth.Discipline), ComplaintFilter{Misconduct: true}); len(rows) != 1 {
		t.Errorf("discipline's misconduct list %d", len(rows))
	}
	// Close.
	d, err = f.S.CloseComplaint(f.Ctx, office, id, VersionInput{Version: d.Version})
	if err != nil || d.Status != "closed" || d.ClosedAt == nil {
		t.Fatalf("closed %+v %v", d.ComplaintRow, err)
	}
	_, err = f.S.CloseComplaint(f.Ctx, office, id, VersionInput{Version: d.Version})
	cpWant(t, "close twice", err, errs.Conflict)
	// The history has every step, newest first or oldest first, each once.
	got := map[string]int{}
	for _, e := range d.History {
		got[e.Action]++
	}
	for _, a := range []string{"complaint.lodge", "complaint.reply", "complaint.forward", "complaint.close"} {
		if got[a] != 1 {
			t.Errorf("history has %d %s events: %v", got[a], a, got)
		}
	}
	if got["complaint.assign"] != 2 {
		t.Errorf("assign events %d", got["complaint.assign"])
	}
	var after string
	_ = f.DB.Reader().QueryRowContext(f.Ctx, `SELECT after_json FROM audit_events WHERE action = 'complaint.forward'`).Scan(&after)
	if !strings.Contains(after, "涉嫌违纪") || strings.Contains(after, "13900001111") {
		t.Errorf("forward event %s", after)
	}
}

func TestComplaintStats(t *testing.T) {
	f := newFixture(t)
	office := f.County(auth.PovertyOffice)
	fin := f.County(auth.Finance)
	var codes []string
	for i, cat := range []string{"funds", "funds", "project"} {
		res, err := f.S.LodgePublic(f.Ctx, "192.0.2.50", cpPublic("同一件事", "内容编号"+strings.Repeat("一", i+1)))
		_ = cat
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, res.TrackingCode)
	}
	for i, code := range codes[:2] {
		c, _ := ParseTrackingCode(code)
		id := f.count(`SELECT id FROM complaints WHERE tracking_code = ?`, c)
		d, err := f.S.AssignComplaint(f.Ctx, office, id, AssignInput{Department: "finance", Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.ReplyComplaint(f.Ctx, fin, id, ReplyInput{Reply: "答复内容如下", Version: d.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.RateComplaint(f.Ctx, code, RatingInput{Satisfaction: []string{"satisfied", "unsatisfied"}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := f.S.ComplaintStatistics(f.Ctx, office, ComplaintFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 3 || st.Pending != 1 || st.Overdue != 0 || st.ByStatus["replied"] != 2 || st.ByStatus["received"] != 1 ||
		st.ByCategory["funds"] != 3 || st.Repeat != 2 || st.Rated != 2 || st.SatisfiedRate != 0.5 || st.ByStatus["closed"] != 0 {
		t.Errorf("stats %+v", st)
	}
	if st, _ := f.S.ComplaintStatistics(f.Ctx, office, ComplaintFilter{Status: "pending"}); st.Total != 1 || st.SatisfiedRate != 0 {
		t.Errorf("pending stats %+v", st)
	}
	if st, _ := f.S.ComplaintStatistics(f.Ctx, f.Other(auth.PovertyOffice), ComplaintFilter{}); st.Total != 0 {
		t.Errorf("other county stats %+v", st)
	}
	_, err = f.S.ComplaintStatistics(f.Ctx, office, ComplaintFilter{Status: "x"})
	cpWant(t, "stats bad status", err, errs.Invalid)
	_, err = f.S.ComplaintStatistics(f.Ctx, f.Other(auth.PovertyOffice), ComplaintFilter{Region: countyCode})
	cpWant(t, "stats other county", err, errs.Forbidden)
}

// cpServer serves the complaint and case routes with a principal set on every request (nil =
// the public).
func cpServer(f *fixture, p **auth.Principal) *httptest.Server {
	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.S.complaintRoutes(rt)
	f.S.caseRoutes(rt)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *p != nil {
			r = r.WithContext(auth.With(r.Context(), *p))
		}
		rt.Mux.ServeHTTP(w, r)
	}))
	f.t.Cleanup(srv.Close)
	return srv
}

func TestComplaintHTTPErrors(t *testing.T) {
	f := newFixture(t)
	var p *auth.Principal
	srv := cpServer(f, &p)
	call := func(method, path, ct, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const js = "application/json"
	valid := `{"channel":"portal","anonymous":true,"category":"funds","region_code":"320921100201","subject":"主题","content":"举报内容正文"}`
	for _, c := range []struct {
		name, method, path, ct, body string
		want                         int
	}{
		{"public lodge", "POST", "/api/v1/public/complaints", js, valid, 201},
		{"public no content type", "POST", "/api/v1/public/complaints", "", valid, 415},
		{"public text body", "POST", "/api/v1/public/complaints", "text/plain", valid, 415},
		{"public bad JSON", "POST", "/api/v1/public/complaints", js, `{"channel":`, 400},
		{"public two objects", "POST", "/api/v1/public/complaints", js, valid + valid, 400},
		{"public wrong type", "POST", "/api/v1/public/complaints", js, `{"anonymous":"yes"}`, 400},
		{"public too large", "POST", "/api/v1/public/complaints", js, `{"content":"` + strings.Repeat("x", PublicBodyLimit) + `"}`, 413},
		{"public rating bad JSON", "POST", "/api/v1/public/complaints/TS-2222-2222-2222/rating", js, `[`, 400},
		{"public rating unknown code", "POST", "/api/v1/public/complaints/TS-2222-2222-2222/rating", js, `{"satisfaction":"basic"}`, 404},
		{"public rating form", "POST", "/api/v1/public/complaints/TS-2222-2222-2222/rating", "application/x-www-form-urlencoded", `a=b`, 415},
		{"public track unknown", "GET", "/api/v1/public/complaints/TS-2222-2222-2222", "", "", 404},
		{"office without sign-in", "GET", "/api/v1/complaints", "", "", 401},
		{"cases without sign-in", "GET", "/api/v1/cases", "", "", 401},
	} {
		if st, b := call(c.method, c.path, c.ct, c.body); st != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, st, b, c.want)
		}
	}
	p = f.County(auth.Discipline)
	for _, c := range []struct{ path string }{
		{"/api/v1/complaints?overdue=2"}, {"/api/v1/complaints?mine=yes"}, {"/api/v1/complaints?limit=0"},
		{"/api/v1/complaints?after=x"}, {"/api/v1/complaints?status=lost"}, {"/api/v1/complaints/stats?repeat=x"},
		{"/api/v1/complaints/stats?category=x"}, {"/api/v1/complaints/x"}, {"/api/v1/cases?limit=500"}, {"/api/v1/cases?after=-1"},
		{"/api/v1/cases/0"},
	} {
		if st, b := call("GET", c.path, "", ""); st != 400 {
			t.Errorf("GET %s: %d %s, want 400", c.path, st, b)
		}
	}
	for path, want := range map[string]int{"/api/v1/complaints?misconduct=1&repeat=0&overdue=0&mine=1": 200,
		"/api/v1/complaints/stats?status=pending": 200, "/api/v1/cases": 200, "/api/v1/complaints/999": 404, "/api/v1/cases/999": 404} {
		if st, b := call("GET", path, "", ""); st != want {
			t.Errorf("GET %s: %d %s, want %d", path, st, b, want)
		}
	}
	st, b := call("GET", "/api/v1/complaints?limit=1", "", "")
	if st != 200 || !strings.Contains(b, `"next":null`) || !strings.Contains(b, `"tracking_code":"TS-`) {
		t.Errorf("list %d %s", st, b)
	}
	if st, b := call("POST", "/api/v1/complaints/1/assign", js, `{"department":"finance"}`); st != 400 {
		t.Errorf("assign without version: %d %s", st, b)
	}
	if st, b := call("POST", "/api/v1/complaints/1/assign", js, `{"department":"finance","version":1,"x":1}`); st != 400 {
		t.Errorf("assign unknown field: %d %s", st, b)
	}
	if st, b := call("POST", "/api/v1/cases", js, `{"region_code":"320921100201"}`); st != 400 {
		t.Errorf("case incomplete: %d %s", st, b)
	}
	for i := 0; i < 2; i++ {
		if _, err := f.S.CreateCase(f.Ctx, p, cpCase(villageA)); err != nil {
			t.Fatal(err)
		}
	}
	st, b = call("GET", "/api/v1/cases?limit=1", "", "")
	if st != 200 || strings.Contains(b, `"next":null`) || !strings.Contains(b, `"handling_label":"诫勉"`) {
		t.Errorf("cases page %d %s", st, b)
	}
	p = f.County(auth.Finance)
	if st, b := call("POST", "/api/v1/cases", js, `{}`); st != 403 {
		t.Errorf("case without case.write: %d %s", st, b)
	}
}

// A burst from one client, in parallel, stores exactly the hourly limit.
func TestPublicComplaintBurst(t *testing.T) {
	f := newFixture(t)
	errc := make(chan error, 12)
	for i := 0; i < 12; i++ {
		go func(i int) {
			_, err := f.S.LodgePublic(f.Ctx, "192.0.2.77", cpPublic("主题", "并发提交的举报内容"+strings.Repeat("。", i+1)))
			errc <- err
		}(i)
	}
	ok, throttled := 0, 0
	for i := 0; i < 12; i++ {
		switch err := <-errc; errs.CodeOf(err) {
		case "":
			ok++
		case errs.Throttled:
			throttled++
		default:
			t.Error(err)
		}
	}
	if ok != PublicPerHour || throttled != 12-PublicPerHour {
		t.Errorf("burst: %d stored, %d throttled", ok, throttled)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints WHERE client_hash = ?`, mask.Client("192.0.2.77")); n != PublicPerHour {
		t.Errorf("%d rows", n)
	}
}

// cpLinkHelper makes the user the (fixture's) helper of the village's households, the way a
// helper's field account is linked to the helpers roster.
func cpLinkHelper(f *fixture, p *auth.Principal, village string) {
	f.t.Helper()
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(f.Ctx, `UPDATE helpers SET user_id = ? WHERE region_code = ?`, p.UserID, village)
		return err
	}); err != nil {
		f.t.Fatal(err)
	}
}

// A helper takes a complaint down on the phone for a household of theirs (代为反映): the
// household fixes the region, other households are refused, and the phone's client_id makes
// a retried sync answer the stored complaint (200, same body) instead of a second row.
func TestFieldComplaint(t *testing.T) {
	f := newFixture(t)
	helper := f.County(auth.Helper)
	cpLinkHelper(f, helper, villageA)
	const cid = "0b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5a"
	in := ComplaintInput{Channel: ChannelField, Anonymous: false, Name: "户主1", Phone: "13800001234", Category: "funds",
		Subject: "低保金未到账", Content: "户主反映五月低保金至今未到账", EntityType: "household", EntityRef: villageA + "0002", ClientID: cid}

	rt := httpx.NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	rt.Handle("POST /api/v1/complaints", "", f.S.handleLodge)
	var p *auth.Principal
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p != nil {
			r = r.WithContext(auth.With(r.Context(), p))
		}
		rt.Mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	post := func(who *auth.Principal, body any) (int, string) {
		t.Helper()
		p = who
		b, _ := json.Marshal(body)
		resp, err := http.Post(srv.URL+"/api/v1/complaints", "application/json", strings.NewReader(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}

	st, first := post(helper, in)
	if st != 201 || !strings.Contains(first, `"tracking_code":"TS-`) {
		t.Fatalf("first sync: %d %s", st, first)
	}
	// The phone did not get the answer and syncs again, twice: same body, 200, one row.
	for i := 0; i < 2; i++ {
		st, again := post(helper, in)
		if st != 200 || again != first {
			t.Fatalf("replay %d: %d %s, want 200 %s", i, st, again, first)
		}
	}
	// Upper-case hex is the same UUID.
	upper := in
	upper.ClientID = strings.ToUpper(cid)
	if res, replayed, err := f.S.lodgeStaff(f.Ctx, helper, upper); err != nil || !replayed || !strings.Contains(first, res.TrackingCode) {
		t.Fatalf("upper-case client_id: %+v %v %v", res, replayed, err)
	}
	hash := FieldClientHash(cid)
	if n := f.count(`SELECT COUNT(*) FROM complaints WHERE client_hash = ? AND channel = 'field' AND entity_type = 'household'
		AND entity_ref = ? AND region_code = ? AND created_by = ? AND complainant_name = '户主1'`, hash, villageA+"0002", villageA, helper.UserID); n != 1 {
		t.Fatalf("stored complaints with the client hash: %d, want 1", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints`); n != 1 {
		t.Fatalf("%d complaints, want 1", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'complaint.lodge'`); n != 1 {
		t.Fatalf("%d lodge events, want 1", n)
	}
	if hash == mask.Client(cid) || len(hash) != 64 {
		t.Error("field client hash not apart from the public hash")
	}
	// Another phone's complaint (a new client_id) is a new row, with its own code.
	second := in
	second.ClientID = "0b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5b"
	st, other := post(helper, second)
	if st != 201 || other == first {
		t.Fatalf("second complaint: %d %s", st, other)
	}
	// Another user sending the same client_id does not learn the complaint.
	office := f.County(auth.PovertyOffice)
	if st, b := post(office, in); st != 409 {
		t.Errorf("client_id of another user: %d %s, want 409", st, b)
	}

	for _, c := range []struct {
		name string
		edit func(*ComplaintInput)
		code errs.Code
	}{
		{"household of another helper", func(c *ComplaintInput) { c.EntityRef = villageB + "0001" }, errs.Forbidden},
		{"unknown household", func(c *ComplaintInput) { c.EntityRef = villageA + "0099" }, errs.Forbidden},
		{"household of another county", func(c *ComplaintInput) { c.EntityRef = villageOth + "0001" }, errs.Forbidden},
		{"no household", func(c *ComplaintInput) { c.EntityType, c.EntityRef = "", "" }, errs.Invalid},
		{"village instead of household", func(c *ComplaintInput) { c.EntityType = "village" }, errs.Invalid},
		{"region other than the household's", func(c *ComplaintInput) { c.RegionCode = villageB }, errs.Invalid},
		{"malformed client_id", func(c *ComplaintInput) { c.ClientID = "not-a-uuid" }, errs.Invalid},
		{"client_id with a bad digit", func(c *ComplaintInput) { c.ClientID = "0b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5g" }, errs.Invalid},
		{"named without a phone", func(c *ComplaintInput) { c.Phone = "" }, errs.Invalid},
	} {
		x := in
		x.ClientID = "1b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5a"
		c.edit(&x)
		_, err := f.S.Lodge(f.Ctx, helper, x)
		cpWant(t, c.name, err, c.code)
	}
	// The helper was reassigned: the household is no longer theirs.
	if err := f.DB.InTx(f.Ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(f.Ctx, `UPDATE assignments SET to_date = '2026-07-01' WHERE household_id =
			(SELECT id FROM households WHERE household_no = ?)`, villageA+"0003")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ended := in
	ended.EntityRef, ended.ClientID = villageA+"0003", "2b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5a"
	_, err := f.S.Lodge(f.Ctx, helper, ended)
	cpWant(t, "assignment ended", err, errs.Forbidden)
	// Staff lodging a field complaint name any household in their scope; client_id only on field.
	staff := in
	staff.ClientID, staff.EntityRef = "", villageB+"0001"
	if res, err := f.S.Lodge(f.Ctx, office, staff); err != nil || res.ID == 0 {
		t.Fatalf("staff field complaint: %+v %v", res, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM complaints WHERE entity_ref = ? AND region_code = ?`, villageB+"0001", villageB); n != 1 {
		t.Error("staff field complaint not placed in the household's village")
	}
	hot := in
	hot.Channel, hot.RegionCode = ChannelHotline, villageA
	_, err = f.S.Lodge(f.Ctx, office, hot)
	cpWant(t, "client_id on a hotline complaint", err, errs.Invalid)
	if n := f.count(`SELECT COUNT(*) FROM complaints`); n != 3 {
		t.Fatalf("%d complaints, want 3", n)
	}
}

func FuzzClientID(f *testing.F) {
	for _, s := range []string{"0b6f3c9e-2d7a-4e51-9a0c-5f1e2d3c4b5a", "", "x", "0b6f3c9e2d7a4e519a0c5f1e2d3c4b5a0000", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := validClientID(s)
		if ok != uuidRe.MatchString(s) {
			t.Fatalf("validClientID(%q) = %v", s, ok)
		}
	})
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
