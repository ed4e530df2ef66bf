package oversight

import (
	"strings"
	"testing"
	"unicode/utf8"

	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
)

// FuzzPublicComplaintBody feeds arbitrary bodies through the public complaint's decoding and
// validation: never a panic, only 4xx errors, and whatever passes keeps within the limits.
func FuzzPublicComplaintBody(f *testing.F) {
	f.Add(`{"channel":"portal","anonymous":true,"category":"funds","region_code":"320921100201","subject":"主题","content":"举报内容五个字"}`)
	f.Add(`{"channel":"kiosk","anonymous":false,"name":"王小明","phone":"13812341234","category":"other","region_code":"320921100000","subject":"<b>x</b>","content":"<script>alert(1)</script>"}`)
	f.Add(`{"channel":"portal","name":"\u0000","content":"\ud800"}`)
	f.Add(`{"channel":"portal","extra":1}`)
	f.Add(`{"anonymous":"yes"}`)
	f.Add(`[]`)
	f.Add(`{"channel":"portal"}{"channel":"kiosk"}`)
	f.Add(`{"channel":"portal","anonymous":false,"name":"a","phone":"0515-8888123","category":"conduct","region_code":"320921100201","subject":"  ab  ","content":"     12345     "}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in PublicComplaintInput
		if err := httpx.DecodeReader(strings.NewReader(body), &in); err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.TooLarge {
				t.Fatalf("decode error %v (%s)", err, c)
			}
			return
		}
		c := in.complaint()
		c.normalize()
		err := c.validate([]string{ChannelPortal, ChannelKiosk})
		if err != nil {
			if e, ok := errs.As(err); !ok || e.Code != errs.Invalid || len(e.Fields) == 0 {
				t.Fatalf("validation error %v", err)
			}
			return
		}
		if c.Channel != ChannelPortal && c.Channel != ChannelKiosk {
			t.Fatalf("channel %q passed", c.Channel)
		}
		if _, ok := ComplaintCategories[c.Category]; !ok {
			t.Fatalf("category %q passed", c.Category)
		}
		for field, s := range map[string]string{"subject": c.Subject, "content": c.Content, "name": c.Name, "entity_ref": c.EntityRef} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s not UTF-8", field)
			}
		}
		if n := utf8.RuneCountInString(c.Subject); n < 2 || n > maxSubject {
			t.Fatalf("subject of %d characters passed", n)
		}
		if n := utf8.RuneCountInString(c.Content); n < 5 || n > maxContent {
			t.Fatalf("content of %d characters passed", n)
		}
		if c.Anonymous && (c.Name != "" || c.Phone != "") {
			t.Fatal("anonymous complaint kept a name or phone")
		}
		if !c.Anonymous && (c.Name == "" || !validPhone(c.Phone)) {
			t.Fatal("named complaint without name or valid phone passed")
		}
		if k := matterKey(c.RegionCode, c.Category, c.EntityRef, c.Subject); !strings.HasPrefix(k, c.RegionCode+"|"+c.Category+"|") || strings.ContainsAny(k[len(c.RegionCode)+len(c.Category)+2:], " \t\n") {
			t.Fatalf("matter key %q", k)
		}
		_ = mask.Phone(c.Phone)
		_ = mask.Name(c.Name)
	})
}

// FuzzTrackingCode: the parser never panics, accepts only 12 characters of the alphabet, and
// what it accepts formats and parses back to itself.
func FuzzTrackingCode(f *testing.F) {
	for _, s := range []string{"TS-7KQ4-9XWM-2PHD", "7kq49xwm2phd", "ts7kq49xwm2phd", " 7KQ4 9XWM 2PHD ", "TS-0000-0000-0000", "", "-", "TSTS-TSTS-TSTS", "Ｔ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseTrackingCode(s)
		if !ok {
			if code != "" {
				t.Fatalf("rejected %q but returned %q", s, code)
			}
			return
		}
		if len(code) != trackingLen {
			t.Fatalf("%q → %q", s, code)
		}
		for i := 0; i < len(code); i++ {
			if strings.IndexByte(trackingAlphabet, code[i]) < 0 {
				t.Fatalf("%q → %q has %q", s, code, code[i])
			}
		}
		back, ok := ParseTrackingCode(FormatTrackingCode(code))
		if !ok || back != code {
			t.Fatalf("round trip %q → %q → %q", s, code, back)
		}
	})
}
