package idcard

import (
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", " 32092119850314123X ",
		"320921199902301234", "", "x", "3.20921198503E+17", "３2092119850314123X",
		"000000000000000000", "99999999999999999X",
	} {
		f.Add(s)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		if strings.ContainsAny(m[min(len(m), 6):min(len(m), 14)], "0123456789") {
			t.Fatalf("Mask(%q) = %q leaks the middle", s, m)
		}
		id, err := Parse(s, now)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		v, ok := Pack(id.Number)
		if !ok || Unpack(v) != id.Number {
			t.Fatalf("Pack/Unpack(%q) failed: %d %v", id.Number, v, ok)
		}
		m = Mask(id.Number)
		if m[:6] != id.Number[:6] || m[6:14] != "********" || m[14:] != id.Number[14:] {
			t.Fatalf("Mask(%q) = %q", id.Number, m)
		}
		if CheckChar(id.Number[:17]) != id.Number[17] {
			t.Fatalf("accepted %q with wrong check char", id.Number)
		}
		if id.Birth.Before(minBirth) || id.Birth.After(now) {
			t.Fatalf("accepted birth %v", id.Birth)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	s := "32092119850314123" + string(CheckChar("32092119850314123"))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPack(b *testing.B) {
	s := "11010519491231002X"
	b.ReportAllocs()
	var sink uint64
	for b.Loop() {
		v, _ := Pack(s)
		sink += v
	}
	_ = sink
}

func BenchmarkUnpack(b *testing.B) {
	v, _ := Pack("11010519491231002X")
	b.ReportAllocs()
	for b.Loop() {
		_ = Unpack(v)
	}
}
