package partners

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/phone"
)

// Limits of the inputs.
const (
	MaxServices     = 10 // services a provider lists
	MaxServiceRunes = 20 // characters of one listed service
	MaxHours        = 24 // hours of one service record
	MaxPeople       = 100000
	// MaxPledgeFen bounds a pledge or an activity's value (1 billion yuan).
	MaxPledgeFen = 100_000_000_000
)

// text trims a text field and checks its length in characters (min 1 = required). Text is
// stored as given: the JSON encoder makes it safe for any page, no HTML escaping on the way in.
func text(v errs.Validation, field string, s *string, min, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, 0):
		v.Add(field, "含有无效字符")
	case n < min && min == 1:
		v.Add(field, "必填")
	case n < min:
		v.Add(field, fmt.Sprintf("至少 %d 个字", min))
	case n > max:
		v.Add(field, fmt.Sprintf("不超过 %d 个字", max))
	}
}

// checkPhone checks an optional (or required) mobile number.
func checkPhone(v errs.Validation, field string, s *string, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		v.Add(field, "必填")
	case *s != "" && !phone.Mobile(*s):
		v.Add(field, "应为 11 位手机号码")
	}
}

// creditCode upper-cases and checks a credit code (required when required).
func creditCode(v errs.Validation, field string, s *string, required bool) {
	*s = strings.ToUpper(strings.TrimSpace(*s))
	switch {
	case *s == "" && required:
		v.Add(field, "必填")
	case *s != "":
		if why := CheckCreditCode(*s); why != "" {
			v.Add(field, why)
		}
	}
}

// date checks a YYYY-MM-DD date between 2000-01-01 and today (Shanghai).
func date(v errs.Validation, field string, s *string, today string) {
	*s = strings.TrimSpace(*s)
	d, err := time.Parse(db.DateLayout, *s)
	switch {
	case *s == "":
		v.Add(field, "必填")
	case err != nil || d.Format(db.DateLayout) != *s:
		v.Add(field, "日期格式应为 YYYY-MM-DD")
	case *s < "2000-01-01":
		v.Add(field, "日期不能早于 2000-01-01")
	case *s > today:
		v.Add(field, "日期不能晚于今天")
	}
}

// oneOf checks a kind or state against its list.
func oneOf(v errs.Validation, field string, s *string, list []string) {
	*s = strings.TrimSpace(*s)
	if !slices.Contains(list, *s) {
		v.Add(field, "应为 "+strings.Join(list, "、")+" 之一")
	}
}

// services checks a provider's services: at most MaxServices, each 1–MaxServiceRunes
// characters, no repeats.
func services(v errs.Validation, field string, in []string) []string {
	if len(in) > MaxServices {
		v.Add(field, fmt.Sprintf("服务项目不超过 %d 项", MaxServices))
		return nil
	}
	out := make([]string, 0, len(in))
	for i, s := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		text(v, f, &s, 1, MaxServiceRunes)
		if slices.Contains(out, s) {
			v.Add(f, "服务项目重复")
		}
		out = append(out, s)
	}
	return out
}

// yuan reads an optional amount in yuan (0 when empty), at most MaxPledgeFen.
func yuan(v errs.Validation, field, s string) int64 {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	fen, err := money.ParseYuan(s)
	switch {
	case err != nil:
		v.Add(field, err.Error())
	case fen < 0:
		v.Add(field, "金额不能为负")
	case fen > MaxPledgeFen:
		v.Add(field, "金额不超过 10 亿元")
	}
	return fen
}

// hoursC checks a record's hours (0 < h ≤ 24, at most two decimals) and gives hundredths.
func hoursC(v errs.Validation, field string, h float64) int64 {
	if math.IsNaN(h) || h <= 0 || h > MaxHours {
		v.Add(field, "服务时长应大于 0 且不超过 24 小时")
		return 0
	}
	c := math.Round(h * 100)
	if math.Abs(c-h*100) > 1e-6 {
		v.Add(field, "服务时长最多两位小数")
	}
	return int64(c)
}
