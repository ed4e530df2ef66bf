package tabular

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Writer writes an export with a fixed header. Every value is written as
// text: ID, account and village numbers must not become numbers (Excel
// would round them to 15 digits), and text is what Open reads back.
type Writer struct {
	sink   rowSink
	width  int
	cells  []string
	closed bool
	err    error // sticky: a failed export is never silently continued
}

type rowSink interface {
	writeRow(cells []string) error
	close() error
}

// Write writes one row; it must have exactly as many values as the header.
func (w *Writer) Write(values []string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("tabular: Write after Close")
	}
	if len(values) != w.width {
		return errors.New("tabular: row has " + strconv.Itoa(len(values)) + " values, header has " + strconv.Itoa(w.width))
	}
	w.cells = w.cells[:0]
	for _, v := range values {
		w.cells = append(w.cells, Neutralize(v))
	}
	w.err = w.sink.writeRow(w.cells)
	return w.err
}

// Close finishes the file. For XLSX this is when the workbook is written.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if err := w.sink.close(); w.err == nil {
		w.err = err
	}
	return w.err
}

func newWriter(sink rowSink, header []string) (*Writer, error) {
	w := &Writer{sink: sink, width: len(header)}
	if err := w.Write(header); err != nil {
		_ = sink.close()
		return nil, err
	}
	return w, nil
}

// Neutralize defuses spreadsheet formula injection (CSV injection): a value
// starting with = + - @ TAB or CR could be run as a formula when the export
// is opened, so it gets a leading apostrophe. Plain numbers such as "-12.30"
// or "+8613800000000" are left alone so that exports still read back as
// numbers; they cannot carry a formula.
func Neutralize(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(v) {
			return "'" + v
		}
	}
	return v
}

// plainNumber: optional sign, digits (thousands commas allowed), optional
// decimal part.
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return false
	}
	if intPart[0] == ',' || intPart[len(intPart)-1] == ',' {
		return false
	}
	return strings.Trim(intPart, "0123456789,") == "" && strings.Trim(frac, "0123456789") == ""
}

// NewCSVWriter writes UTF-8 with a BOM (without it Excel reads UTF-8 as
// the ANSI code page and garbles Chinese) and CRLF line ends.
func NewCSVWriter(w io.Writer, header []string) (*Writer, error) {
	bw := bufio.NewWriterSize(w, readBufferSize)
	if _, err := bw.WriteString(bomUTF8); err != nil {
		return nil, err
	}
	return newWriter(&csvSink{w: bw}, header)
}

type csvSink struct {
	w *bufio.Writer
}

func (s *csvSink) writeRow(cells []string) error {
	for i, c := range cells {
		if i > 0 {
			_ = s.w.WriteByte(',')
		}
		if strings.ContainsAny(c, ",\"\r\n") {
			_ = s.w.WriteByte('"')
			_, _ = s.w.WriteString(strings.ReplaceAll(c, `"`, `""`))
			_ = s.w.WriteByte('"')
		} else {
			_, _ = s.w.WriteString(c)
		}
	}
	// bufio.Writer keeps the first error; reporting it here is enough.
	_, err := s.w.WriteString("\r\n")
	return err
}

func (s *csvSink) close() error { return s.w.Flush() }

// NewXLSXWriter streams rows into one sheet with excelize's StreamWriter
// (rows go to a temporary file, not memory); the workbook is written to w
// on Close.
func NewXLSXWriter(w io.Writer, sheet string, header []string) (*Writer, error) {
	f := excelize.NewFile()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	// Keep the header visible while scrolling long exports.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		_ = f.Close()
		return nil, err
	}
	return newWriter(&xlsxSink{f: f, sw: sw, out: w}, header)
}

type xlsxSink struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	out  io.Writer
	row  int
	vals []any
}

func (s *xlsxSink) writeRow(cells []string) error {
	s.row++
	s.vals = s.vals[:0]
	for _, c := range cells {
		s.vals = append(s.vals, c)
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, s.vals)
}

func (s *xlsxSink) close() error {
	err := s.sw.Flush()
	if err == nil {
		err = s.f.Write(s.out)
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
