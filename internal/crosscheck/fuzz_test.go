package crosscheck

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// FuzzScan feeds the dataset parser malformed lines, wrong encodings,
// truncated files and 10,000-character fields. It must never panic; every
// rejected row is reported with a line number inside the file, in order;
// matched rows carry valid UTF-8 in every column.
func FuzzScan(f *testing.F) {
	a1, a2 := fxID("A1"), fxID("A2")
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("身份证号,姓名,死亡日期\n" + a1 + ",张三,2025-01-01\n"))
	big := strings.Repeat("长", 3400) // 10,200 bytes
	for _, seed := range []string{
		"身份证号,姓名,死亡日期\n" + a1 + ",张三,2025-01-01\n" + a2 + ",李四,2025-02-30\n",
		"\xEF\xBB\xBFid_number,name,death_date\r\n" + a1 + ",张三,20250101\r\n",
		string(gbk),
		string(gbk[:len(gbk)-5]), // truncated inside a character
		"身份证号,姓名,死亡日期\n" + a1 + ",\"张三\n" + a2 + ",李四,2025-01-01\n", // quote never closed
		"身份证号,姓名,死亡日期\n\"" + a1 + "\",\"张\"\"三\",\"2025-01-01\"\n" + a2 + ",\"李\n四\",2025-01-01\n",
		"身份证号,姓名,死亡日期\n" + a1 + "," + big + ",2025-01-01\n" + a2 + ",\"" + big + "\",2025-01-01\n",
		"身份证号,姓名,死亡日期\n" + a1 + ",张三\n" + a1 + ",张三,2025-01-01,x\n3.20921E+17,x,2025-01-01\n,,\n\n",
		"标题\n\n身份证号,姓名,死亡日期\n" + a1 + ",\xff\xfe,2025-01-01\n" + a1 + ",张三,\"2025-01-01\"x\n",
		"身份证号,姓名,号牌号码,车辆类型,登记日期,价值(万元)\n" + a1 + ",张三,苏J1,小型轿车,2024-05-01,8.6\n" + a2 + ",李四,苏J2,摩托车,2024/5/1,1e5\n",
		"\xFF\xFE\x00\x00",
		"",
		"\"",
		"身份证号,姓名,死亡日期\r" + a1 + ",张三,2025-01-01\r",
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	snap := scanSnap(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, withSnap bool) {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		kind := KindDeath
		if bytes.Contains(data, []byte("号牌")) {
			kind = KindVehicle
		}
		s := snap
		if !withSnap {
			s = nil
		}
		spec, _ := SpecOf(kind)
		lines := int64(bytes.Count(data, []byte{'\n'}) + 1)
		var prev int64
		rep, err := Scan(context.Background(), p, kind, s, func(m Match) {
			if m.Line < 1 || m.Line > lines || m.Line <= prev {
				t.Errorf("match at line %d (file has %d, previous %d)", m.Line, lines, prev)
			}
			prev = m.Line
			if len(m.Values) != len(spec.Columns) || len(m.Nums) != len(spec.Columns) {
				t.Errorf("match with %d values", len(m.Values))
			}
			for _, v := range m.Values {
				if !utf8.ValidString(v) {
					t.Errorf("invalid UTF-8 in %q", v)
				}
			}
			if withSnap && (m.Member < 0 || int(m.Member) >= len(snap.Members)) {
				t.Errorf("member %d", m.Member)
			}
		})
		if err != nil {
			return
		}
		if rep.Rejected > rep.Rows || rep.Matched+rep.Rejected > rep.Rows {
			t.Errorf("rows %d, matched %d, rejected %d", rep.Rows, rep.Matched, rep.Rejected)
		}
		if int64(len(rep.Errors)) != min(rep.Rejected, MaxReportedErrors) {
			t.Errorf("%d rejected, %d reported", rep.Rejected, len(rep.Errors))
		}
		var last int
		for _, e := range rep.Errors {
			if e.Line < 1 || int64(e.Line) > lines || e.Line < last || e.Reason == "" || !utf8.ValidString(e.Reason) {
				t.Errorf("error %+v (file has %d lines, previous at %d)", e, lines, last)
			}
			last = e.Line
		}
	})
}
