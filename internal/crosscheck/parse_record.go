package crosscheck

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// The record path of a scan: lines the hot path could not settle by itself (quoted fields,
// rows to match, the header, the encoding) are split whole, checked and emitted here.

func (s *scanner) splitPlain(body []byte) [][]byte {
	s.fields = s.fields[:0]
	for {
		i := bytes.IndexByte(body, ',')
		if i < 0 {
			s.fields = append(s.fields, body)
			return s.fields
		}
		s.fields = append(s.fields, body[:i])
		body = body[i+1:]
	}
}

// splitQuoted reads one record that has quotes (RFC 4180, quoted fields
// may span lines) from the start of data. It returns the bytes consumed,
// the physical lines they span and the fields (valid until the next call).
// need is true when the record runs past data and more can be read. A
// quote still open at the end of the file, or running across lines for
// more than maxFieldBytes, is reported at the record's first line and only
// that line is consumed, so the rows after a stray quote are still read.
func (s *scanner) splitQuoted(data []byte, eof bool) (n, lines int, fields [][]byte, serr *recErr, need bool) {
	s.qbuf, s.qbound = s.qbuf[:0], s.qbound[:0]
	runaway := func(field int, reason string) (int, int, [][]byte, *recErr, bool) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data) - 1
		}
		return i + 1, 1, nil, &recErr{field, tabular.CodeQuote, reason}, false
	}
	i := 0
	lines = 1
	for {
		start := len(s.qbuf)
		field := len(s.qbound) / 2
		if i < len(data) && data[i] == '"' {
			i++
			fieldStart := i
			for {
				j := bytes.IndexByte(data[i:], '"')
				if j < 0 {
					if !eof {
						if len(data)-fieldStart > maxFieldBytes && bytes.IndexByte(data[fieldStart:], '\n') >= 0 {
							return runaway(field, "引号未闭合(引号内内容跨行且超过"+strconv.Itoa(maxFieldBytes)+"字节)")
						}
						return 0, 0, nil, nil, true
					}
					return runaway(field, "引号未闭合(直到文件末尾)")
				}
				seg := data[i : i+j]
				if k := bytes.Count(seg, []byte{'\n'}); k > 0 {
					if i+j-fieldStart > maxFieldBytes {
						return runaway(field, "引号未闭合(引号内内容跨行且超过"+strconv.Itoa(maxFieldBytes)+"字节)")
					}
					lines += k
				}
				s.qbuf = append(s.qbuf, seg...)
				i += j + 1
				if i == len(data) && !eof {
					return 0, 0, nil, nil, true
				}
				if i < len(data) && data[i] == '"' {
					s.qbuf = append(s.qbuf, '"')
					i++
					continue
				}
				break
			}
			if i < len(data) && data[i] != ',' && data[i] != '\n' && !(data[i] == '\r' && (i+1 == len(data) || data[i+1] == '\n')) {
				if serr == nil {
					serr = &recErr{field, tabular.CodeQuote, "引号位置错误(右引号后还有其他字符)"}
				}
				j := bytes.IndexAny(data[i:], ",\n")
				if j < 0 {
					if !eof {
						return 0, 0, nil, nil, true
					}
					j = len(data) - i
				}
				s.qbuf = append(s.qbuf, bytes.TrimSuffix(data[i:i+j], []byte{'\r'})...)
				i += j
			}
		} else {
			j := bytes.IndexAny(data[i:], ",\n")
			if j < 0 {
				if !eof {
					return 0, 0, nil, nil, true
				}
				j = len(data) - i
			}
			seg := data[i : i+j]
			if i+j < len(data) && data[i+j] == '\n' {
				seg = bytes.TrimSuffix(seg, []byte{'\r'})
			} else if i+j == len(data) {
				seg = bytes.TrimSuffix(seg, []byte{'\r'})
			}
			s.qbuf = append(s.qbuf, seg...)
			i += j
		}
		s.qbound = append(s.qbound, start, len(s.qbuf))
		if i < len(data) && data[i] == '\r' {
			i++
		}
		if i >= len(data) {
			if !eof {
				return 0, 0, nil, nil, true
			}
			break
		}
		if data[i] == '\n' {
			i++
			break
		}
		i++ // the comma
		if i == len(data) && !eof {
			return 0, 0, nil, nil, true
		}
	}
	s.fields = s.fields[:0]
	for k := 0; k < len(s.qbound); k += 2 {
		s.fields = append(s.fields, s.qbuf[s.qbound[k]:s.qbound[k+1]])
	}
	return i, lines, s.fields, serr, false
}

