package crosscheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// Limits of one dataset file, as tabular's: a field of a matched row may
// hold 10,000 bytes; a quoted field may run across lines for as long; a
// physical record may not exceed maxRecord (the read buffer keeps one
// whole record, so a file without newlines cannot take all memory).
const (
	maxFieldBytes   = 10_000
	maxRecord       = 1 << 20
	readChunk       = 128 << 10
	maxHeaderSearch = 10
	// progressEvery is how many bytes a scan reads between progress calls.
	progressEvery = 4 << 20
)

// Reasons that are not tabular's.
const (
	codeBadID       = "id_number"
	codeColumns     = "columns"
	codeValue       = "value"
	codeEmptyValue  = "empty"
	oleMagic        = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
	zipMagic        = "PK\x03\x04"
	bomUTF8         = "\xEF\xBB\xBF"
	encUndecided    = 0
	encUTF8         = 1
	encGB18030      = 2
	dayEpochYear    = 1900
	secondsPerDay   = 86400
	unixDayOf1900   = -25568 // days from 1899-12-31 (day 0) to 1970-01-01, negated
	maxReportedText = 40
)

// Scan streams one dataset file once (CSV in UTF-8 with or without BOM, or
// GB18030/GBK; XLSX through internal/tabular) and calls fn for every row
// whose ID number is a member of snap. The hot path finds the ID column of
// each line by hand, packs it and looks it up before it parses anything
// else; only matched rows are decoded and their dates and amounts parsed.
//
// With snap nil every row with a well-shaped ID number is parsed as if it
// matched (Member -1): that is the validation pass when a dataset is
// registered. fn may be nil.
//
// A rejected row (bad ID number, wrong number of columns, a bad date or
// amount in a matched row, a broken quote, a line over 1 MB, a field of a
// matched row over 10,000 bytes) is counted; the first MaxReportedErrors
// are reported with line, column and reason. Column counts are checked per
// batch of 64 lines and line by line only when the batch is off, so two
// wrong lines of one batch whose errors cancel out are missed unless one
// of them matches (matched rows are always counted exactly). The error is
// for the file as a whole: unreadable, unknown kind, header not found in
// the first ten non-blank rows.
func Scan(ctx context.Context, path string, kind Kind, snap *Snapshot, fn func(Match)) (ScanReport, error) {
	return scanFile(ctx, path, kind, snap, fn, nil)
}

