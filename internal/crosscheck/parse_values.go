package crosscheck

import (
	"strconv"
	"strings"
	"time"

	"sunshine/internal/money"
	"sunshine/internal/tabular"
)

// parseValue turns one non-empty cell into its number; reason is non-empty
// when the text is not valid for the column.
func parseValue(c *Column, v string, scale int64) (int64, string) {
	switch c.Type {
	case Date:
		d, ok := parseDay(v, c.Name == "period_to" || c.Name == "to_date")
		if !ok {
			return 0, "日期格式无效(" + quoteShort(v) + "),应为 YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或 YYYY-MM"
		}
		return int64(d), ""
	case Money:
		fen, err := money.ParseYuan(v)
		if err != nil {
			return 0, err.Error()
		}
		if scale != 1 {
			if fen > money.MaxFen/scale || fen < -money.MaxFen/scale {
				return 0, "金额超出范围"
			}
			fen *= scale
		}
		return fen, ""
	case Int:
		t := strings.TrimSuffix(strings.TrimSpace(v), "年")
		n, err := strconv.Atoi(t)
		if err != nil || n < 1900 || n > 2200 {
			return 0, "应为四位年份(" + quoteShort(v) + ")"
		}
		return int64(n), ""
	case Float:
		return parseCenti(v)
	case Enum:
		return int64(c.enumIndex(v)), ""
	}
	return 0, ""
}

// parseCenti reads a decimal such as 89.5 or 1,234.56 (an area) as
// hundredths; units 平方米/㎡/m2 after it are allowed.
func parseCenti(v string) (int64, string) {
	t := strings.TrimSpace(v)
	for _, u := range []string{"平方米", "㎡", "m2", "m²", "平米"} {
		t = strings.TrimSuffix(t, u)
	}
	t = strings.ReplaceAll(strings.TrimSpace(t), ",", "")
	whole, frac, _ := strings.Cut(t, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 6 {
		return 0, "数值格式无效(" + quoteShort(v) + ")"
	}
	var n int64
	for i := 0; i < len(whole); i++ {
		if whole[i] < '0' || whole[i] > '9' {
			return 0, "数值格式无效(" + quoteShort(v) + ")"
		}
		n = n*10 + int64(whole[i]-'0')
	}
	n *= 100
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, "数值格式无效(" + quoteShort(v) + ")"
		}
		if i < 2 {
			n += int64(frac[i]-'0') * []int64{10, 1}[i]
		}
	}
	return n, ""
}

func quoteShort(s string) string {
	if r := []rune(s); len(r) > maxReportedText {
		s = string(r[:maxReportedText]) + "…"
	}
	return strconv.Quote(s)
}

// ---- dates ----

// dayOf converts a date to a Day.
func dayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/secondsPerDay - unixDayOf1900)
}

// Time returns the date of a Day (midnight UTC); the zero time for 0.
func (d Day) Time() time.Time {
	if d == 0 {
		return time.Time{}
	}
	return time.Unix((int64(d)+unixDayOf1900)*secondsPerDay, 0).UTC()
}

// String is YYYY-MM-DD, "" for 0.
func (d Day) String() string {
	if d == 0 {
		return ""
	}
	y, m, dd := d.Time().Date()
	if y < 1000 || y > 9999 {
		return d.Time().Format(time.DateOnly)
	}
	var b [10]byte
	putDigits(b[0:4], y)
	b[4] = '-'
	putDigits(b[5:7], int(m))
	b[7] = '-'
	putDigits(b[8:10], dd)
	return string(b[:])
}

func putDigits(dst []byte, v int) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// parseDay reads a date as tabular.ParseDate does, and also a month
// (YYYY-MM, YYYY/MM, YYYYMM, YYYY年M月) or a Chinese date (YYYY年M月D日);
// a month means its first day, or its last when end is set (the end of a
// contribution period).
func parseDay(s string, end bool) (Day, bool) {
	if d, ok := isoDay(s); ok {
		return d, true
	}
	s = strings.TrimSpace(s)
	if t, err := tabular.ParseDate(s); err == nil {
		return dayOf(t), true
	}
	if strings.Contains(s, "年") {
		s = strings.TrimSuffix(s, "日")
		s = strings.NewReplacer("年", "-", "月", "-").Replace(s)
		s = strings.TrimSuffix(s, "-")
		if t, err := tabular.ParseDate(s); err == nil {
			return dayOf(t), true
		}
	}
	if strings.Count(s, ".") == 2 {
		if t, err := tabular.ParseDate(strings.ReplaceAll(s, ".", "-")); err == nil {
			return dayOf(t), true
		}
	}
	var y, m int
	var ok bool
	switch {
	case len(s) >= 6 && len(s) <= 7 && (s[4] == '-' || s[4] == '/' || s[4] == '.'):
		y, ok = atoiN(s[:4])
		if ok {
			m, ok = atoiN(s[5:])
		}
	case len(s) == 6:
		y, ok = atoiN(s[:4])
		if ok {
			m, ok = atoiN(s[4:])
		}
	}
	if !ok || y < dayEpochYear || y > 2200 || m < 1 || m > 12 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	if end {
		t = t.AddDate(0, 1, -1)
	}
	return dayOf(t), true
}

func atoiN(s string) (int, bool) {
	if s == "" || len(s) > 4 {
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

// ---- XLSX ----

// isoDay reads exactly YYYY-MM-DD without allocating (the form of nearly
// every date in a dataset); anything else is left to parseDay's slow path,
// which gives the same answer for it.
func isoDay(s string) (Day, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := atoiN(s[:4])
	m, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:])
	if !ok1 || !ok2 || !ok3 || y < dayEpochYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return Day(civilDays(y, m, d) - unixDayOf1900), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civilDays is days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's days_from_civil).
func civilDays(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}
