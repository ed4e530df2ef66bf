package disclosure

import (
	"regexp"
	"strings"
	"sunshine/internal/mask"
	"unicode"
	"unicode/utf8"
)

// Masking for everything the public sees: names and phones by package mask, ID numbers by
// idcard.Mask and accounts by funds.MaskAccount where they are shown at all (the public pages
// show neither).

// MaskContact masks what a member of the public left as a contact: a phone-like value keeps
// its first three and last four digits (138****1234), anything else is masked like a name.
func MaskContact(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits >= 7 {
		r := []rune(s)
		if len(r) <= 7 {
			return strings.Repeat("*", len(r))
		}
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	}
	return mask.Name(s)
}

// longDigits finds runs of 7 or more digits (with an ID number's final X): phones, ID numbers,
// account numbers a cadre may have typed into a notice.
var longDigits = regexp.MustCompile(`[0-9]{7,}[0-9Xx]?`)

// Scrub prepares free text written by staff (a publicity notice) for the public: each of the
// names is masked wherever it occurs, and every run of 7+ digits is masked: a phone-sized run as 138****1234, an
// 18-character ID number like idcard.Mask, shorter runs to their last two, longer to their last four.
func Scrub(text string, names ...string) string {
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) < 2 {
			continue
		}
		if strings.Contains(n, "*") {
			continue
		}
		// Again until none is left: a name like 王小王 overlaps itself (王小王小王).
		for strings.Contains(text, n) {
			text = strings.ReplaceAll(text, n, mask.Name(n))
		}
	}
	return longDigits.ReplaceAllStringFunc(text, func(d string) string {
		switch {
		case len(d) == 18:
			return d[:6] + "********" + d[14:]
		case len(d) == 11:
			return d[:3] + "****" + d[7:]
		case len(d) < 11:
			return strings.Repeat("*", len(d)-2) + d[len(d)-2:]
		default:
			return strings.Repeat("*", len(d)-4) + d[len(d)-4:]
		}
	})
}

// cleanText trims public input and drops control characters other than newlines and tabs;
// HTML is kept as typed (stored and answered as text, never rendered as markup).
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}
