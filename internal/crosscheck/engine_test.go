package crosscheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

func TestKindsSchemas(t *testing.T) {
	if len(Kinds()) != 12 {
		t.Fatalf("%d kinds, want 12", len(Kinds()))
	}
	for _, s := range Kinds() {
		if s.Columns[colID].Name != "id_number" || s.Columns[colName].Name != "name" {
			t.Errorf("%s: first columns %s, %s", s.Kind, s.Columns[0].Name, s.Columns[1].Name)
		}
		// Canonical names and every alias read as a header.
		names := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			names[i] = c.Name
		}
		if _, err := tabular.MatchHeader(s.schema(), names); err != nil {
			t.Errorf("%s: canonical header: %v", s.Kind, err)
		}
		for i, c := range s.Columns {
			for _, a := range c.Aliases {
				cells := append([]string(nil), names...)
				cells[i] = a
				colOf, err := tabular.MatchHeader(s.schema(), cells)
				if err != nil || colOf[i] != i {
					t.Errorf("%s: alias %q of %s: %v %v", s.Kind, a, c.Name, colOf, err)
				}
			}
			for alias, v := range c.ValueAliases {
				if c.enumIndex(alias) < 0 || c.Values[c.enumIndex(alias)] != v {
					t.Errorf("%s.%s: value alias %q → %q is not a value", s.Kind, c.Name, alias, v)
				}
			}
			for _, v := range c.Values {
				if c.ValueLabels[v] == "" {
					t.Errorf("%s.%s: value %q has no label", s.Kind, c.Name, v)
				}
			}
		}
	}
}

