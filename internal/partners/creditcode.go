package partners

import (
	"strconv"
	"strings"
)

// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
// 31-character alphabet (digits and capitals without I, O, Z, S, V): registration authority,
// organisation type, 6-digit region code, 9-character organisation code, check character.

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue is a character's value in the alphabet, -1 for a character outside it.
func creditValue(c byte) int { return strings.IndexByte(creditAlphabet, c) }

// creditCheck is the check character of the first 17 characters ('?' when one is invalid).
func creditCheck(body string) byte {
	if len(body) != 17 {
		return '?'
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := creditValue(body[i])
		if v < 0 {
			return '?'
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

// CheckCreditCode tells what is wrong with a credit code ("" when it is valid). The code is
// expected in capitals (callers upper-case input first).
func CheckCreditCode(s string) string {
	if len(s) != 18 {
		return "应为 18 位统一社会信用代码"
	}
	for i := 0; i < 18; i++ {
		if creditValue(s[i]) < 0 {
			return "第 " + strconv.Itoa(i+1) + " 位字符无效(代码只用数字和除 I、O、Z、S、V 以外的大写字母)"
		}
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "第 3 至 8 位应为行政区划代码数字"
		}
	}
	if creditCheck(s[:17]) != s[17] {
		return "校验位不正确"
	}
	return ""
}

// MakeCreditCode completes 17 characters with their check character (demo data, tests).
func MakeCreditCode(body string) string { return body + string(creditCheck(body)) }
