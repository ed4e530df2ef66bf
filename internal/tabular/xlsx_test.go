package tabular

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// makeXLSX builds a workbook the way users' files look: typed cells
// (numbers, strings) on the first sheet, a second sheet that must be
// ignored, nil rows left empty.
func makeXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "名单"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("说明", "A1", "this sheet is not data"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("名单", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExcelNumber(t *testing.T) {
	cases := map[string]string{
		"0.30000000000000004":    "0.3",
		"1234.5600000000001":     "1234.56",
		"0.3":                    "0.3",
		"123456789012345678":     "123456789012345678", // integer text: untouched
		"3.2092119850314125E+17": "3.2092119850314125E+17",
		"-1.1000000000000001":    "-1.1",
		"abc.defghijklmnopqr":    "abc.defghijklmnopqr",
		"1.2.3.4.5.6.7.8.9.0":    "1.2.3.4.5.6.7.8.9.0",
	}
	for in, want := range cases {
		if got := excelNumber(in); got != want {
			t.Errorf("excelNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
