package tabular

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const sample = "身份证号,姓名,金额（元）,备注\r\n" +
	"11010519491231002X,张三,\"1,234.50\",\r\n" +
	"320921198503141230, 李四 ,12,多余的列\r\n"

var sampleRows = []string{
	"2:11010519491231002X|张三|1,234.50|",
	"3:320921198503141230|李四|12|",
}

func TestUTF8(t *testing.T) {
	check(t, mustRead(t, []byte(sample), "a.csv", Options{}), sampleRows, nil)
}

func TestUTF8BOM(t *testing.T) {
	check(t, mustRead(t, []byte(bomUTF8+sample), "a.csv", Options{}), sampleRows, nil)
}

func TestGBK(t *testing.T) {
	for name, enc := range map[string]interface {
		Bytes([]byte) ([]byte, error)
	}{
		"gbk":     simplifiedchinese.GBK.NewEncoder(),
		"gb18030": simplifiedchinese.GB18030.NewEncoder(),
	} {
		t.Run(name, func(t *testing.T) {
			data, err := enc.Bytes([]byte(sample))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(data, []byte(sample)) {
				t.Fatal("encoder did nothing")
			}
			check(t, mustRead(t, data, "a.csv", Options{}), sampleRows, nil)
		})
	}
}

func TestGBKInvalidBytesInOneRow(t *testing.T) {
	good, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("身份证号,姓名,备注\n1,张三,\n"))
	data := append(good, "2,\x81 ,\n3,\x81\n"...) // a lead byte with no valid trail
	more, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("4,李四,\n"))
	check(t, mustRead(t, append(data, more...), "a.csv", Options{}),
		[]string{"2:1|张三||", "5:4|李四||"},
		[]string{"3!name!bad_encoding", "4!name!bad_encoding"})
}

func TestGB18030FourByteCharacter(t *testing.T) {
	// 𠀀 (U+20000) needs a four-byte GB18030 sequence whose second and
	// fourth bytes are ASCII digits; the splitter must not care.
	src := "身份证号,姓名\n11010519491231002X,\"𠀀,\"\"x\"\"\"\n"
	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	check(t, mustRead(t, data, "a.csv", Options{}), []string{`2:11010519491231002X|𠀀,"x"||`}, nil)
}

func TestEncodingDecidedLate(t *testing.T) {
	// ASCII header, GBK only from line 3: the decision waits for the first
	// non-ASCII bytes.
	src := "id_number,name\n11010519491231002X,Zhang\n320921198503141230,李四\n"
	data, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(src))
	check(t, mustRead(t, data, "a.csv", Options{}),
		[]string{"2:11010519491231002X|Zhang||", "3:320921198503141230|李四||"}, nil)
}

func TestInvalidUTF8InOneRow(t *testing.T) {
	// A UTF-8 file with one corrupt byte stays UTF-8: the bad row is
	// rejected, the others are read correctly.
	src := []byte("身份证号,姓名,备注\n1,张三,\n2,李\xff,\n3,王五,\xff\n4,赵六,\n")
	check(t, mustRead(t, src, "a.csv", Options{}),
		[]string{"2:1|张三||", "4:3|王五||", "5:4|赵六||"}, // bad bytes in an ignored column do not matter
		[]string{"3!name!bad_encoding"})
}

func TestXLSX(t *testing.T) {
	data := makeXLSX(t, [][]any{
		{"序号", "公民身份号码", "姓名", "金额(元)", "发放日期"},
		{1, "11010519491231002X", "张三", 1234.5, 45123},
		nil, // an empty row: skipped, but numbering keeps counting
		{2, "320921198503141230", " 李四 ", 0.1 + 0.2, "2023-07-15"},
	})
	check(t, mustRead(t, data, "upload.xlsx", Options{}), []string{
		"2:11010519491231002X|张三|1234.5|45123",
		"4:320921198503141230|李四|0.3|2023-07-15",
	}, nil)
	// Detection does not depend on the name.
	check(t, mustRead(t, data, "upload.csv", Options{}), []string{
		"2:11010519491231002X|张三|1234.5|45123",
		"4:320921198503141230|李四|0.3|2023-07-15",
	}, nil)
}

