package tabular

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a calendar date as exports write it: YYYY-MM-DD,
// YYYY/MM/DD (month and day may have one digit), YYYYMMDD, any of these
// followed by a time of day (ignored; database exports add " 00:00:00"),
// or an Excel serial day number of five digits such as "45123" (how XLSX
// stores dates; shorter numbers are refused because "2023" is more likely
// a year than 1905-07-15). The result is midnight UTC of that date.
// Impossible dates such as 2023-02-30 are errors, never normalised.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, dateError(s, "日期为空")
	}
	if t, ok := parseSerial(s); ok {
		return t, nil
	}
	date, clock, hasClock := strings.Cut(s, " ")
	if !hasClock {
		date, clock, hasClock = strings.Cut(s, "T")
	}
	if hasClock && !validClock(strings.TrimSpace(clock)) {
		return time.Time{}, dateError(s, "")
	}
	var y, m, d int
	var ok bool
	switch {
	case strings.ContainsRune(date, '-'):
		y, m, d, ok = splitDate(date, "-")
	case strings.ContainsRune(date, '/'):
		y, m, d, ok = splitDate(date, "/")
	case len(date) == 8:
		var ok2, ok3 bool
		y, ok = digits(date[:4], 4)
		m, ok2 = digits(date[4:6], 2)
		d, ok3 = digits(date[6:], 2)
		ok = ok && ok2 && ok3
	}
	if !ok {
		return time.Time{}, dateError(s, "")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || m < 1 || m > 12 || d < 1 || t.Day() != d {
		return time.Time{}, dateError(s, "日期不存在("+s+")")
	}
	return t, nil
}

func splitDate(s, sep string) (y, m, d int, ok bool) {
	parts := strings.Split(s, sep)
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	y, ok1 := digits(parts[0], 4)
	m, ok2 := digits(parts[1], 1, 2)
	d, ok3 := digits(parts[2], 1, 2)
	return y, m, d, ok1 && ok2 && ok3
}

// digits parses s when it is all ASCII digits and its length is one of lens.
func digits(s string, lens ...int) (int, bool) {
	okLen := false
	for _, l := range lens {
		okLen = okLen || len(s) == l
	}
	if !okLen {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// validClock accepts HH:MM, HH:MM:SS and fractional seconds or a Z/offset
// tail as written by databases; the time itself is dropped.
func validClock(s string) bool {
	s = strings.TrimSuffix(s, "Z")
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if _, ok := digits(s[i+1:], 1, 2, 3, 4, 5, 6, 7, 8, 9); !ok {
			return false
		}
		s = s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	limits := []int{23, 59, 59}
	for i, p := range parts {
		n, ok := digits(p, 2)
		if !ok || n > limits[i] {
			return false
		}
	}
	return true
}

// parseSerial reads an XLSX serial date (a time fraction is dropped).
func parseSerial(s string) (time.Time, bool) {
	whole, frac, hasDot := strings.Cut(s, ".")
	n, ok := digits(whole, 5)
	if !ok {
		return time.Time{}, false
	}
	if hasDot {
		if _, ok := digits(frac, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17); !ok {
			return time.Time{}, false
		}
	}
	// Day 0 is 1899-12-30 for every serial after Excel's fictitious
	// 1900-02-29, which covers all five-digit serials.
	return time.Date(1899, 12, 30+n, 0, 0, 0, 0, time.UTC), true
}

func dateError(s, reason string) *Error {
	if reason == "" {
		if r := []rune(s); len(r) > 40 {
			s = string(r[:40]) + "…"
		}
		reason = "日期格式无效(" + strconv.Quote(s) + "),应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD"
	}
	return &Error{Code: CodeDate, Reason: reason}
}