func TestDefaultRulesValidate(t *testing.T) {
	rs := DefaultRules()
	if err := rs.Validate(); err != nil {
		t.Fatal(err)
	}
	covered := map[Kind]bool{}
	for _, r := range rs.Rules {
		for _, k := range kindsOf(checks[r.Check], r) {
			if r.Check != CheckNameMismatch {
				covered[k] = true
			}
		}
	}
	for _, s := range Kinds() {
		if !covered[s.Kind] {
			t.Errorf("no default rule reads %s", s.Kind)
		}
	}
	cases := []struct {
		field string
		edit  func(rs *RuleSet)
	}{
		{"rules[1].key", func(rs *RuleSet) { rs.Rules[1].Key = rs.Rules[0].Key }},
		{"rules[0].key", func(rs *RuleSet) { rs.Rules[0].Key = "Vehicle!" }},
		{"rules[0].check", func(rs *RuleSet) { rs.Rules[0].Check = "expr" }},
		{"rules[0].kind", func(rs *RuleSet) { rs.Rules[0].Kind = KindTax }},
		{"rules[0].scope", func(rs *RuleSet) { rs.Rules[0].Scope = ScopeHousehold }},
		{"rules[0].explain", func(rs *RuleSet) { rs.Rules[0].Explain = "{name} 有车 {total}" }},
		{"rules[0].explain", func(rs *RuleSet) { rs.Rules[0].Explain = " " }},
		{"rules[0].params.exclude_types", func(rs *RuleSet) { rs.Rules[0].Params.ExcludeTypes = []string{"tractor"} }},
		{"rules[0].params.months", func(rs *RuleSet) { rs.Rules[0].Params.Months = 3 }},
		{"rules[0].data_error", func(rs *RuleSet) { rs.Rules[0].DataError = true }},
		{"rules[7].params.months", func(rs *RuleSet) { rs.Rules[7].Params.Months = 0 }},
		{"rules[7].params.standard_fen", func(rs *RuleSet) { rs.Rules[7].Params.StandardFen = 0 }},
		{"rules[7].params.region_standard_fen", func(rs *RuleSet) { rs.Rules[7].Params.RegionStandardFen = map[string]int64{"3209": 1} }},
		{"rules[2].params.grace_days", func(rs *RuleSet) { rs.Rules[2].Params.GraceDays = -1 }},
		{"rules[2].params.since", func(rs *RuleSet) { rs.Rules[2].Params.Since = "yesterday" }},
		{"rules[5].params.include_types", func(rs *RuleSet) { rs.Rules[5].Params.ExcludeTypes = []string{"garage"} }},
	}
	for _, c := range cases {
		rs := DefaultRules()
		c.edit(&rs)
		err := rs.Validate()
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != errs.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	// The message names each rule (position, label, key) and field, in rule order, at most three.
	rs = DefaultRules()
	rs.Rules[7].Params.Months = 0
	rs.Rules[2].Params.GraceDays = -1
	var e *errs.Error
	if err := rs.Validate(); !errors.As(err, &e) ||
		e.Message != "比对规则有误:第 3 条规则「在档期间缴纳职工社会保险」(social_insurance)的 params.grace_days:应为 0 到 366 天;第 8 条规则「家庭人均存款和证券超过 24 个月低保标准」(financial_assets)的 params.months:应为 1 到 600 个月" {
		t.Errorf("message: %v", err)
	}
	rs = DefaultRules()
	for i := range rs.Rules[:5] {
		rs.Rules[i].Label = ""
	}
	if err := rs.Validate(); !errors.As(err, &e) || !strings.HasSuffix(e.Message, ";另有 2 处") || len(e.Fields) != 5 {
		t.Errorf("message of five problems: %v", err)
	}
	// A region-specific standard wins over the default for that region only.
	p := Params{StandardFen: 80_000, RegionStandardFen: map[string]int64{"320921000000": 90_000, "320921100000": 95_000}}
	for region, want := range map[string]int64{"320921100201": 95_000, "320921200201": 90_000, "320922100201": 80_000} {
		if got := standard(&p, region); got != want {
			t.Errorf("standard(%s) = %d, want %d", region, got, want)
		}
	}
}

func TestFmtYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0 元", 500_000: "5,000 元", 123_456: "1,234.56 元", 1_000_000: "1 万元",
		8_600_000: "8.6 万元", 1_944_000: "1.94 万元", 999_999_999: "1000 万元", -8_600_000: "-8.6 万元"} {
		if got := fmtYuan(fen); got != want {
			t.Errorf("fmtYuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestParseDay(t *testing.T) {
	for in, want := range map[string]string{"2024-05-01": "2024-05-01", "2024/5/1": "2024-05-01", "20240501": "2024-05-01",
		"2024-05": "2024-05-01", "202405": "2024-05-01", "2024年5月1日": "2024-05-01", "2024年5月": "2024-05-01",
		"2024.05.01": "2024-05-01", "45413": "2024-05-01", "2024-05-01 00:00:00": "2024-05-01"} {
		d, ok := parseDay(in, false)
		if !ok || d.String() != want {
			t.Errorf("parseDay(%q) = %v %v, want %s", in, d, ok, want)
		}
	}
	if d, _ := parseDay("2024-02", true); d.String() != "2024-02-29" {
		t.Errorf("end of 2024-02 = %v", d)
	}
	for _, in := range []string{"2024-13", "2024-02-30", "24-05-01", "abc", "2024", "1899-12-31"} {
		if d, ok := parseDay(in, false); ok {
			t.Errorf("parseDay(%q) = %v, want an error", in, d)
		}
	}
}

// scanSnap is a snapshot of three members for parser tests.
func scanSnap(t testing.TB) *Snapshot {
	snap, err := NewSnapshot(time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
		[]Household{{ID: 1, Status: "registered", RegisteredOn: 40000, Size: 3}},
		[]Member{{ID: 1, Key: mustPack(fxID("A1")), Name: "张三"}, {ID: 2, Key: mustPack(fxID("A2")), Name: "李四"},
			{ID: 3, Key: mustPack("11010519491231002X"), Name: "王五"}})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func scanBytes(t testing.TB, name string, data []byte, kind Kind, snap *Snapshot) (ScanReport, []Match, error) {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var ms []Match
	rep, err := Scan(context.Background(), p, kind, snap, func(m Match) { ms = append(ms, m) })
	return rep, ms, err
}

func TestScanCases(t *testing.T) {
	a1, a2 := fxID("A1"), fxID("A2")
	head := "身份证号,姓名,死亡日期\n"
	t.Run("gbk", func(t *testing.T) {
		data, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(head + a1 + ",张三,2025-01-01\n" + a2 + ",李四,2025年2月3日\n"))
		rep, ms, err := scanBytes(t, "d.csv", data, KindDeath, scanSnap(t))
		if err != nil || rep.Encoding != "gb18030" || len(ms) != 2 || ms[0].Values[colName] != "张三" || ms[1].Values[2] != "2025年2月3日" {
			t.Fatalf("%+v %+v %v", rep, ms, err)
		}
	})
	t.Run("id variants", func(t *testing.T) {
		// Lower-case x, spaces, the apostrophe that forces text, quotes, CRLF, no final newline.
		body := head + " 11010519491231002x ,王五,2025-01-01\r\n'" + a1 + ",张三,2025-01-01\r\n\"" + a2 + "\",\"李四\",2025-01-01"
		rep, ms, err := scanBytes(t, "d.csv", []byte(body), KindDeath, scanSnap(t))
		if err != nil || len(ms) != 3 || rep.Rejected != 0 || ms[0].Values[colID] != "11010519491231002X" || ms[2].Line != 4 {
			t.Fatalf("%+v %+v %v", rep, ms, err)
		}
	})
	t.Run("runaway quote", func(t *testing.T) {
		// A stray quote must not swallow the rows after it.
		body := head + a1 + ",\"张三,2025-01-01\n" + a2 + ",李四,2025-01-01\n"
		rep, ms, err := scanBytes(t, "d.csv", []byte(body), KindDeath, scanSnap(t))
		if err != nil || len(ms) != 1 || ms[0].Line != 3 || rep.Rejected != 1 || rep.Errors[0].Line != 2 || rep.Errors[0].Code != tabular.CodeQuote {
			t.Fatalf("%+v %+v %v", rep, ms, err)
		}
	})
	t.Run("long lines", func(t *testing.T) {
		long := strings.Repeat("长", 400_000) // 1.2 MB: over the record limit
		field := strings.Repeat("x", 10_001)
		body := head + a1 + "," + long + ",2025-01-01\n" + a1 + "," + field + ",2025-01-01\n" + a2 + ",李四,2025-01-01\n"
		rep, ms, err := scanBytes(t, "d.csv", []byte(body), KindDeath, scanSnap(t))
		if err != nil || len(ms) != 1 || rep.Rejected != 2 || rep.Errors[0].Line != 2 || rep.Errors[0].Code != tabular.CodeLineTooLong ||
			rep.Errors[1].Line != 3 || rep.Errors[1].Code != tabular.CodeFieldTooLong || ms[0].Line != 4 {
			t.Fatalf("%+v %+v %v", rep, ms, err)
		}
	})
	t.Run("validation pass", func(t *testing.T) {
		// Without a snapshot every row is parsed: bad values of anyone are found.
		body := head + a1 + ",张三,2025-01-01\n" + outsiderID(1) + ",某,2025-02-30\n,,\n" + a2 + ",李四\n" + a2 + ",李四,2025-01-01,,\n"
		rep, ms, err := scanBytes(t, "d.csv", []byte(body), KindDeath, nil)
		if err != nil || len(ms) != 2 || rep.Rows != 4 || rep.Rejected != 2 || ms[0].Member != -1 ||
			rep.Errors[0].Column != "death_date" || rep.Errors[1].Code != codeColumns {
			t.Fatalf("%+v %+v %v", rep, ms, err)
		}
	})
	t.Run("file errors", func(t *testing.T) {
		if _, _, err := scanBytes(t, "d.csv", []byte("a,b,c\n1,2,3\n"), KindDeath, nil); err == nil || !strings.Contains(err.Error(), "缺少必需的列") {
			t.Errorf("no header: %v", err)
		}
		if _, _, err := scanBytes(t, "d.csv", []byte("\xFF\xFEa\x00"), KindDeath, nil); err == nil || !strings.Contains(err.Error(), "UTF-16") {
			t.Errorf("utf-16: %v", err)
		}
		if _, _, err := scanBytes(t, "d.csv", nil, KindDeath, nil); err == nil {
			t.Error("empty file accepted")
		}
		if _, _, err := scanBytes(t, "d.csv", []byte(head), "boats", nil); err == nil {
			t.Error("unknown kind accepted")
		}
	})
	t.Run("cancel", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "d.csv")
		os.WriteFile(p, []byte(head+strings.Repeat(a1+",张三,2025-01-01\n", 100_000)), 0o644)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Scan(ctx, p, KindDeath, scanSnap(t), nil); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled scan: %v", err)
		}
	})
}

