package tabular

import (
	"bufio"
	"io"
)

// lineReader yields physical lines (terminator included) with their
// numbers. It never holds more than limit bytes of one line, so a file
// without newlines cannot exhaust memory, and it can replay lines the
// splitter consumed while chasing a quote that never closed.
type lineReader struct {
	br     *bufio.Reader
	limit  int
	n      int    // number of the last line taken from br
	long   []byte // assembles lines longer than br's buffer
	replay []replayLine
}

type replayLine struct {
	b       []byte
	n       int
	tooLong bool
}

// next returns the next line; b is valid until the following call. A line
// longer than the limit comes back empty with tooLong set, its bytes
// discarded. err is io.EOF only when no line is left.
func (lr *lineReader) next() (b []byte, n int, tooLong bool, err error) {
	if len(lr.replay) > 0 {
		l := lr.replay[0]
		lr.replay = lr.replay[1:]
		return l.b, l.n, l.tooLong, nil
	}
	b, err = lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		b, tooLong, err = lr.readLong(b)
	}
	if err != nil && err != io.EOF {
		return nil, 0, false, err
	}
	if len(b) == 0 && !tooLong {
		return nil, 0, false, io.EOF
	}
	lr.n++
	return b, lr.n, tooLong, nil
}

func (lr *lineReader) readLong(first []byte) ([]byte, bool, error) {
	lr.long = append(lr.long[:0], first...)
	tooLong := false
	for {
		b, err := lr.br.ReadSlice('\n')
		if !tooLong {
			if len(lr.long)+len(b) > lr.limit {
				tooLong = true
				lr.long = lr.long[:0]
			} else {
				lr.long = append(lr.long, b...)
			}
		}
		if err != bufio.ErrBufferFull {
			return lr.long, tooLong, err
		}
	}
}

// pushFront makes lines the next ones returned. They are copied into fresh
// storage because the caller reuses its buffer; earlier replay storage is
// never reused, so lines still queued stay valid.
func (lr *lineReader) pushFront(lines []replayLine, data []byte) {
	own := make([]byte, len(data))
	copy(own, data)
	q := make([]replayLine, 0, len(lines)+len(lr.replay))
	off := 0
	for _, l := range lines {
		q = append(q, replayLine{b: own[off : off+len(l.b) : off+len(l.b)], n: l.n, tooLong: l.tooLong})
		off += len(l.b)
	}
	lr.replay = append(q, lr.replay...)
}