func TestXLSXFieldTooLong(t *testing.T) {
	data := makeXLSX(t, [][]any{
		{"身份证号", "姓名"},
		{"1", strings.Repeat("长", 5000)},
		{"2", "ok"},
	})
	check(t, mustRead(t, data, "a.xlsx", Options{}), []string{"3:2|ok||"}, []string{"2!name!field_too_long"})
}

func TestBrokenXLSX(t *testing.T) {
	_, err := readAll(t, []byte("PK\x03\x04garbage"), "a.xlsx", people, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeFormat {
		t.Fatalf("err = %v", err)
	}
}

func TestHeaderAliases(t *testing.T) {
	src := " ID_Number ,姓 名*,金额 ( 元 ),发放日期\n1,a,2,2024-01-01\n"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}), []string{"2:1|a|2|2024-01-01"}, nil)
}

func TestMissingRequiredColumns(t *testing.T) {
	_, err := readAll(t, []byte("金额,备注\n1,2\n"), "a.csv", people, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeMissingColumns {
		t.Fatalf("err = %v", err)
	}
	if want := "缺少必需的列: 身份证号(id_number)、姓名(name)"; e.Error() != want {
		t.Fatalf("message %q, want %q", e.Error(), want)
	}
	if !equal(e.Columns, []string{"id_number", "name"}) {
		t.Fatalf("Columns = %v", e.Columns)
	}
}

func TestDuplicateColumns(t *testing.T) {
	_, err := readAll(t, []byte("身份证号,姓名,公民身份号码\n1,2,3\n"), "a.csv", people, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeDuplicateColumns || !strings.Contains(e.Reason, "第1列和第3列") {
		t.Fatalf("err = %v", err)
	}
}

func TestTitleRowsAboveHeader(t *testing.T) {
	src := "2024年盐城市低保对象名单,,\n,,\n制表单位: 射阳县民政局,,\n姓名,身份证号,金额\n张三,1,5\n"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}), []string{"5:1|张三|5|"}, nil)
}

func TestExtraAndMissingOptionalColumns(t *testing.T) {
	src := "x,姓名,y,身份证号,z\n1,张三,2,110,3\n4,李四\n"
	rd, err := Open(strings.NewReader(src), "a.csv", people, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if !rd.Has("name") || rd.Has("amount_yuan") || rd.Has("nope") {
		t.Fatal("Has is wrong")
	}
	row, err := rd.Next()
	if err != nil || row.Get("id_number") != "110" || row.Get("name") != "张三" || row.Get("amount_yuan") != "" || row.Get("x") != "" {
		t.Fatalf("row %+v, %v", row, err)
	}
	row, err = rd.Next() // a short row: absent fields are empty
	if err != nil || row.Get("name") != "李四" || row.Get("id_number") != "" {
		t.Fatalf("row %+v, %v", row, err)
	}
}

func TestQuotedNewlines(t *testing.T) {
	src := "身份证号,姓名,备注\n1,\"张\r\n三\",\"a\n\nb\"\n2,\"李\"\"四\"\"\",\n"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}), []string{"2:1|张\n三||", "6:2|李\"四\"||"}, nil)
}

func TestBrokenLinesThenGoodOnes(t *testing.T) {
	src := "身份证号,姓名\n" +
		"1,\"unterminated\n" + // runs away: reported at line 2
		"2,ok\n" +
		"3,\"closed\"junk\n" +
		"4,fine\n" +
		"5,\"never closed"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}),
		[]string{"3:2|ok||", "5:4|fine||"},
		[]string{"2!name!quote", "4!name!quote", "6!name!quote"})
}

func TestRunawayQuoteBoundedByMaxField(t *testing.T) {
	var b strings.Builder
	b.WriteString("身份证号,姓名\n1,\"open\n")
	for i := 0; i < 50; i++ {
		b.WriteString("9,row\n")
	}
	b.WriteString("9,\"a\"\n")
	res := mustRead(t, []byte(b.String()), "a.csv", Options{MaxFieldBytes: 100})
	if len(res.errs) != 1 || res.errs[0] != "2!name!quote" || len(res.rows) != 51 || res.rows[0] != "3:9|row||" {
		t.Fatal(res)
	}
}

