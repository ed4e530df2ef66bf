// Package tabular reads the spreadsheets users bring (CSV in UTF-8 or
// GB18030/GBK, and XLSX) as a stream of rows keyed by canonical column
// names, and writes exports that it can read back.
package tabular

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options bound what one file may cost. Zero values mean the defaults.
type Options struct {
	// MaxFieldBytes limits one field of a schema column (default 10,000),
	// and how far a quoted field may run across lines before it is taken
	// for an unterminated quote.
	MaxFieldBytes int
	// MaxRows limits the data rows of a file; 0 means unlimited.
	MaxRows int
}

const (
	defaultMaxFieldBytes = 10_000
	readBufferSize       = 64 << 10
	// A title or note may sit above the header in government exports; when
	// the first row lacks required columns, the header is looked for this
	// many non-blank rows deep.
	maxHeaderSearch = 10
)

func (o Options) withDefaults() Options {
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = defaultMaxFieldBytes
	}
	return o
}

// lineLimit bounds one physical line: generous for wide sheets, but finite
// so a file without newlines cannot take all memory.
func (o Options) lineLimit() int {
	return max(1<<20, 4*o.MaxFieldBytes, readBufferSize)
}

// Reader streams the data rows of one file.
type Reader struct {
	src     source
	schema  *compiled
	colOf   []int // schema column → field index, -1 when absent
	fieldTo []int // field index → schema column, -1 when ignored
	header  []string
	opts    Options
	rows    int
	out     []byte
	bounds  []int
	err     error // sticky: once the file fails, it stays failed
}

// Row is one data row. It stays valid after later calls to Next.
type Row struct {
	Line   int // physical line (CSV) or row (XLSX) number; the header is line 1
	values []string
	names  map[string]int
}

// Get returns the trimmed value of a canonical column, "" when the file
// has no such column (use Reader.Has to tell absent from empty).
func (r Row) Get(name string) string {
	if i, ok := r.names[name]; ok {
		return r.values[i]
	}
	return ""
}

// Open detects the format, reads up to the header row and matches it to
// schema. The caller must Close the Reader (XLSX uses temporary files).
func Open(r io.Reader, name string, schema Schema, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	cs, err := compile(schema)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, readBufferSize)
	head, err := br.Peek(len(oleMagic))
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if string(head) == oleMagic {
		return nil, &Error{Code: CodeFormat, Reason: "不支持旧版.xls格式或加密的工作簿,请另存为.xlsx或CSV UTF-8后再导入"}
	}
	var src source
	if Detect(name, head) == XLSX {
		src, err = openXLSX(br)
	} else {
		src, err = openCSV(br, opts)
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: src, schema: cs, opts: opts}
	if err := rd.readHeader(); err != nil {
		_ = src.close()
		return nil, err
	}
	return rd, nil
}

func (r *Reader) readHeader() error {
	var best *headerMatch
	for tries := 0; tries < maxHeaderSearch; {
		_, fields, serr, err := r.src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if serr != nil || blank(fields) {
			continue
		}
		tries++
		cells := make([]string, len(fields))
		for i, f := range fields {
			out, _ := r.src.decode(nil, f)
			// Invalid bytes would end up in RowError.Column and in JSON.
			cells[i] = strings.ToValidUTF8(strings.TrimSpace(string(out)), "\uFFFD")
		}
		m := r.schema.matchHeader(cells)
		if m.dups != nil {
			return m.dups
		}
		if len(m.missing) == 0 {
			r.colOf, r.fieldTo, r.header = m.colOf, m.fieldTo, cells
			return nil
		}
		if best == nil || m.matched > best.matched {
			best = &m
		}
	}
	if best == nil {
		return &Error{Code: CodeEmpty, Reason: "文件为空(没有表头行)"}
	}
	return r.schema.missingError(*best)
}

// Has reports whether the file has a column for the canonical name.
func (r *Reader) Has(name string) bool {
	i, ok := r.schema.names[name]
	return ok && r.colOf[i] >= 0
}

// Next returns the next non-blank data row, io.EOF after the last one, a
// *RowError for a malformed row (the Row then carries only its Line; call
// Next again to go on), or another error when the file cannot be read
// further (every later call returns it again).
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		line, fields, serr, err := r.src.next()
		if err != nil {
			r.err = err
			return Row{}, err
		}
		if serr == nil && blank(fields) {
			continue
		}
		r.rows++
		if r.opts.MaxRows > 0 && r.rows > r.opts.MaxRows {
			r.err = &Error{Code: CodeTooManyRows, Reason: "文件超过" + strconv.Itoa(r.opts.MaxRows) + "行数据的上限,请拆分后导入"}
			return Row{}, r.err
		}
		if serr != nil {
			return Row{Line: line}, &RowError{Line: line, Column: r.columnName(serr.field), Code: serr.code, Reason: serr.reason}
		}
		return r.build(line, fields)
	}
}

// build decodes only the schema's columns: ignored columns may hold
// anything, including bytes the file's encoding does not allow.
func (r *Reader) build(line int, fields [][]byte) (Row, error) {
	r.out, r.bounds = r.out[:0], r.bounds[:0]
	for i, f := range r.colOf {
		start := len(r.out)
		if f >= 0 && f < len(fields) {
			if len(fields[f]) > r.opts.MaxFieldBytes {
				return Row{Line: line}, &RowError{Line: line, Column: r.schema.cols[i].Name, Code: CodeFieldTooLong,
					Reason: "字段过长(" + strconv.Itoa(len(fields[f])) + "字节,上限" + strconv.Itoa(r.opts.MaxFieldBytes) + ")"}
			}
			var ok bool
			if r.out, ok = r.src.decode(r.out, fields[f]); !ok {
				return Row{Line: line}, &RowError{Line: line, Column: r.schema.cols[i].Name, Code: CodeBadEncoding,
					Reason: "含有无效的字符编码(文件应为UTF-8或GBK/GB18030)"}
			}
		}
		r.bounds = append(r.bounds, start, len(r.out))
	}
	// One string per row; values are substrings of it.
	all := string(r.out)
	values := make([]string, len(r.colOf))
	for i := range values {
		values[i] = trimSpace(all[r.bounds[2*i]:r.bounds[2*i+1]])
	}
	return Row{Line: line, values: values, names: r.schema.names}, nil
}

func (r *Reader) columnName(field int) string {
	switch {
	case field < 0:
		return ""
	case field < len(r.fieldTo) && r.fieldTo[field] >= 0:
		return r.schema.cols[r.fieldTo[field]].Name
	case field < len(r.header):
		return r.header[field]
	}
	return ""
}

// Close releases the file's resources (XLSX temporary files).
func (r *Reader) Close() error { return r.src.close() }

// trimSpace is strings.TrimSpace without its slow path for values that
// merely start or end with a Chinese character, which is most of them.
func trimSpace(s string) string {
	for len(s) > 0 {
		if c := s[0]; c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		if c := s[len(s)-1]; c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// blank reports a record with nothing but spaces: spreadsheets leave such
// rows behind formatted-but-empty cells, and they carry no data.
func blank(fields [][]byte) bool {
	for _, f := range fields {
		if len(bytes.TrimSpace(f)) > 0 {
			return false
		}
	}
	return true
}
