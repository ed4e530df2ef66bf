// Package money converts between int64 fen (the only representation used
// for arithmetic and storage) and yuan text as people and spreadsheets write it.
package money

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxFen bounds accepted amounts (90 trillion yuan). It leaves room to sum
// about a thousand maximal amounts without overflowing int64, and no
// poverty-relief figure comes near it, so anything larger is a data error.
const MaxFen = 9_000_000_000_000_000

// Error codes, stable for programs; Reason is for people.
const (
	CodeEmpty     = "empty"
	CodeSyntax    = "syntax"
	CodeDecimals  = "decimals"
	CodeSeparator = "separator"
	CodeRange     = "range"
)

// Error explains a rejected amount; Reason is shown to users as is.
type Error struct {
	Code   string
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// ParseYuan reads an amount in yuan into fen. It accepts what exports from
// other systems contain — thousands separators, a leading ¥/￥, a trailing
// 元, surrounding spaces — and nothing that would need guessing: no more
// than two decimals (rounding money silently is never right), no
// misplaced separators, no full-width digits, no exponents.
func ParseYuan(s string) (int64, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, &Error{CodeEmpty, "金额为空"}
	}
	s, neg := stripDecorations(s)
	if s == "" {
		return 0, syntaxError(orig)
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	yuan, err := parseInt(intPart, orig)
	if err != nil {
		return 0, err
	}
	fen, err := parseFrac(frac, hasDot, orig)
	if err != nil {
		return 0, err
	}
	v := yuan*100 + fen
	if v > MaxFen {
		return 0, rangeError()
	}
	if neg {
		v = -v
	}
	return v, nil
}

// stripDecorations removes the sign, currency symbol and unit. The sign is
// accepted on either side of the symbol because both "-¥12" and "¥-12"
// occur in bank exports.
func stripDecorations(s string) (string, bool) {
	neg, signed := false, false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, signed, s = s[0] == '-', true, s[1:]
	}
	for _, cur := range []string{"¥", "￥"} {
		if rest, ok := strings.CutPrefix(s, cur); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	if !signed && s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if rest, ok := strings.CutSuffix(s, "元"); ok {
		s = strings.TrimSpace(rest)
	}
	return s, neg
}

func parseInt(s, orig string) (int64, error) {
	if s == "" {
		return 0, syntaxError(orig)
	}
	var v int64
	group := 0 // digits since the last separator; -1 before the first one
	seps := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			if v > MaxFen/100 {
				return 0, rangeError()
			}
			group++
		case c == ',':
			if (!seps && (group == 0 || group > 3)) || (seps && group != 3) {
				return 0, separatorError()
			}
			seps = true
			group = 0
		default:
			return 0, syntaxError(orig)
		}
	}
	if seps && group != 3 {
		return 0, separatorError()
	}
	return v, nil
}

func parseFrac(s string, hasDot bool, orig string) (int64, error) {
	if !hasDot {
		return 0, nil
	}
	if s == "" {
		return 0, syntaxError(orig)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, syntaxError(orig)
		}
	}
	switch len(s) {
	case 1:
		return int64(s[0]-'0') * 10, nil
	case 2:
		return int64(s[0]-'0')*10 + int64(s[1]-'0'), nil
	}
	return 0, &Error{CodeDecimals, "金额最多保留两位小数(实际" + strconv.Itoa(len(s)) + "位)"}
}

func syntaxError(orig string) *Error {
	// Amounts are not personal data, so quoting the text helps the user
	// find it; the cut keeps a pasted paragraph out of the report.
	q := strings.TrimSpace(orig)
	if utf8.RuneCountInString(q) > 30 {
		q = string([]rune(q)[:30]) + "…"
	}
	return &Error{CodeSyntax, "金额格式无效(" + strconv.Quote(q) + "),应为如 1234.56 或 1,234.56 的数字"}
}

func separatorError() *Error {
	return &Error{CodeSeparator, "金额千分位分隔符位置错误(应每三位一个逗号,如 1,234,567.89)"}
}

func rangeError() *Error {
	return &Error{CodeRange, "金额超出范围(绝对值不能超过90万亿元)"}
}