func TestLongField(t *testing.T) {
	long := strings.Repeat("长", 4000) // 12,000 bytes
	src := "身份证号,姓名,备注\n1," + long + ",\n2,ok," + long + "\n3,\"" + long + "\",\n"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}),
		[]string{"3:2|ok||"}, // a long ignored column is fine
		[]string{"2!name!field_too_long", "4!name!field_too_long"})
	res := mustRead(t, []byte(src), "a.csv", Options{MaxFieldBytes: 20_000})
	if len(res.rows) != 3 || res.rows[0] != "2:1|"+long+"||" {
		t.Fatalf("with a higher limit: %d rows, %v", len(res.rows), res.errs)
	}
}

func TestLineTooLong(t *testing.T) {
	src := "身份证号,姓名\n1," + strings.Repeat("x", 2<<20) + "\n2,ok\n"
	check(t, mustRead(t, []byte(src), "a.csv", Options{}), []string{"3:2|ok||"}, []string{"2!!line_too_long"})
}

func TestEmptyAndHeaderOnly(t *testing.T) {
	for _, src := range []string{"", "\n\n", "\xef\xbb\xbf", " , \r\n"} {
		_, err := readAll(t, []byte(src), "a.csv", people, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeEmpty {
			t.Errorf("%q: err = %v", src, err)
		}
	}
	for _, src := range []string{"身份证号,姓名", "身份证号,姓名\r\n", "身份证号,姓名\n,\n\n"} {
		check(t, mustRead(t, []byte(src), "a.csv", Options{}), nil, nil)
	}
}

func TestMaxRows(t *testing.T) {
	src := "身份证号,姓名\n1,a\n2,b\n3,c\n"
	rd, err := Open(strings.NewReader(src), "a.csv", people, Options{MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	}
	var e *Error
	if _, err := rd.Next(); !errors.As(err, &e) || e.Code != CodeTooManyRows {
		t.Fatalf("err = %v", err)
	}
	if _, err := rd.Next(); !errors.As(err, &e) {
		t.Fatal("error not sticky")
	}
}

func TestUnsupportedFiles(t *testing.T) {
	cases := map[string][]byte{
		CodeEncoding: append([]byte{0xFF, 0xFE}, "身\x00"...),
		CodeFormat:   []byte(oleMagic + "\x00\x00\x00"),
	}
	for code, data := range cases {
		_, err := readAll(t, data, "a.xls", people, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Code != code {
			t.Errorf("%s: err = %v", code, err)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	bad := []Schema{
		{Columns: []Column{{Name: ""}}},
		{Columns: []Column{{Name: "a"}, {Name: "a"}}},
		{Columns: []Column{{Name: "a", Aliases: []string{"甲"}}, {Name: "b", Aliases: []string{" 甲 "}}}},
	}
	for _, s := range bad {
		_, err := Open(strings.NewReader("a\n"), "a.csv", s, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeSchema {
			t.Errorf("%+v: err = %v", s, err)
		}
	}
}

func TestNoRequiredColumnsNothingMatches(t *testing.T) {
	s := Schema{Columns: []Column{{Name: "a"}}}
	res, err := readAll(t, []byte("x,y\n1,2\n"), "a.csv", s, Options{})
	if err != nil || !equal(res.rows, []string{"2:"}) {
		t.Fatalf("%v %v", res, err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n++
		return copy(p, "身份证号,姓名\n1,a\n2,"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadErrorIsFatal(t *testing.T) {
	rd, err := Open(&failingReader{}, "a.csv", people, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if row, err := rd.Next(); err != nil || row.Get("name") != "a" {
		t.Fatal(row, err)
	}
	if _, err := rd.Next(); err == nil || err == io.EOF || strings.Contains(err.Error(), "第") {
		t.Fatalf("err = %v", err)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		head string
		want Format
	}{
		{"a.csv", "id,name", CSV},
		{"a.CSV", "", CSV},
		{"a.xlsx", "", XLSX},
		{"A.XLSM", "PK", XLSX},
		{"a.xlsx", "id,name", CSV},
		{"a.csv", "PK\x03\x04", XLSX},
		{"noext", "PK\x03\x04\x14\x00", XLSX},
		{"noext", "", CSV},
	}
	for _, c := range cases {
		if got := Detect(c.name, []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.name, c.head, got, c.want)
		}
	}
}

func TestTrimSpaceMatchesStrings(t *testing.T) {
	for _, s := range []string{"", " ", "张三", " 张三 ", "\u3000李四\u3000", "\u00a0x\u0085", "a b", "\t\r\n", "\xff ", " \xff", "三\u2003"} {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
