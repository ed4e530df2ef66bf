package idcard

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// valid completes a 17-digit body with its check character, so the table
// below stays readable and every "valid" case is valid by construction.
func valid(body string) string { return body + string(CheckChar(body)) }

func TestCheckCharKnownExample(t *testing.T) {
	// The worked example in GB 11643-1999.
	if got := CheckChar("11010519491231002"); got != 'X' {
		t.Fatalf("CheckChar = %q, want X", got)
	}
	for _, bad := range []string{"", "1101051949123100", "1101051949123100a", "110105194912310021"} {
		if got := CheckChar(bad); got != 0 {
			t.Errorf("CheckChar(%q) = %q, want 0", bad, got)
		}
	}
}

func TestParse(t *testing.T) {
	yancheng := valid("32092119850314123") // Sheyang county, male
	female := valid("32090220010229002")   // 2001 is not a leap year
	tests := []struct {
		name  string
		in    string
		code  string // "" means accepted
		want  string // normalised number when accepted
		birth string
		sex   Sex
	}{
		{"standard example", "11010519491231002X", "", "11010519491231002X", "1949-12-31", Female},
		{"lower-case x", "11010519491231002x", "", "11010519491231002X", "1949-12-31", Female},
		{"spaces trimmed", "  " + yancheng + "\t", "", yancheng, "1985-03-14", Male},
		{"leap day", valid("32090220000229002"), "", valid("32090220000229002"), "2000-02-29", Female},
		{"born today in China", valid("32090220250601001"), "", valid("32090220250601001"), "2025-06-01", Male},
		{"first day allowed", valid("32090219000101001"), "", valid("32090219000101001"), "1900-01-01", Male},
		{"empty", "", CodeLength, "", "", 0},
		{"17 chars", yancheng[:17], CodeLength, "", "", 0},
		{"19 chars", yancheng + "1", CodeLength, "", "", 0},
		{"15-digit old number", "320921850314123", CodeLength, "", "", 0},
		{"letter in body", "3209211985031412A" + "3", CodeChars, "", "", 0},
		{"bad last char", yancheng[:17] + "Y", CodeChars, "", "", 0},
		{"full-width digit", "３" + yancheng[1:], CodeChars, "", "", 0},
		{"scientific notation", "3.20921198503E+17", CodeChars, "", "", 0},
		{"scientific notation 18", "3.209211985031E+17", CodeChars, "", "", 0},
		{"region starts with 0", valid("02092119850314123"), CodeRegion, "", "", 0},
		{"unknown province 39", valid("39092119850314123"), CodeRegion, "", "", 0},
		{"Feb 29 in non-leap year", female, CodeBirth, "", "", 0},
		{"Feb 30", valid("32092119990230123"), CodeBirth, "", "", 0},
		{"month 13", valid("32092119991301123"), CodeBirth, "", "", 0},
		{"day 00", valid("32092119991200123"), CodeBirth, "", "", 0},
		{"before 1900", valid("32092118991231123"), CodeBirth, "", "", 0},
		{"tomorrow", valid("32092120250602123"), CodeBirth, "", "", 0},
		{"wrong check char", yancheng[:17] + string(other(yancheng[17])), CodeChecksum, "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := Parse(tc.in, testNow)
			if tc.code != "" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Parse(%q) error = %v, want *Error %s", tc.in, err, tc.code)
				}
				if e.Code != tc.code {
					t.Fatalf("Parse(%q) code = %s (%s), want %s", tc.in, e.Code, e.Reason, tc.code)
				}
				if len(tc.in) >= 6 && strings.Contains(e.Error(), strings.TrimSpace(tc.in)) {
					t.Errorf("error message leaks the number: %s", e.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if id.Number != tc.want || id.Region != tc.want[:6] {
				t.Errorf("Number/Region = %s/%s, want %s", id.Number, id.Region, tc.want)
			}
			if got := id.Birth.Format("2006-01-02"); got != tc.birth || id.Birth.Location() != time.UTC {
				t.Errorf("Birth = %v, want %s UTC", id.Birth, tc.birth)
			}
			if id.Sex != tc.sex {
				t.Errorf("Sex = %v, want %v", id.Sex, tc.sex)
			}
		})
	}
}

