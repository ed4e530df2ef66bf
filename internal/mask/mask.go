// Package mask hides personal data in what the public (and the lists that need no more) see:
// names keep their first and last character (DOMAIN.md's 张*明), phones their first three and
// last four digits. ID numbers are masked by idcard.Mask, accounts by funds.MaskAccount.
package mask

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Name keeps a name's first and last character: 李*, 张*明, 欧**明.
func Name(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// Phone keeps the first three and last four digits of a number: 138****1234; a number of seven
// characters or fewer is masked whole.
func Phone(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// Client is how a public client is remembered for rate limits: the SHA-256 of its address, hex,
// so no address is stored and one client has one identity across the portal and the kiosk.
func Client(addr string) string {
	h := sha256.Sum256([]byte(addr))
	return hex.EncodeToString(h[:])
}