// record handles a record off the hot path: the header rows, lines whose
// ID does not pack, and records with quotes.
func (s *scanner) record(line int64, fields [][]byte, serr *recErr) {
	if serr != nil && fields == nil {
		// A runaway quote: nothing of the record is usable.
		if s.colOf == nil {
			return
		}
		s.rep.Rows++
		s.reject(line, s.fieldColumn(serr.field), serr.code, serr.reason)
		return
	}
	if blankFields(fields) {
		return
	}
	if s.colOf == nil {
		s.header(line, fields)
		return
	}
	s.rep.Rows++
	if serr != nil {
		s.reject(line, s.fieldColumn(serr.field), serr.code, serr.reason)
		return
	}
	var id []byte
	if s.idField < len(fields) {
		id = trimID(fields[s.idField])
	}
	key, ok := packID(id)
	if !ok {
		s.reject(line, colID, codeBadID, idReason(id, s.today))
		return
	}
	if len(fields) != s.nfields && !(len(fields) > s.nfields && blankFields(fields[s.nfields:])) {
		s.reject(line, -1, codeColumns, columnsReason(len(fields), s.nfields))
		return
	}
	m := int32(-1)
	if s.snap != nil {
		if m = s.snap.lookup(key); m < 0 {
			return
		}
	}
	s.matched(line, fields, m)
}

// recErr is a problem of one record found while splitting it; field is
// the field number, -1 for the line.
type recErr struct {
	field        int
	code, reason string
}

// fieldColumn maps a field number to the spec column it holds, -1 when none.
func (s *scanner) fieldColumn(f int) int {
	for c, x := range s.colOf {
		if x == f {
			return c
		}
	}
	return -1
}

func idReason(id []byte, now time.Time) string {
	if len(bytes.TrimSpace(id)) == 0 {
		return "身份证号为空"
	}
	if !utf8.Valid(id) {
		return "身份证号含有无效字符"
	}
	if _, err := idcard.Parse(string(id), now); err != nil {
		var e *idcard.Error
		if errors.As(err, &e) {
			return e.Reason
		}
		return err.Error()
	}
	return "身份证号格式无效"
}

func blankFields(fields [][]byte) bool {
	for _, f := range fields {
		if len(bytes.TrimSpace(f)) > 0 {
			return false
		}
	}
	return true
}

// header tries a record as the header row. Up to maxHeaderSearch non-blank
// records are tried (titles sit above headers in government exports).
func (s *scanner) header(line int64, fields [][]byte) {
	if s.headerTries >= maxHeaderSearch {
		return
	}
	s.headerTries++
	s.decideEncoding(bytes.Join(fields, []byte{','}))
	cells := make([]string, len(fields))
	for i, f := range fields {
		out, _ := s.decode(nil, f)
		cells[i] = strings.ToValidUTF8(strings.TrimSpace(string(out)), "\uFFFD")
	}
	colOf, err := tabular.MatchHeader(s.spec.schema(), cells)
	if err != nil {
		var te *tabular.Error
		if errors.As(err, &te) && (s.headerErr == nil || len(te.Columns) < len(s.headerErr.Columns)) {
			s.headerErr = te
		}
		return
	}
	s.setHeader(colOf, cells)
}

