// Package idcard validates, packs and masks PRC resident identity numbers
// (GB 11643-1999, 18 characters).
//
// Numbers are personal data: nothing in this package puts a number into an
// error message, so errors can be logged and shown without leaking it.
package idcard

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sex is derived from the parity of the sequence code, so it is part of the
// number itself and cannot disagree with it.
type Sex int

const (
	Female Sex = iota
	Male
)

func (s Sex) String() string {
	if s == Male {
		return "male"
	}
	return "female"
}

// ID is a number that passed Parse. Birth is the calendar date at midnight
// UTC: it is a date, not an instant, and must not shift with time zones.
type ID struct {
	Number string // normalised: trimmed, upper-case X
	Region string // first six digits (administrative division at issue time)
	Birth  time.Time
	Sex    Sex
}

// Length of a second-generation number; first-generation 15-digit numbers
// have been invalid since 2013 and are rejected.
const Length = 18

// Error codes, stable for programs; Reason is for people.
const (
	CodeLength   = "length"
	CodeChars    = "chars"
	CodeRegion   = "region"
	CodeBirth    = "birth"
	CodeChecksum = "checksum"
)

// Error explains why a number was rejected without repeating the number.
type Error struct {
	Code   string
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// china is UTC+8 without DST (none since 1991), so "today" is computed by
// offset rather than by loading tzdata.
const chinaOffset = 8 * time.Hour

var minBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// Parse validates s as of now (birth dates after today in China are
// rejected, which is why the clock is a parameter rather than time.Now).
func Parse(s string, now time.Time) (ID, error) {
	s = strings.TrimSpace(s)
	if len(s) != Length {
		return ID{}, shapeError(s)
	}
	for i := 0; i < Length-1; i++ {
		if !isDigit(s[i]) {
			return ID{}, charsError(s, i)
		}
	}
	last := s[Length-1]
	switch {
	case last == 'x':
		s = s[:Length-1] + "X"
	case last != 'X' && !isDigit(last):
		return ID{}, charsError(s, Length-1)
	}
	if !validProvince(s[0], s[1]) {
		return ID{}, &Error{CodeRegion, "身份证号地区码无效(前两位" + s[:2] + "不是省级行政区代码)"}
	}
	birth, err := parseBirth(s[6:14], now)
	if err != nil {
		return ID{}, err
	}
	if want := CheckChar(s[:Length-1]); s[Length-1] != want {
		return ID{}, &Error{CodeChecksum, "身份证号校验位错误(应为" + string(want) + ")"}
	}
	sex := Female
	if (s[16]-'0')%2 == 1 {
		sex = Male
	}
	return ID{Number: s, Region: s[:6], Birth: birth, Sex: sex}, nil
}

// shapeError handles a byte length other than 18, which is not always a
// length problem: full-width digits from a Chinese IME are 18 characters.
func shapeError(s string) *Error {
	if looksScientific(s) {
		return scientificError()
	}
	n := utf8.RuneCountInString(s)
	if n == Length {
		i := 0
		for _, r := range s {
			if r >= utf8.RuneSelf {
				return &Error{CodeChars, "身份证号第" + strconv.Itoa(i+1) + "位不是半角数字(请勿使用全角字符)"}
			}
			i++
		}
	}
	if n == 15 && allDigits(s) {
		return &Error{CodeLength, "身份证号应为18位(实际15位,第一代身份证号已停用,请使用18位号码)"}
	}
	return &Error{CodeLength, "身份证号应为18位(实际" + strconv.Itoa(n) + "位)"}
}

func charsError(s string, i int) *Error {
	if looksScientific(s) {
		return scientificError()
	}
	if i == Length-1 {
		return &Error{CodeChars, "身份证号末位应为数字或X"}
	}
	return &Error{CodeChars, "身份证号第" + strconv.Itoa(i+1) + "位应为数字"}
}

// Spreadsheets that stored the column as a number turn it into
// 3.20921E+17; say so, because the fix is in the spreadsheet, not the digits.
func looksScientific(s string) bool {
	return strings.ContainsAny(s, "Ee") && strings.Contains(s, "+")
}

func scientificError() *Error {
	return &Error{CodeChars, "身份证号被表格按数字保存(科学计数法),请将该列设为文本后重新导出"}
}

func parseBirth(d string, now time.Time) (time.Time, error) {
	y := atoi(d[0:4])
	m := atoi(d[4:6])
	day := atoi(d[6:8])
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 1999-02-30 to March 2nd; a round trip exposes it.
	if m < 1 || m > 12 || day < 1 || t.Day() != day || int(t.Month()) != m {
		return time.Time{}, &Error{CodeBirth, "身份证号出生日期无效(" + d + ")"}
	}
	if t.Before(minBirth) {
		return time.Time{}, &Error{CodeBirth, "身份证号出生日期无效(早于1900年)"}
	}
	ty, tm, td := now.UTC().Add(chinaOffset).Date()
	if t.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return time.Time{}, &Error{CodeBirth, "身份证号出生日期无效(晚于今天)"}
	}
	return t, nil
}

// provinces lists the two-digit codes of GB/T 2260 provincial divisions,
// indexed by code; a table keeps the check branch-free and obvious.
var provinces = func() (p [100]bool) {
	for _, c := range []int{
		11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
		41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
		71, 81, 82, 91,
	} {
		p[c] = true
	}
	return p
}()

func validProvince(a, b byte) bool {
	return provinces[int(a-'0')*10+int(b-'0')]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi is only called on strings already checked to be digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
