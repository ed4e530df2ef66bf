package registry

import (
	"strconv"
	"strings"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/tabular"
)

// Spreadsheets from other systems carry the Chinese labels people know instead of the codes
// (FORMATS.md); both are accepted, and exports write the codes.
var (
	exTypeLabels = map[string]string{"低保户": "dibao", "低保": "dibao", "特困": "tekun", "特困供养": "tekun", "特困户": "tekun",
		"五保户": "tekun", "五保": "tekun", "一般低收入户": "general", "一般户": "general", "低收入户": "general"}
	exCauseLabels = map[string]string{"因病": "illness", "因残": "disability", "因学": "schooling", "因灾": "disaster",
		"缺劳力": "labour", "缺劳动力": "labour", "缺技术": "skills", "缺资金": "capital", "自身发展动力不足": "motivation",
		"缺动力": "motivation", "其他": "other"}
	exStatusLabels = map[string]string{"申请": "applying", "申请纳入": "applying", "在档": "registered", "脱贫": "exited",
		"脱贫销号": "exited", "已脱贫": "exited", "核销": "removed", "已核销": "removed"}
	exRelationLabels = map[string]string{"户主": "head", "本人": "head", "配偶": "spouse", "子女": "child", "子": "child",
		"女": "child", "儿子": "child", "女儿": "child", "父母": "parent", "父亲": "parent", "母亲": "parent",
		"孙子女": "grandchild", "孙子": "grandchild", "孙女": "grandchild", "兄弟姐妹": "sibling", "其他": "other"}
	exHealthLabels = map[string]string{"健康": "healthy", "慢性病": "chronic", "长期慢性病": "chronic", "大病": "serious",
		"患有大病": "serious", "残疾": "disabled"}
	exLabourLabels = map[string]string{"有劳动力": "full", "普通劳动力": "full", "技能劳动力": "full", "弱劳动力": "partial",
		"半劳动力": "partial", "弱劳动力或半劳动力": "partial", "无劳动力": "none", "丧失劳动力": "none"}
	exGuaranteeLabels = map[string]string{"有保障": "ok", "已保障": "ok", "未保障": "gap", "无保障": "gap", "不适用": "na"}
	exGradeLabels     = map[string]int{"无": 0, "一级": 1, "二级": 2, "三级": 3, "四级": 4}
)

// Labels shown in reasons, so a user who wrote 低保 sees which spellings work.
var (
	exTypeHint      = "应为 dibao(低保户)、tekun(特困供养)或 general(一般低收入户)"
	exCauseHint     = "应为以下之一(多个用分号分隔): illness 因病、disability 因残、schooling 因学、disaster 因灾、labour 缺劳力、skills 缺技术、capital 缺资金、motivation 自身发展动力不足、other 其他"
	exStatusHint    = "应为 registered(在档)、exited(脱贫)或 removed(核销)"
	exRelationHint  = "应为 head 户主、spouse 配偶、child 子女、parent 父母、grandchild 孙子女、sibling 兄弟姐妹或 other 其他"
	exHealthHint    = "应为 healthy 健康、chronic 慢性病、serious 大病或 disabled 残疾"
	exLabourHint    = "应为 full 有劳动力、partial 弱劳动力或 none 无劳动力"
	exGuaranteeHint = "应为 ok(有保障)、gap(未保障)或 na(不适用)"
	exBoolHint      = "应为 1/0 或 是/否"
)

// exCell is a column's value with the apostrophe our own exports put before text that a
// spreadsheet would run as a formula (tabular.Neutralize) taken off again, so an export
// imports back unchanged.
func exCell(row tabular.Row, column string) string {
	v := row.Get(column)
	if len(v) > 1 && v[0] == '\'' && strings.IndexByte("=+-@\t\r", v[1]) >= 0 {
		return v[1:]
	}
	return v
}

// exNULReason refuses a NUL byte: PostgreSQL cannot store one in text, and no real cell
// holds one.
const exNULReason = "含有不可见的控制字符(NUL),请检查文件"

// exCode maps a cell to its canonical code: the code itself or one of its labels. "" stays "".
func exCode(v string, codes []string, labels map[string]string) (string, bool) {
	if v == "" {
		return "", true
	}
	for _, c := range codes {
		if strings.EqualFold(v, c) {
			return c, true
		}
	}
	c, ok := labels[v]
	return c, ok
}

var (
	exTypeCodes      = []string{string(Dibao), string(Tekun), string(General)}
	exStatusCodes    = []string{string(Applying), string(Registered), string(Exited), string(Removed)}
	exGuaranteeCodes = []string{GuaranteeOK, GuaranteeGap, GuaranteeNA}
)

// exSplitCauseCell reads causes separated by ; or the separators people type instead.
func exSplitCauseCell(v string) ([]string, bool) {
	out := []string{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '；' || r == '、' || r == ',' || r == '，' }) {
		c, ok := exCode(strings.TrimSpace(part), Causes, exCauseLabels)
		if !ok {
			return nil, false
		}
		if c != "" {
			out = append(out, c)
		}
	}
	return out, true
}

// exFlag reads a 0/1 cell; "" gives def.
func exFlag(v string, def bool) (bool, bool) {
	switch strings.ToLower(v) {
	case "":
		return def, true
	case "1", "是", "y", "yes", "true":
		return true, true
	case "0", "否", "n", "no", "false":
		return false, true
	}
	return false, false
}

func exGrade(v string) (int, bool) {
	if v == "" {
		return 0, true
	}
	if g, ok := exGradeLabels[v]; ok {
		return g, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// exYuan reads an optional amount; "" is zero.
func exYuan(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	return money.ParseYuan(v)
}

// exDate reads an optional date into the stored layout.
func exDate(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	t, err := tabular.ParseDate(v)
	if err != nil {
		return "", err
	}
	return t.Format(db.DateLayout), nil
}

func exYearOf(v string) (int, bool) {
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "年"))
	return n, err == nil
}

// exCellErr is a row problem in a column; the frame adds the line.
func exCellErr(column, reason string) *tabular.RowError {
	return &tabular.RowError{Column: column, Code: "invalid", Reason: reason}
}

// exFirstFieldErr turns a validation error into the row error of the first column (in the
// kind's column order) it names, so a row's report is stable from run to run. fieldColumn
// maps input field names to the file's column names.
func exFirstFieldErr(err error, columns []string, fieldColumn map[string]string) error {
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	byColumn := map[string]string{}
	for f, reason := range e.Fields {
		c := f
		if m, ok := fieldColumn[f]; ok {
			c = m
		}
		if _, dup := byColumn[c]; !dup {
			byColumn[c] = reason
		}
	}
	for _, c := range columns {
		if r, ok := byColumn[c]; ok {
			return exCellErr(c, r)
		}
	}
	for c, r := range byColumn {
		return exCellErr(c, r)
	}
	return err
}

// exPolicyUntil is the end of the transition period after an exit: two years of continued
// support (脱贫不脱政策).
func exPolicyUntil(exitedOn string) string {
	t, err := time.Parse(db.DateLayout, exitedOn)
	if err != nil {
		return ""
	}
	return t.AddDate(2, 0, 0).Format(db.DateLayout)
}
