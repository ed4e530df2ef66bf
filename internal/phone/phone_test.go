package phone

import "testing"

func TestValidAndMobile(t *testing.T) {
	for _, c := range []struct {
		s             string
		valid, mobile bool
	}{
		{"13812345678", true, true},
		{"0515-88886666", true, false},
		{"1381234567", true, false},   // ten digits: a landline's length, not a mobile
		{"23812345678", true, false},  // eleven digits not starting with 1
		{"138123456789", true, false}, // twelve
		{"123456", false, false},
		{"12345678901234", false, false},
		{"1381234567x", false, false},
		{"138 1234 5678", false, false},
		{"", false, false},
	} {
		if Valid(c.s) != c.valid || Mobile(c.s) != c.mobile {
			t.Errorf("%q: Valid %v Mobile %v, want %v %v", c.s, Valid(c.s), Mobile(c.s), c.valid, c.mobile)
		}
	}
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"13812345678", "0515-88886666", "-", "1-2-3-4-5-6-7", "１３８１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Mobile(s) && !Valid(s) {
			t.Fatalf("%q is a mobile but not a valid number", s)
		}
		if Mobile(s) && (len(s) != 11 || s[0] != '1') {
			t.Fatalf("%q accepted as a mobile", s)
		}
	})
}
