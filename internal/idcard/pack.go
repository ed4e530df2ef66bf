package idcard

// A packed number is the 17 body digits times 11 plus the check value
// (X = 10). It is lossless for every well-shaped string, including ones
// whose check character is wrong: cross-check datasets carry such typos and
// still need a key that compares equal only to the identical string.
// Valid numbers never pack to 0 (the region never starts with 0), so 0 is
// free to mean "none" in dense tables.
const packLimit = 100_000_000_000_000_000 * 11 // 1e17 * 11 < 2^63

// Pack returns the packed form of a well-shaped number (17 digits and a
// digit or X/x). It checks shape only; use Parse to validate.
func Pack(s string) (uint64, bool) {
	if len(s) != Length {
		return 0, false
	}
	var v uint64
	for i := 0; i < Length-1; i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + uint64(c)
	}
	var check uint64
	switch c := s[Length-1]; {
	case c >= '0' && c <= '9':
		check = uint64(c - '0')
	case c == 'X' || c == 'x':
		check = 10
	default:
		return 0, false
	}
	return v*11 + check, true
}

// Unpack reverses Pack (with the check character upper-cased). Values Pack
// cannot produce give "".
func Unpack(v uint64) string {
	if v >= packLimit {
		return ""
	}
	var b [Length]byte
	check := v % 11
	if check == 10 {
		b[Length-1] = 'X'
	} else {
		b[Length-1] = byte('0' + check)
	}
	v /= 11
	for i := Length - 2; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:])
}
