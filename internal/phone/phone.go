// Package phone validates the telephone numbers people give: the registry's and helpers'
// contact numbers (mobile or landline) and the mobiles the social registers call back.
// Masking is package mask's; this package only says whether a number is well formed.
package phone

import "strings"

// Valid accepts a mobile or landline number: 7 to 13 digits, dashes ignored (区号-号码).
func Valid(s string) bool {
	d := strings.ReplaceAll(s, "-", "")
	if len(d) < 7 || len(d) > 13 {
		return false
	}
	return digits(d)
}

// Mobile accepts a mainland mobile number: 11 digits starting with 1.
func Mobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && digits(s)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