func other(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

func TestErrorMessages(t *testing.T) {
	body := "32092119850314123"
	wrong := body + string(other(CheckChar(body)))
	cases := map[string]string{
		body:                           "身份证号应为18位(实际17位)",
		wrong:                          "身份证号校验位错误(应为" + string(CheckChar(body)) + ")",
		valid("32092119990230123"):     "身份证号出生日期无效(19990230)",
		"32092119990230123" + "\u00a0": "身份证号应为18位(实际17位)", // NBSP is trimmed as space
	}
	for in, want := range cases {
		_, err := Parse(in, testNow)
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error = %v, want %s", in, err, want)
		}
	}
}

func TestBirthUsesChinaDate(t *testing.T) {
	// 2025-06-01 17:00 UTC is already 2025-06-02 in China.
	late := time.Date(2025, 6, 1, 17, 0, 0, 0, time.UTC)
	n := valid("32090220250602001")
	if _, err := Parse(n, late); err != nil {
		t.Fatalf("born today (China time) rejected: %v", err)
	}
	if _, err := Parse(n, testNow); err == nil {
		t.Fatal("born tomorrow accepted")
	}
}

func TestSexString(t *testing.T) {
	if Male.String() != "male" || Female.String() != "female" {
		t.Fatal(Male.String(), Female.String())
	}
}

func TestMake(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(testNow.Sub(start).Hours() / 24)
	for range 2000 {
		birth := start.AddDate(0, 0, r.IntN(days))
		sex := Sex(r.IntN(2))
		seq := r.IntN(500)
		n := Make("320921", birth, seq, sex)
		id, err := Parse(n, testNow)
		if err != nil {
			t.Fatalf("Make(%v,%d,%v) = %s rejected: %v", birth, seq, sex, n, err)
		}
		if !id.Birth.Equal(birth) || id.Sex != sex || id.Region != "320921" {
			t.Fatalf("Make(%v,%d,%v) = %s parsed as %+v", birth, seq, sex, n, id)
		}
	}
}

func TestMakePanicsOnBadInput(t *testing.T) {
	for name, f := range map[string]func(){
		"region": func() { Make("32092", testNow, 1, Male) },
		"seq":    func() { Make("320921", testNow, 500, Male) },
		"neg":    func() { Make("320921", testNow, -1, Female) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestPackUnpackRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	seen := make(map[uint64]string)
	for range 100_000 {
		var b [Length]byte
		for i := 0; i < Length-1; i++ {
			b[i] = byte('0' + r.IntN(10))
		}
		if c := r.IntN(11); c == 10 {
			b[Length-1] = 'X'
		} else {
			b[Length-1] = byte('0' + c)
		}
		s := string(b[:])
		v, ok := Pack(s)
		if !ok {
			t.Fatalf("Pack(%s) rejected", s)
		}
		if got := Unpack(v); got != s {
			t.Fatalf("Unpack(Pack(%s)) = %s", s, got)
		}
		if prev, dup := seen[v]; dup && prev != s {
			t.Fatalf("Pack collision: %s and %s", prev, s)
		}
		seen[v] = s
	}
	for _, s := range []string{"000000000000000000", "99999999999999999X", "11010519491231002X"} {
		v, _ := Pack(s)
		if Unpack(v) != s {
			t.Errorf("edge %s round trip failed", s)
		}
	}
}

func TestPackRejectsMalformed(t *testing.T) {
	for _, s := range []string{"", "11010519491231002", "11010519491231002XX", "1101051949123100aX", "11010519491231002Y", "１1010519491231002"} {
		if _, ok := Pack(s); ok {
			t.Errorf("Pack(%q) accepted", s)
		}
	}
	if v, _ := Pack("11010519491231002x"); Unpack(v) != "11010519491231002X" {
		t.Error("lower-case x not normalised")
	}
	if Unpack(packLimit) != "" || Unpack(^uint64(0)) != "" {
		t.Error("Unpack accepted out-of-range value")
	}
}

func TestPackDoesNotAllocate(t *testing.T) {
	s := "11010519491231002X"
	if n := testing.AllocsPerRun(100, func() { Pack(s) }); n != 0 {
		t.Fatalf("Pack allocates %v times", n)
	}
}

func TestMask(t *testing.T) {
	cases := map[string]string{
		"32092119850314123X":  "320921********123X",
		"11010519491231002x":  "110105********002x",
		"":                    "",
		"320921198503141":     "***************",
		"3209211985031412345": "*******************",
		"张三":                  "**",
		"32092119850314123Y":  "******************",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
