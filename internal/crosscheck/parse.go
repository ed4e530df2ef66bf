package crosscheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

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

func (w *readWindow) read() int64 { return w.n } // bytes read so far, for progress

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
