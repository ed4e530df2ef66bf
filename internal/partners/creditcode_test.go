package partners

import (
	"strings"
	"testing"
)

func TestCheckCreditCode(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
		why  string
	}{
		{"91350100M000100Y43", true, ""}, // the standard's published example
		{"91320921MA1MXXXX0" + "?", false, "第 18 位"},
		{MakeCreditCode("91320921MA1MXKQ12"), true, ""},
		{"91350100M000100Y44", false, "校验位"},
		{"91350100M000100Y4", false, "18 位"},
		{"91350100M000100Y433", false, "18 位"},
		{"91350100I000100Y43", false, "第 9 位"}, // I is not used
		{"913501O0M000100Y43", false, "第 7 位"}, // O is not used
		{"9135A100M000100Y43", false, "3 至 8 位"},
		{"91350100m000100Y43", false, "第 9 位"}, // lower case: callers upper-case first
		{"", false, "18 位"},
		{"９1350100M000100Y43", false, "18 位"}, // a full-width digit is three bytes
	} {
		why := CheckCreditCode(c.code)
		if (why == "") != c.ok || c.why != "" && !strings.Contains(why, c.why) {
			t.Errorf("%q: %q, want ok=%v (%s)", c.code, why, c.ok, c.why)
		}
	}
	// every single-character change of a valid code is caught
	valid := "91350100M000100Y43"
	for i := 0; i < 18; i++ {
		for _, r := range creditAlphabet {
			if byte(r) == valid[i] {
				continue
			}
			b := []byte(valid)
			b[i] = byte(r)
			if CheckCreditCode(string(b)) == "" {
				t.Errorf("changed position %d to %c: still valid", i+1, r)
			}
		}
	}
}

func FuzzCheckCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91350100M000100Y44", "", "ABCDEFGHJKLMNPQRTU", "91320921MA000001X0", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		why := CheckCreditCode(s)
		if why != "" {
			return
		}
		// a valid code: 18 characters of the alphabet, digits at 3–8, and its own check character
		if len(s) != 18 || creditCheck(s[:17]) != s[17] || MakeCreditCode(s[:17]) != s {
			t.Fatalf("%q accepted", s)
		}
		for i := 2; i < 8; i++ {
			if s[i] < '0' || s[i] > '9' {
				t.Fatalf("%q accepted with a non-digit region", s)
			}
		}
	})
}
