package tabular

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNeutralize(t *testing.T) {
	cases := map[string]string{
		"":                   "",
		"张三":                 "张三",
		"=1+1":               "'=1+1",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"-12.30":             "-12.30",
		"+8613800000000":     "+8613800000000",
		"-1,234.56":          "-1,234.56",
		"-":                  "'-",
		"-.5":                "'-.5",
		"-1.":                "'-1.",
		"-,1":                "'-,1",
		"-1e5":               "'-1e5",
		"a=b":                "a=b",
		"320921198503141230": "320921198503141230",
	}
	for in, want := range cases {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

var exportHeader = []string{"id_number", "name", "amount_yuan", "paid_on"}

var exportRows = [][]string{
	{"11010519491231002X", "张三", "-12.30", "2024-01-31"},
	{"320921198503141230", "=HYPERLINK(\"http://evil\",\"点我\")", "1234.56", "2024-02-01"},
	{"330106200001010014", "李\"四\"\n第二行, 逗号", "+5", ""},
	{"110105194912310021", "@王五", "-1+1", "  "},
}

var exportRead = []string{
	"2:11010519491231002X|张三|-12.30|2024-01-31",
	"3:320921198503141230|'=HYPERLINK(\"http://evil\",\"点我\")|1234.56|2024-02-01",
	"4:330106200001010014|李\"四\"\n第二行, 逗号|+5|",
	"5:110105194912310021|'@王五|'-1+1|",
}

func TestCSVWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf, exportHeader)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exportRows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), bomUTF8) || !strings.Contains(buf.String(), "\r\n") {
		t.Fatalf("no BOM or CRLF: %q", buf.String()[:20])
	}
	got := mustRead(t, buf.Bytes(), "export.csv", Options{})
	// The quoted newline makes row 4 two lines long, so row 5 starts on 6.
	want := append([]string{}, exportRead...)
	want[3] = strings.Replace(want[3], "5:", "6:", 1)
	check(t, got, want, nil)
}

func TestXLSXWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewXLSXWriter(&buf, "发放明细", exportHeader)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exportRows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	check(t, mustRead(t, buf.Bytes(), "export.xlsx", Options{}), exportRead, nil)
}

func TestWriterMisuse(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewCSVWriter(&buf, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"1"}); err == nil {
		t.Fatal("short row accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"1", "2"}); err == nil {
		t.Fatal("write after close accepted")
	}
	if _, err := NewXLSXWriter(&buf, "bad/name", []string{"a"}); err == nil {
		t.Fatal("invalid sheet name accepted")
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsIOErrors(t *testing.T) {
	w, err := NewCSVWriter(brokenWriter{}, []string{"a"})
	if err != nil {
		t.Fatal(err) // buffered: nothing written yet
	}
	for i := 0; i < 10_000 && err == nil; i++ {
		err = w.Write([]string{strings.Repeat("x", 100)})
	}
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		t.Fatal("I/O error lost")
	}
	x, err := NewXLSXWriter(brokenWriter{}, "s", []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err == nil {
		t.Fatal("xlsx I/O error lost")
	}
}