// scanFile is Scan with a progress hook called with the rows, bytes and
// matches since the previous call.
func scanFile(ctx context.Context, path string, kind Kind, snap *Snapshot, fn func(Match), progress func(rows, bytes, matched int64)) (ScanReport, error) {
	spec, ok := SpecOf(kind)
	if !ok {
		return ScanReport{}, fmt.Errorf("未知的数据集类型 %q", kind)
	}
	f, err := os.Open(path)
	if err != nil {
		return ScanReport{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ScanReport{}, err
	}
	s := newScanner(spec, snap, fn)
	s.rep.Bytes = st.Size()
	s.progress = progress
	var head [8]byte
	n, _ := io.ReadFull(f, head[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ScanReport{}, err
	}
	switch {
	case n == len(oleMagic) && string(head[:]) == oleMagic:
		return s.rep, &tabular.Error{Code: tabular.CodeFormat, Reason: "不支持旧版.xls格式或加密的工作簿,请另存为.xlsx或CSV UTF-8后再导入"}
	case tabular.Detect(path, head[:n]) == tabular.XLSX:
		s.rep.Format = "xlsx"
		err = s.scanXLSX(ctx, f, path)
	default:
		s.rep.Format = "csv"
		err = s.scanCSV(ctx, f)
	}
	if s.enc == encUTF8 {
		s.rep.Encoding = "utf-8"
	} else if s.enc == encGB18030 {
		s.rep.Encoding = "gb18030"
	}
	if s.rep.Errors == nil {
		s.rep.Errors = []tabular.RowError{}
	}
	return s.rep, err
}

type scanner struct {
	spec  KindSpec
	snap  *Snapshot
	fn    func(Match)
	rep   ScanReport
	today time.Time

	colOf   []int   // spec column → field index, -1 when absent
	scale   []int64 // per spec column: 1, or 10,000 for a money column in 万元
	nfields int     // fields of the header row
	idField int
	maxUsed int // highest field index a spec column uses

	enc int
	gb  *tabular.GB18030Decoder

	line   int64 // physical lines consumed so far
	fields [][]byte
	qbuf   []byte // fields of a record with quotes
	qbound []int
	out    []byte
	bounds []int
	rest   []byte // what follows the current record in the buffer, for encoding detection

	batch       []hotLine
	headerTries int
	headerErr   *tabular.Error

	progress                         func(rows, bytes, matched int64)
	rowsMark, bytesMark, matchedMark int64
	bytesRead, nextProgr             int64
}

func newScanner(spec KindSpec, snap *Snapshot, fn func(Match)) *scanner {
	s := &scanner{spec: spec, snap: snap, fn: fn, today: time.Now()}
	if snap != nil && !snap.At.IsZero() {
		s.today = snap.At
	}
	s.scale = make([]int64, len(spec.Columns))
	for i := range s.scale {
		s.scale[i] = 1
	}
	return s
}

// reject counts a rejected row and reports the first ones.
func (s *scanner) reject(line int64, col int, code, reason string) {
	s.rep.Rejected++
	if len(s.rep.Errors) < MaxReportedErrors {
		name := ""
		if col >= 0 && col < len(s.spec.Columns) {
			name = s.spec.Columns[col].Name
		}
		s.rep.Errors = append(s.rep.Errors, tabular.RowError{Line: int(line), Column: name, Code: code, Reason: reason})
	}
}

// ---- CSV ----

func (s *scanner) scanCSV(ctx context.Context, f *os.File) error {
	src := &readWindow{f: f, buf: make([]byte, maxRecord+readChunk)}
	first := true
	skipping := false // discarding the rest of an over-long line
	for {
		data, eof, err := src.next()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		s.bytesRead = src.read()
		s.report(false)
		if first {
			first = false
			if bytes.HasPrefix(data, []byte(bomUTF8)) {
				src.consume(len(bomUTF8))
				s.enc = encUTF8
				continue
			} else if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
				return &tabular.Error{Code: tabular.CodeEncoding, Reason: "不支持UTF-16编码的文本文件,请在Excel中另存为“CSV UTF-8(逗号分隔)”或xlsx"}
			}
		}
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				src.consume(len(data))
				if eof {
					break
				}
				continue
			}
			src.consume(i + 1)
			skipping = false
			continue
		}
		n, more := s.process(data, eof)
		src.consume(n)
		if s.colOf == nil && s.headerTries >= maxHeaderSearch {
			return s.headerError() // no header near the top: not this kind's file
		}
		if !more || eof {
			if eof {
				break
			}
			continue
		}
		if rest := data[n:]; len(rest) > maxRecord {
			// One record longer than the limit.
			s.line++
			if s.colOf != nil {
				s.rep.Rows++
			}
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				// A quoted field swallowing lines: report it at its first
				// line and go on with the line after it.
				s.reject(s.line, -1, tabular.CodeQuote, "引号未闭合(引号内内容跨行且过长)")
				src.consume(i + 1)
			} else {
				s.reject(s.line, -1, tabular.CodeLineTooLong, "行过长(超过"+strconv.Itoa(maxRecord)+"字节)")
				src.consume(len(rest))
				skipping = true
			}
		}
	}
	if s.colOf == nil {
		return s.headerError()
	}
	s.bytesRead = src.read()
	s.report(true)
	return nil
}

// readWindow gives a file as a sequence of byte windows: next returns the
// bytes from the first one not consumed yet (more than before, unless at
// the end), consume drops a prefix of them. The buffer holds the longest
// record allowed. Reads are small and go to the front of the buffer, so
// the bytes are still in the core's cache when the lines are scanned.
// (A read-only mapping of the file, which saves the copy, measured 1.5×
// slower here: page faults cost more than the copy in a virtual machine.)
type readWindow struct {
	f          *os.File
	buf        []byte
	start, end int
	eof        bool
	n          int64
}

func (w *readWindow) next() ([]byte, bool, error) {
	if w.start > 0 {
		w.end = copy(w.buf, w.buf[w.start:w.end])
		w.start = 0
	}
	for !w.eof && w.end < len(w.buf) {
		n, err := w.f.Read(w.buf[w.end:min(len(w.buf), w.end+readChunk)])
		w.end += n
		w.n += int64(n)
		if err == io.EOF {
			w.eof = true
		} else if err != nil {
			return nil, false, err
		}
		if n > 0 {
			break
		}
	}
	return w.buf[w.start:w.end], w.eof, nil
}

func (w *readWindow) consume(n int) { w.start += n }
func (w *readWindow) read() int64   { return w.n } // bytes read so far, for progress

// report hands progress to the hook every progressEvery bytes, and at the end.
func (s *scanner) report(final bool) {
	if s.progress == nil || (!final && s.bytesRead < s.nextProgr) {
		return
	}
	s.nextProgr = s.bytesRead + progressEvery
	s.progress(s.rep.Rows-s.rowsMark, s.bytesRead-s.bytesMark, s.rep.Matched-s.matchedMark)
	s.rowsMark, s.bytesMark, s.matchedMark = s.rep.Rows, s.bytesRead, s.rep.Matched
}

