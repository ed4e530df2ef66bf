package idcard

import (
	"strings"
	"unicode/utf8"
)

// Mask hides the birth date and sequence (characters 7-14), as public
// disclosure rules require: "320921********123X". Anything that is not
// shaped like a number is masked entirely, because a partly masked typo
// can still identify a person.
func Mask(s string) string {
	if _, ok := Pack(s); !ok {
		return strings.Repeat("*", utf8.RuneCountInString(s))
	}
	return s[:6] + "********" + s[14:]
}