func TestSnapshotRestrict(t *testing.T) {
	snap, err := NewSnapshot(time.Now(), []Household{{ID: 10, Head: 1}, {ID: 20, Head: 2}},
		[]Member{{ID: 1, Key: mustPack(fxID("A1")), Household: 0}, {ID: 2, Key: mustPack(fxID("A2")), Household: 0},
			{ID: 3, Key: mustPack(fxID("A3")), Household: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSnapshot(time.Now(), []Household{{ID: 1}}, []Member{{ID: 1, Key: 5}, {ID: 2, Key: 5}}); err == nil {
		t.Error("duplicate key accepted")
	}
	r := snap.Restrict(func(h *Household) bool { return h.ID == 20 })
	if len(r.Households) != 1 || len(r.Members) != 1 || r.Households[0].Head != 0 || r.Members[0].Household != 0 {
		t.Fatalf("%+v", r)
	}
	if r.Lookup(fxID("A1")) != nil || r.Lookup(fxID("A3")).ID != 3 || snap.Lookup(fxID("A1")).ID != 1 {
		t.Error("lookup after restrict")
	}
}

func TestPackID(t *testing.T) {
	check := func(s string) {
		k1, ok1 := idcard.Pack(s)
		k2, ok2 := packID([]byte(s))
		if k1 != k2 || ok1 != ok2 {
			t.Errorf("packID(%q) = %d %v, idcard.Pack = %d %v", s, k2, ok2, k1, ok1)
		}
	}
	for _, s := range []string{fxID("A1"), "11010519491231002X", "11010519491231002x", "000000000000000000", "999999999999999999",
		"99999999999999999X", "3.20921E+17000000", "1101051949123100 X", "/10105194912310021", ":10105194912310021",
		"1101051949123100:1", "11010519491231002Y", "1101051949123100\x002", "110105194912310021 "} {
		check(s)
	}
	for i := 0; i < 100_000; i++ {
		check(outsiderID(i))
	}
}

func FuzzPackID(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("1101051949123100/2")
	f.Fuzz(func(t *testing.T, s string) {
		k1, ok1 := idcard.Pack(s)
		k2, ok2 := packID([]byte(s))
		if k1 != k2 || ok1 != ok2 {
			t.Errorf("packID(%q) = %d %v, idcard.Pack = %d %v", s, k2, ok2, k1, ok1)
		}
	})
}

func TestIsoDayMatchesSlowPath(t *testing.T) {
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 80_000; i += 7 {
		tm := start.AddDate(0, 0, i)
		s := tm.Format(time.DateOnly)
		d, ok := isoDay(s)
		if !ok || d != dayOf(tm) || d.String() != s {
			t.Fatalf("isoDay(%s) = %d %v, want %d", s, d, ok, dayOf(tm))
		}
	}
	for _, s := range []string{"2023-02-29", "2024-02-30", "2024-04-31", "2024-00-10", "1899-12-31", "2024-1-01", "2024/01/01"} {
		if _, ok := isoDay(s); ok {
			t.Errorf("isoDay(%q) accepted", s)
		}
	}
}