// process handles the complete records at the start of data and returns
// how many bytes they took; more is true when the next record needs more
// bytes than data holds (never at eof).
func (s *scanner) process(data []byte, eof bool) (int, bool) {
	pos := 0
	// Lines before the next quote in the buffer need no quote handling:
	// one vector search per buffer instead of one per line.
	q := bytes.IndexByte(data, '"')
	if q < 0 {
		q = len(data)
	}
	for pos < len(data) {
		nl := bytes.IndexByte(data[pos:], '\n')
		lineEnd, next := pos+nl, pos+nl+1
		if nl < 0 {
			if !eof {
				return pos, true
			}
			lineEnd, next = len(data), len(data)
		}
		if s.colOf != nil && q > lineEnd && lineEnd-pos <= maxRecord && nl >= 0 {
			// The common case: a run of plain lines, taken in batches.
			pos = s.hotBatch(data, pos, q)
			continue
		}
		if q < lineEnd {
			n, lines, fields, serr, need := s.splitQuoted(data[pos:], eof)
			if need {
				return pos, true
			}
			first := s.line + 1
			s.line += int64(lines)
			s.rest = data[pos+n:]
			s.record(first, fields, serr)
			pos += n
			if q < pos {
				if i := bytes.IndexByte(data[pos:], '"'); i >= 0 {
					q = pos + i
				} else {
					q = len(data)
				}
			}
			continue
		}
		s.line++
		if lineEnd-pos > maxRecord {
			pos = next
			if s.colOf != nil {
				s.rep.Rows++
				s.reject(s.line, -1, tabular.CodeLineTooLong, "行过长(超过"+strconv.Itoa(maxRecord)+"字节)")
			}
			continue
		}
		body := data[pos:lineEnd]
		if len(body) > 0 && body[len(body)-1] == '\r' {
			body = body[:len(body)-1]
		}
		pos = next
		if s.colOf == nil {
			s.rest = data[pos:]
			s.record(s.line, s.splitPlain(body), nil)
			continue
		}
		s.hot(body, data[pos:])
	}
	return pos, false
}

// hotBatch is the path nearly every row takes. It takes up to hotBatchSize
// complete lines from data[pos:limit] (limit is the next quote), finds
// each one's ID field and packs it; then probes the snapshot's filter for
// all of them in one branch-free loop, so the cache misses of a batch
// overlap instead of queueing; then the table for the few that pass; and
// only then handles the lines in order: a match (or a bad row) costs more,
// every other line nothing further. It returns the position after the
// last line taken (at least one line: the caller saw its newline).
func (s *scanner) hotBatch(data []byte, pos, limit int) int {
	if cap(s.batch) < hotBatchSize {
		s.batch = make([]hotLine, 0, hotBatchSize)
	}
	b := s.batch[:0]
	for len(b) < hotBatchSize {
		nl := bytes.IndexByte(data[pos:limit], '\n')
		if nl < 0 || nl > maxRecord {
			break
		}
		end := pos + nl
		body := data[pos:end]
		if nl > 0 && body[nl-1] == '\r' {
			body = body[:nl-1]
		}
		var id []byte
		if s.idField == 0 && len(body) > idcard.Length && body[idcard.Length] == ',' {
			id = body[:idcard.Length]
		} else {
			id = nthField(body, s.idField)
		}
		key, ok := packID(id)
		b = append(b, hotLine{start: int32(pos), end: int32(pos + len(body)), key: key, ok: ok})
		pos = end + 1
	}
	if snap := s.snap; snap != nil {
		for i := range b {
			b[i].member = snap.filterMiss(b[i].key) // 0 or -1, without a branch
		}
		// The first slot of every candidate, loaded in one loop so the
		// misses overlap; a key further along its probe run is rare.
		var cand [hotBatchSize]int32
		var first [hotBatchSize]slot
		n := 0
		for i := range b {
			cand[n] = int32(i)
			n += int(b[i].member + 1)
		}
		mask := uint64(len(snap.slots) - 1)
		for x := 0; x < n; x++ {
			first[x] = snap.slots[hashKey(b[cand[x]].key)>>snap.shift&mask]
		}
		for x := 0; x < n; x++ {
			l := &b[cand[x]]
			switch first[x].key {
			case l.key:
				l.member = first[x].member
			case 0:
				l.member = -1
			default:
				l.member = snap.probe(l.key)
			}
		}
	}
	// Column counts: one count over the whole batch; only when it is off
	// are the lines counted one by one. (Two wrong lines of one batch whose
	// errors cancel out go unreported unless one of them matches: a matched
	// row is always split and counted exactly.)
	perLine := true
	if len(b) > 0 {
		perLine = bytes.Count(data[b[0].start:b[len(b)-1].end], []byte{','}) != len(b)*(s.nfields-1)
	}
	for i := range b {
		l := &b[i]
		s.line++
		body := data[l.start:l.end]
		if !l.ok {
			s.rest = data[l.end:]
			s.record(s.line, s.splitPlain(body), nil)
			continue
		}
		s.rep.Rows++
		if !perLine && l.member < 0 {
			continue
		}
		if c := bytes.Count(body, []byte{','}); c != s.nfields-1 && !s.extraEmpty(body, c) {
			s.reject(s.line, -1, codeColumns, columnsReason(c+1, s.nfields))
			continue
		}
		if s.snap == nil {
			l.member = -1
		} else if l.member < 0 {
			continue
		}
		s.rest = data[l.end:]
		s.matched(s.line, s.splitPlain(body), l.member)
	}
	s.batch = b
	return pos
}

