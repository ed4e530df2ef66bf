package money

import (
	"errors"
	"math"
	"testing"
)

func TestParseYuan(t *testing.T) {
	ok := map[string]int64{
		"1234":                   123400,
		"1,234.5":                123450,
		"1234.56":                123456,
		"-12.30":                 -1230,
		" 12 ":                   1200,
		"¥12.00":                 1200,
		"￥1,000":                 100000,
		"12元":                    1200,
		"¥ 12.5 元":               1250,
		"-¥12":                   -1200,
		"¥-12":                   -1200,
		"+7.01":                  701,
		"0":                      0,
		"-0.00":                  0,
		"007.10":                 710,
		"1,234,567.89":           123456789,
		"90000000000000":         MaxFen,
		"-90,000,000,000,000.00": -MaxFen,
		"\u300012.34\u3000":      1234, // ideographic spaces from Chinese IMEs
	}
	for in, want := range ok {
		got, err := ParseYuan(in)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                           CodeEmpty,
		"   ":                        CodeEmpty,
		"1.234":                      CodeDecimals,
		"0.001":                      CodeDecimals,
		"12,34":                      CodeSeparator,
		"1234,567":                   CodeSeparator,
		",123":                       CodeSeparator,
		"1,,234":                     CodeSeparator,
		"1,234,56":                   CodeSeparator,
		"1,2345":                     CodeSeparator,
		"12,":                        CodeSeparator,
		"abc":                        CodeSyntax,
		"12.":                        CodeSyntax,
		".5":                         CodeSyntax,
		"1.2.3":                      CodeSyntax,
		"--12":                       CodeSyntax,
		"-¥-12":                      CodeSyntax,
		"¥":                          CodeSyntax,
		"元":                          CodeSyntax,
		"１２":                         CodeSyntax,
		"1e5":                        CodeSyntax,
		"12 34":                      CodeSyntax,
		"(12.30)":                    CodeSyntax,
		"12.3a":                      CodeSyntax,
		"90000000000000.01":          CodeRange,
		"-90000000000000.01":         CodeRange,
		"99999999999999999999999999": CodeRange,
	}
	for in, code := range bad {
		_, err := ParseYuan(in)
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("ParseYuan(%q) error = %v, want code %s", in, err, code)
		}
	}
}

func TestErrorMessageMentionsTwoDecimals(t *testing.T) {
	_, err := ParseYuan("1.234")
	if err == nil || err.Error() != "金额最多保留两位小数(实际3位)" {
		t.Fatalf("got %v", err)
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		fen         int64
		yuan, plain string
	}{
		{0, "0.00", "0.00"},
		{5, "0.05", "0.05"},
		{-5, "-0.05", "-0.05"},
		{123456, "1,234.56", "1234.56"},
		{-123456, "-1,234.56", "-1234.56"},
		{100000, "1,000.00", "1000.00"},
		{99999, "999.99", "999.99"},
		{123456789012, "1,234,567,890.12", "1234567890.12"},
		{math.MaxInt64, "92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := FormatYuan(c.fen); got != c.yuan {
			t.Errorf("FormatYuan(%d) = %s, want %s", c.fen, got, c.yuan)
		}
		if got := FormatPlain(c.fen); got != c.plain {
			t.Errorf("FormatPlain(%d) = %s, want %s", c.fen, got, c.plain)
		}
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	for _, fen := range []int64{0, 1, -1, 99, 100, 101, 123456789, -987654321, MaxFen, -MaxFen} {
		for _, s := range []string{FormatYuan(fen), FormatPlain(fen)} {
			if got, err := ParseYuan(s); err != nil || got != fen {
				t.Errorf("ParseYuan(%q) = %d, %v; want %d", s, got, err, fen)
			}
		}
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1234", "1,234.5", "-12.30", " 12 ", "¥12.00", "12元", "1.234", "12,34", "90000000000000", "-¥0.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseYuan(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if v > MaxFen || v < -MaxFen {
			t.Fatalf("ParseYuan(%q) = %d out of range", s, v)
		}
		for _, out := range []string{FormatPlain(v), FormatYuan(v)} {
			back, err := ParseYuan(out)
			if err != nil || back != v {
				t.Fatalf("ParseYuan(%q) = %d; format %q parses back as %d, %v", s, v, out, back, err)
			}
		}
	})
}

func BenchmarkParseYuan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseYuan("1,234,567.89"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatYuan(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = FormatYuan(123456789)
	}
}
