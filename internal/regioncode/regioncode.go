// Package regioncode reads the 12-digit statistical division codes (统计用区划代码):
// 2 digits province, 2 city, 2 county, 3 town, 3 village. A region's scope is the prefix that
// every code below it shares, so "is this row in my scope" is a string-prefix (or range) test
// that an index answers.
package regioncode

import "strings"

// Level of a region in the tree this system uses (city → county → town → village).
type Level string

const (
	Province Level = "province"
	City     Level = "city"
	County   Level = "county"
	Town     Level = "town"
	Village  Level = "village"
)

// Valid reports whether s is 12 ASCII digits.
func Valid(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < 12; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s[:2] != "00"
}

// LevelOf derives the level from which trailing groups are zero; "" for a malformed code.
func LevelOf(code string) Level {
	if !Valid(code) {
		return ""
	}
	switch {
	case code[9:] != "000":
		return Village
	case code[6:9] != "000":
		return Town
	case code[4:6] != "00":
		return County
	case code[2:4] != "00":
		return City
	}
	return Province
}

// Prefix is the part of the code that every region below it shares ("" for a malformed code).
func Prefix(code string) string {
	switch LevelOf(code) {
	case "":
		return ""
	case Village:
		return code
	case Town:
		return code[:9]
	case County:
		return code[:6]
	case City:
		return code[:4]
	}
	return code[:2]
}

// Parent is the code of the enclosing region, "" for a province or a malformed code.
func Parent(code string) string {
	switch LevelOf(code) {
	case "", Province:
		return ""
	case Village:
		return code[:9] + "000"
	case Town:
		return code[:6] + "000000"
	case County:
		return code[:4] + "00000000"
	case City:
		return code[:2] + "0000000000"
	}
	return ""
}

// Within reports whether code lies in (or is) the region scope.
func Within(code, scope string) bool {
	if !Valid(code) || !Valid(scope) {
		return false
	}
	return strings.HasPrefix(code, Prefix(scope))
}

// Range gives the inclusive bounds of all codes under scope, for `code BETWEEN lo AND hi`
// queries that use an index on both databases. A malformed scope gives an empty range.
func Range(scope string) (lo, hi string) {
	p := Prefix(scope)
	if p == "" {
		return "1", "0"
	}
	return p + strings.Repeat("0", 12-len(p)), p + strings.Repeat("9", 12-len(p))
}

// CountyOf returns the county-level code containing code (the partition key), "" above county.
func CountyOf(code string) string {
	switch LevelOf(code) {
	case Village, Town, County:
		return code[:6] + "000000"
	}
	return ""
}