func (s *scanner) setHeader(colOf []int, cells []string) {
	s.colOf, s.nfields = colOf, len(cells)
	s.idField = colOf[colID]
	s.rep.Header = cells
	for i, f := range colOf {
		s.maxUsed = max(s.maxUsed, f)
		if f >= 0 && s.spec.Columns[i].Type == Money && strings.Contains(cells[f], "万元") {
			s.scale[i] = 10_000
		}
	}
}

func (s *scanner) headerError() error {
	if s.headerErr != nil {
		return s.headerErr
	}
	return &tabular.Error{Code: tabular.CodeEmpty, Reason: "文件为空(没有表头行)"}
}

// decideEncoding settles UTF-8 against GB18030 at the first record with a
// byte above ASCII, as tabular does.
func (s *scanner) decideEncoding(record []byte) {
	if s.enc != encUndecided || !hasHighByte(record) {
		return
	}
	more := s.rest
	if len(more) > 64<<10 {
		more = more[:64<<10] // as much as tabular's reader has buffered
	}
	if tabular.LooksUTF8(record, more) {
		s.enc = encUTF8
	} else {
		s.enc = encGB18030
	}
}

func (s *scanner) decode(dst, field []byte) ([]byte, bool) {
	if s.enc == encGB18030 && hasHighByte(field) {
		if s.gb == nil {
			s.gb = tabular.NewGB18030Decoder()
		}
		return s.gb.Decode(dst, field)
	}
	return append(dst, field...), utf8.Valid(field)
}

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// matched decodes and parses the spec columns of a matched row and hands
// it to fn.
func (s *scanner) matched(line int64, fields [][]byte, member int32) {
	if s.enc == encUndecided {
		for _, f := range s.colOf {
			if f >= 0 && f < len(fields) && hasHighByte(fields[f]) {
				s.decideEncoding(bytes.Join(fields, []byte{','}))
				break
			}
		}
	}
	s.out, s.bounds = s.out[:0], s.bounds[:0]
	for i, f := range s.colOf {
		start := len(s.out)
		if f >= 0 && f < len(fields) {
			if len(fields[f]) > maxFieldBytes {
				s.reject(line, i, tabular.CodeFieldTooLong, "字段过长("+strconv.Itoa(len(fields[f]))+"字节,上限"+strconv.Itoa(maxFieldBytes)+")")
				return
			}
			var ok bool
			if s.out, ok = s.decode(s.out, fields[f]); !ok {
				s.reject(line, i, tabular.CodeBadEncoding, "含有无效的字符编码(文件应为UTF-8或GBK/GB18030)")
				return
			}
		}
		s.bounds = append(s.bounds, start, len(s.out))
	}
	all := string(s.out)
	values := make([]string, len(s.colOf))
	for i := range values {
		values[i] = strings.TrimSpace(all[s.bounds[2*i]:s.bounds[2*i+1]])
	}
	values[colID] = strings.ToUpper(strings.TrimPrefix(values[colID], "'"))
	s.emit(line, values, member)
}

// emit parses the typed columns of a matched row's values and calls fn.
func (s *scanner) emit(line int64, values []string, member int32) {
	nums := make([]int64, len(values))
	for i := range values {
		c := &s.spec.Columns[i]
		v := values[i]
		if v == "" {
			if c.Required && c.Type != Text && c.Type != Enum && s.colOf[i] >= 0 {
				s.reject(line, i, codeEmptyValue, c.Label+"为空")
				return
			}
			if c.Type == Enum {
				nums[i] = -1
			}
			continue
		}
		n, reason := parseValue(c, v, s.scale[i])
		if reason != "" {
			s.reject(line, i, codeValue, c.Label+": "+reason)
			return
		}
		nums[i] = n
	}
	s.rep.Matched++
	if s.fn != nil {
		s.fn(Match{Line: line, Member: member, Values: values, Nums: nums})
	}
}
