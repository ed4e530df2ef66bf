package money

// FormatYuan renders fen for people: thousands separators, two decimals.
func FormatYuan(fen int64) string { return format(fen, true) }

// FormatPlain renders fen without separators, for exports that other
// programs (and ParseYuan) read back.
func FormatPlain(fen int64) string { return format(fen, false) }

func format(fen int64, group bool) string {
	var buf [32]byte
	i := len(buf)
	// Work on the magnitude as uint64 so math.MinInt64 needs no special case.
	u := uint64(fen)
	if fen < 0 {
		u = -u
	}
	frac := u % 100
	u /= 100
	i--
	buf[i] = byte('0' + frac%10)
	i--
	buf[i] = byte('0' + frac/10)
	i--
	buf[i] = '.'
	for n := 0; ; n++ {
		if group && n > 0 && n%3 == 0 {
			i--
			buf[i] = ','
		}
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if fen < 0 {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
