package tabular

import (
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSource reads the first sheet with excelize's row iterator. A zip
// needs random access, so excelize holds the compressed file in memory;
// the sheet XML itself is streamed (spilled to a temporary file when big).
type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	line   int
	buf    []byte
	bounds []int
	fields [][]byte
}

// xlsxUnzipLimit caps the declared uncompressed size of a workbook
// (excelize's default is 16 GB). A million-row sheet unpacks to well under
// this; anything bigger is a zip bomb or belongs in a CSV.
const xlsxUnzipLimit = 2 << 30

func openXLSX(r io.Reader) (*xlsxSource, error) {
	// Raw values: formatted ones depend on the cell's number format (dates
	// come out as "7/15/23"), raw ones are serial numbers ParseDate reads.
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit})
	if err != nil {
		return nil, &Error{Code: CodeFormat, Reason: "无法读取xlsx文件(" + err.Error() + ")"}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, &Error{Code: CodeEmpty, Reason: "xlsx文件中没有工作表"}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, &Error{Code: CodeFormat, Reason: "无法读取工作表“" + sheets[0] + "”(" + err.Error() + ")"}
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (x *xlsxSource) next() (int, [][]byte, *splitError, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, nil, &Error{Code: CodeFormat, Reason: "读取xlsx第" + strconv.Itoa(x.line+1) + "行失败(" + err.Error() + ")"}
		}
		return 0, nil, nil, io.EOF
	}
	// Next advances one row number at a time, yielding empty rows for gaps,
	// so counting calls gives the row number users see in Excel.
	x.line++
	cells, err := x.rows.Columns()
	if err != nil {
		return 0, nil, nil, &Error{Code: CodeFormat, Reason: "读取xlsx第" + strconv.Itoa(x.line) + "行失败(" + err.Error() + ")"}
	}
	x.buf, x.bounds, x.fields = x.buf[:0], x.bounds[:0], x.fields[:0]
	for _, c := range cells {
		x.buf = append(x.buf, excelNumber(c)...)
		x.bounds = append(x.bounds, len(x.buf))
	}
	start := 0
	for _, end := range x.bounds {
		x.fields = append(x.fields, x.buf[start:end])
		start = end
	}
	return x.line, x.fields, nil, nil
}

// excelNumber undoes binary floating point noise in stored numbers: a
// formula that computes 0.1+0.2 is saved as 0.30000000000000004, which
// Excel shows as 0.3 because it keeps 15 significant digits. Only plain
// decimals with more digits than that are touched; integers (account
// numbers stored as text) and exponent forms are left alone.
func excelNumber(s string) string {
	if len(s) < 17 || strings.IndexByte(s, '.') < 0 || strings.Trim(s, "-.0123456789") != "" {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	t := strconv.FormatFloat(f, 'g', 15, 64)
	if strings.ContainsAny(t, "eE") {
		return s
	}
	g, _ := strconv.ParseFloat(t, 64)
	return strconv.FormatFloat(g, 'f', -1, 64)
}

func (x *xlsxSource) decode(dst, field []byte) ([]byte, bool) {
	return append(dst, field...), true
}

func (x *xlsxSource) close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}
