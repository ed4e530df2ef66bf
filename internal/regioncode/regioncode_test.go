package regioncode

import "testing"

func TestLevelsAndPrefixes(t *testing.T) {
	cases := []struct {
		code   string
		level  Level
		prefix string
		parent string
	}{
		{"320000000000", Province, "32", ""},
		{"320900000000", City, "3209", "320000000000"},
		{"320921000000", County, "320921", "320900000000"},
		{"320921101000", Town, "320921101", "320921000000"},
		{"320921101203", Village, "320921101203", "320921101000"},
	}
	for _, c := range cases {
		if got := LevelOf(c.code); got != c.level {
			t.Errorf("LevelOf(%s) = %s, want %s", c.code, got, c.level)
		}
		if got := Prefix(c.code); got != c.prefix {
			t.Errorf("Prefix(%s) = %s, want %s", c.code, got, c.prefix)
		}
		if got := Parent(c.code); got != c.parent {
			t.Errorf("Parent(%s) = %s, want %s", c.code, got, c.parent)
		}
	}
}

func TestWithin(t *testing.T) {
	if !Within("320921101203", "320921000000") {
		t.Error("village should be within its county")
	}
	if Within("320922101203", "320921000000") {
		t.Error("another county's village must not be within")
	}
	if !Within("320921000000", "320900000000") {
		t.Error("county within city")
	}
	if Within("32092110120", "320900000000") || Within("3209211012ab", "320900000000") {
		t.Error("malformed codes are never within")
	}
	lo, hi := Range("320921101000")
	if lo != "320921101000" || hi != "320921101999" {
		t.Errorf("Range = %s..%s", lo, hi)
	}
}

func FuzzWithin(f *testing.F) {
	f.Add("320921101203", "320921000000")
	f.Fuzz(func(t *testing.T, code, scope string) {
		if Within(code, scope) {
			lo, hi := Range(scope)
			if code < lo || code > hi {
				t.Fatalf("%s within %s but outside range %s..%s", code, scope, lo, hi)
			}
		}
	})
}

func FuzzMalformedNeverPanics(f *testing.F) {
	f.Add("")
	f.Add("32092")
	f.Add("320921101203")
	f.Fuzz(func(t *testing.T, code string) {
		_ = LevelOf(code)
		_ = Parent(code)
		lo, hi := Range(code)
		if !Valid(code) && lo <= hi {
			t.Fatalf("malformed %q gives a non-empty range %s..%s", code, lo, hi)
		}
	})
}
