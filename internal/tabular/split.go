package tabular

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
)

// splitter cuts RFC 4180 records out of a byte stream. It works on raw
// bytes before any decoding: the structural bytes (" , CR LF) are ASCII and
// never occur inside a GBK or GB18030 multi-byte character (trail bytes are
// 0x30-0x39, 0x40-0xFE), so one splitter serves every encoding we accept.
//
// Deviations from strict RFC 4180, each because real exports need them: a
// quote inside an unquoted field is kept literally (Excel does the same);
// text after a closing quote is kept but the row is reported; and a quoted
// field still open at end of file, or longer than maxField across lines,
// is reported at its first line and reading resumes on the line after it
// rather than swallowing the rest of the file; the same happens to a
// multi-line record with a misplaced quote.
type splitter struct {
	lr       lineReader
	maxField int

	buf    []byte // field contents of a record with quotes
	bounds []int  // start, end pairs into buf
	fields [][]byte
	raw    []byte // all field bytes of the record, for encoding detection

	span      []byte // continuation lines of the current record, for replay
	spanLines []replayLine
	err       *splitError
}

func newSplitter(br *bufio.Reader, opts Options) splitter {
	return splitter{lr: lineReader{br: br, limit: opts.lineLimit()}, maxField: opts.MaxFieldBytes}
}

// splitError is a problem in one record; field is -1 when it concerns the
// line rather than a field.
type splitError struct {
	field  int
	code   string
	reason string
}

// next returns the first line number and the fields of the next record.
// fields are valid until the following call. A record with a problem comes
// back with serr set; the stream is positioned to continue after it.
func (s *splitter) next() (line int, fields [][]byte, serr *splitError, err error) {
	b, n, tooLong, err := s.lr.next()
	if err != nil {
		return 0, nil, nil, err
	}
	s.buf, s.bounds, s.span, s.spanLines, s.err, s.raw = s.buf[:0], s.bounds[:0], s.span[:0], s.spanLines[:0], nil, nil
	if tooLong {
		return n, nil, &splitError{-1, CodeLineTooLong, "行过长(超过" + strconv.Itoa(s.lr.limit) + "字节)"}, nil
	}
	body, eol := chomp(b)
	if bytes.IndexByte(body, '"') < 0 {
		s.splitPlain(body)
		return n, s.fields, nil, nil
	}
	ok, err := s.splitQuoted(body, eol)
	if err != nil {
		return 0, nil, nil, err
	}
	s.raw = s.buf
	if !ok {
		return n, nil, s.err, nil
	}
	s.fields = s.fields[:0]
	for i := 0; i < len(s.bounds); i += 2 {
		s.fields = append(s.fields, s.buf[s.bounds[i]:s.bounds[i+1]])
	}
	return n, s.fields, s.err, nil
}

// splitPlain is the hot path: most lines contain no quote at all, and
// their fields can point straight into the line, which stays valid for as
// long as the fields must.
func (s *splitter) splitPlain(body []byte) {
	s.raw = body
	s.fields = s.fields[:0]
	for {
		i := bytes.IndexByte(body, ',')
		if i < 0 {
			s.fields = append(s.fields, body)
			return
		}
		s.fields = append(s.fields, body[:i])
		body = body[i+1:]
	}
}

// splitQuoted handles lines with quotes, following quoted fields across
// lines. ok is false when the record ran away (see splitter).
func (s *splitter) splitQuoted(body []byte, eol bool) (ok bool, err error) {
	pos := 0
	for {
		start := len(s.buf)
		field := len(s.bounds) / 2
		if pos < len(body) && body[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(body[pos:], '"')
				if i < 0 {
					s.buf = append(s.buf, body[pos:]...)
					if !eol {
						s.runaway(field, "引号未闭合(直到文件末尾)")
						return false, nil
					}
					if len(s.buf)-start > s.maxField {
						s.runaway(field, "引号未闭合(引号内内容跨行且超过"+strconv.Itoa(s.maxField)+"字节)")
						return false, nil
					}
					s.buf = append(s.buf, '\n')
					b, n, tooLong, err := s.lr.next()
					if err == io.EOF {
						s.runaway(field, "引号未闭合(直到文件末尾)")
						return false, nil
					}
					if err != nil {
						return false, err
					}
					s.spanLines = append(s.spanLines, replayLine{b: b, n: n, tooLong: tooLong})
					s.span = append(s.span, b...)
					if tooLong {
						s.runaway(field, "引号未闭合(引号内的行过长)")
						return false, nil
					}
					body, eol = chomp(b)
					pos = 0
					continue
				}
				s.buf = append(s.buf, body[pos:pos+i]...)
				pos += i + 1
				if pos < len(body) && body[pos] == '"' {
					s.buf = append(s.buf, '"')
					pos++
					continue
				}
				break
			}
			if pos < len(body) && body[pos] != ',' {
				s.fail(field, CodeQuote, "引号位置错误(右引号后还有其他字符)")
				// Keep the stray text so the following fields stay aligned.
				j := bytes.IndexByte(body[pos:], ',')
				if j < 0 {
					j = len(body) - pos
				}
				s.buf = append(s.buf, body[pos:pos+j]...)
				pos += j
			}
		} else {
			j := bytes.IndexByte(body[pos:], ',')
			if j < 0 {
				j = len(body) - pos
			}
			s.buf = append(s.buf, body[pos:pos+j]...)
			pos += j
		}
		s.bounds = append(s.bounds, start, len(s.buf))
		if pos >= len(body) {
			if s.err != nil && len(s.spanLines) > 0 {
				// A broken record that spans lines most likely began with
				// a stray quote that swallowed the lines after it.
				s.runaway(s.err.field, s.err.reason)
				return false, nil
			}
			return true, nil
		}
		pos++ // the comma
	}
}

func (s *splitter) fail(field int, code, reason string) {
	if s.err == nil {
		s.err = &splitError{field, code, reason}
	}
}

// runaway reports the record at its first line and queues the lines it
// swallowed, so the rows after a stray quote are still read.
func (s *splitter) runaway(field int, reason string) {
	s.err = &splitError{field, CodeQuote, reason}
	// spanLines point into buffers that are about to change; rebase them
	// onto span, whose bytes pushFront copies.
	off := 0
	for i := range s.spanLines {
		l := len(s.spanLines[i].b)
		s.spanLines[i].b = s.span[off : off+l]
		off += l
	}
	s.lr.pushFront(s.spanLines, s.span)
}

// chomp drops the line terminator (LF or CRLF; a CR before end of file
// too, as encoding/csv does) and reports whether there was one.
func chomp(b []byte) ([]byte, bool) {
	eol := false
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b, eol = b[:n-1], true
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, eol
}