// hotLine is one line of a batch.
type hotLine struct {
	key        uint64
	start, end int32 // the line without its terminator, in the buffer
	member     int32
	ok         bool // the ID field packed
}

const hotBatchSize = 64

// hot is hotBatch for one line, kept for the record paths.
func (s *scanner) hot(body, rest []byte) {
	var id []byte
	if s.idField == 0 && len(body) > idcard.Length && body[idcard.Length] == ',' {
		id = body[:idcard.Length]
	} else {
		id = nthField(body, s.idField)
	}
	key, ok := packID(id)
	if !ok {
		s.rest = rest
		s.record(s.line, s.splitPlain(body), nil)
		return
	}
	s.rep.Rows++
	if c := bytes.Count(body, []byte{','}); c != s.nfields-1 && !s.extraEmpty(body, c) {
		s.reject(s.line, -1, codeColumns, columnsReason(c+1, s.nfields))
		return
	}
	m := int32(-1)
	if s.snap != nil {
		if m = s.snap.lookup(key); m < 0 {
			return
		}
	}
	s.rest = rest
	s.matched(s.line, s.splitPlain(body), m)
}

// extraEmpty accepts a row with more fields than the header when the extra
// ones are empty (trailing commas that spreadsheets leave).
func (s *scanner) extraEmpty(body []byte, commas int) bool {
	if commas < s.nfields-1 {
		return false
	}
	f := s.splitPlain(body)
	for _, x := range f[s.nfields:] {
		if len(bytes.TrimSpace(x)) > 0 {
			return false
		}
	}
	return true
}

func columnsReason(got, want int) string {
	return "列数不符(该行" + strconv.Itoa(got) + "列,表头" + strconv.Itoa(want) + "列)"
}

// nthField returns field n of a line without quotes, trimmed of spaces.
func nthField(body []byte, n int) []byte {
	for ; n > 0; n-- {
		i := bytes.IndexByte(body, ',')
		if i < 0 {
			return nil
		}
		body = body[i+1:]
	}
	if i := bytes.IndexByte(body, ','); i >= 0 {
		body = body[:i]
	}
	return trimID(body)
}

// trimID drops what exports put around an ID number: spaces, tabs, and the
// apostrophe or tab that forces a spreadsheet cell to text.
func trimID(b []byte) []byte {
	b = bytes.TrimSpace(b)
	b = bytes.TrimPrefix(b, []byte{'\''})
	return bytes.TrimSpace(b)
}

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

// packID is idcard.Pack for a byte slice, eight digits at a time (SWAR):
// the hot path packs every row of every file. It gives exactly what
// idcard.Pack gives (TestPackID checks every shape against it).
func packID(b []byte) (uint64, bool) {
	if len(b) != idcard.Length {
		return 0, false
	}
	hi, ok1 := digits8(binary.LittleEndian.Uint64(b[0:8]))
	lo, ok2 := digits8(binary.LittleEndian.Uint64(b[8:16]))
	d := uint64(b[16] - '0')
	var check uint64
	switch c := b[17]; {
	case c >= '0' && c <= '9':
		check = uint64(c - '0')
	case c == 'X' || c == 'x':
		check = 10
	default:
		return 0, false
	}
	if !ok1 || !ok2 || d > 9 {
		return 0, false
	}
	return ((hi*100_000_000+lo)*10+d)*11 + check, true
}

// digits8 converts eight ASCII digits loaded little-endian (the first
// digit in the low byte) to their value.
func digits8(v uint64) (uint64, bool) {
	const lo4, zeros, six = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	if v&lo4 != zeros || (v+six)&lo4 != zeros {
		return 0, false
	}
	v &= 0x0F0F0F0F0F0F0F0F
	v = (v * (1 + 10<<8)) >> 8 & 0x00FF00FF00FF00FF
	v = (v * (1 + 100<<16)) >> 16 & 0x0000FFFF0000FFFF
	v = (v * (1 + 10000<<32)) >> 32
	return v, true
}
