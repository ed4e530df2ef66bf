package oversight

import (
	"testing"
	"time"
)

func TestWorkdays2026(t *testing.T) {
	cases := []struct {
		day  string
		work bool
	}{
		{"2026-01-01", false}, // 元旦 (Thursday)
		{"2026-01-04", true},  // Sunday worked in exchange
		{"2026-01-05", true},  // an ordinary Monday
		{"2026-01-10", false}, // an ordinary Saturday
		{"2026-02-14", true},  // Saturday worked before 春节
		{"2026-02-16", false}, // 春节 (Monday)
		{"2026-02-23", false}, // last day of 春节 (Monday)
		{"2026-02-24", true},
		{"2026-02-28", true}, // Saturday worked after 春节
		{"2026-04-06", false},
		{"2026-05-05", false},
		{"2026-05-09", true},
		{"2026-06-19", false},
		{"2026-09-20", true},
		{"2026-09-25", false},
		{"2026-10-07", false},
		{"2026-10-10", true},
		{"2027-03-06", false}, // a year without a table: Saturday
		{"2027-03-08", true},
	}
	for _, c := range cases {
		d, _ := time.Parse(time.DateOnly, c.day)
		if got := IsWorkday(d); got != c.work {
			t.Errorf("IsWorkday(%s) = %v, want %v", c.day, got, c.work)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	cases := []struct {
		day  string
		n    int
		want string
	}{
		{"2026-07-15", 15, "2026-08-05"}, // Wednesday: three weeks of weekdays
		{"2026-07-17", 1, "2026-07-20"},  // Friday + 1 → Monday
		{"2026-07-18", 1, "2026-07-20"},  // Saturday: the day itself never counts
		{"2026-07-15", 0, "2026-07-15"},
		{"2026-02-13", 1, "2026-02-14"}, // Friday → the make-up Saturday
		{"2026-02-14", 1, "2026-02-24"}, // over the whole Spring Festival
		{"2026-09-30", 1, "2026-10-08"}, // over National Day
		{"2026-09-30", 3, "2026-10-10"}, // 10-08, 10-09, the make-up Saturday 10-10
		{"2026-12-31", 2, "2027-01-04"}, // into a year without a table
		{"2026-04-30", 5, "2026-05-11"}, // 5-6, 5-7, 5-8, 5-9 (Sat, worked), 5-11
	}
	for _, c := range cases {
		got, err := AddWorkdays(c.day, c.n)
		if err != nil || got != c.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s", c.day, c.n, got, err, c.want)
		}
		if c.n > 0 {
			if n, err := Workdays(c.day, got); err != nil || n != c.n {
				t.Errorf("Workdays(%s, %s) = %d, %v; want %d", c.day, got, n, err, c.n)
			}
		}
	}
	if _, err := AddWorkdays("2026-13-01", 1); err == nil {
		t.Error("a malformed date was accepted")
	}
	if _, err := Workdays("x", "2026-01-01"); err == nil {
		t.Error("Workdays accepted a malformed from")
	}
	if _, err := Workdays("2026-01-01", "x"); err == nil {
		t.Error("Workdays accepted a malformed to")
	}
	if n, _ := Workdays("2026-07-20", "2026-07-15"); n != 0 {
		t.Errorf("Workdays backwards = %d, want 0", n)
	}
}
