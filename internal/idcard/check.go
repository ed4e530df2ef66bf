package idcard

import (
	"fmt"
	"time"
)

// ISO 7064 MOD 11-2 as specified by GB 11643-1999: weight i is 2^(17-i) mod 11.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// CheckChar returns the check character for the first 17 digits, or 0 when
// first17 is not 17 ASCII digits (there is no meaningful answer then).
func CheckChar(first17 string) byte {
	if len(first17) != Length-1 {
		return 0
	}
	sum := 0
	for i := 0; i < Length-1; i++ {
		c := first17[i]
		if !isDigit(c) {
			return 0
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Make builds a valid number; it exists for generated demo and test data.
// seq (0-499) is the per-day, per-region serial; the sex bit is folded into
// the parity of the three-digit sequence code as the standard requires.
// Invalid arguments are programming errors and panic.
func Make(region6 string, birth time.Time, seq int, sex Sex) string {
	if len(region6) != 6 || !allDigits(region6) {
		panic(fmt.Sprintf("idcard.Make: region %q is not 6 digits", region6))
	}
	if seq < 0 || seq > 499 {
		panic(fmt.Sprintf("idcard.Make: seq %d outside 0-499", seq))
	}
	code := seq * 2
	if sex == Male {
		code++
	}
	y, m, d := birth.Date()
	if y < 1000 || y > 9999 {
		panic(fmt.Sprintf("idcard.Make: birth year %d not 4 digits", y))
	}
	first := fmt.Sprintf("%s%04d%02d%02d%03d", region6, y, int(m), d, code)
	return first + string(CheckChar(first))
}
