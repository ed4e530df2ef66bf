package partners

import (
	"slices"
	"strings"
	"unicode/utf8"

	"sunshine/internal/regioncode"
)

// The matching engine: pure, tested without a database. A project is scored for an
// entrepreneur by where it is (the hometown's town +3, else its county +2), what the person is
// willing to bring (capital ↔ carrier and village-income projects +2, a project of their own ↔
// direct-to-household projects +1) and their industry (a word of it in the project's name or
// benefit mechanism +2). Reasons are the Chinese the office reads.

// ProjectRef is what the engine reads of a project.
type ProjectRef struct {
	ID               int64
	Name, Kind       string
	RegionCode       string
	BenefitMechanism string
}

// Points of each reason.
const (
	PointsSameTown   = 3
	PointsSameCounty = 2
	PointsCapital    = 2
	PointsProject    = 1
	PointsIndustry   = 2
)

// MaxSuggestions is how many suggestions are answered.
const MaxSuggestions = 20

// Score scores a project for an entrepreneur and says why.
func Score(e Entrepreneur, pr ProjectRef) (int, []string) {
	score, reasons := 0, []string{}
	home, at := e.HometownCode, pr.RegionCode
	switch lv := regioncode.LevelOf(at); {
	case lv == "" || regioncode.LevelOf(home) == "":
	case (lv == regioncode.Town || lv == regioncode.Village) && at[:9] == home[:9]:
		score, reasons = score+PointsSameTown, append(reasons, "同乡(同镇)")
	case lv != regioncode.City && lv != regioncode.Province && at[:6] == home[:6]:
		score, reasons = score+PointsSameCounty, append(reasons, "同乡(同县)")
	}
	if e.Capital && (pr.Kind == "carrier" || pr.Kind == "village") {
		score, reasons = score+PointsCapital, append(reasons, "意向:资金")
	}
	if e.Project && pr.Kind == "household" {
		score, reasons = score+PointsProject, append(reasons, "意向:项目")
	}
	for _, w := range industryWords(e.Industry) {
		if strings.Contains(pr.Name, w) || strings.Contains(pr.BenefitMechanism, w) {
			score, reasons = score+PointsIndustry, append(reasons, "行业相近:"+w)
			break
		}
	}
	return score, reasons
}

// industryWords splits an industry ("农产品加工、电子商务") into its words of two characters or
// more.
func industryWords(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune(" \t,，、;；/|和及与", r)
	})
	out := f[:0]
	for _, w := range f {
		if utf8.RuneCountInString(w) >= 2 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// rank scores the projects, drops those without any reason, and keeps the best
// MaxSuggestions (score descending, then the project registered first).
func rank(e Entrepreneur, prs []ProjectRef) []scored {
	out := []scored{}
	for _, pr := range prs {
		s, why := Score(e, pr)
		if s > 0 {
			out = append(out, scored{pr, s, why})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int {
		if a.score != b.score {
			return b.score - a.score
		}
		switch {
		case a.ref.ID < b.ref.ID:
			return -1
		case a.ref.ID > b.ref.ID:
			return 1
		}
		return 0
	})
	if len(out) > MaxSuggestions {
		out = out[:MaxSuggestions]
	}
	return out
}

type scored struct {
	ref     ProjectRef
	score   int
	reasons []string
}
