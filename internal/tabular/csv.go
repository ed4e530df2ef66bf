package tabular

import (
	"bufio"
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// source is one file container: it yields records as raw fields and knows
// how to turn a field into UTF-8.
type source interface {
	// next returns the next record; fields are valid until the next call.
	next() (line int, fields [][]byte, serr *splitError, err error)
	// decode appends field as UTF-8 to dst; ok is false when the bytes are
	// not valid in the file's encoding.
	decode(dst, field []byte) (out []byte, ok bool)
	close() error
}

type textEncoding int

const (
	undecided textEncoding = iota // only ASCII seen so far: both readings agree
	encUTF8
	encGB18030
)

type csvSource struct {
	sp  splitter
	enc textEncoding
	gb  transform.Transformer
}

const (
	bomUTF8    = "\xEF\xBB\xBF"
	bomUTF16LE = "\xFF\xFE"
	bomUTF16BE = "\xFE\xFF"
)

func openCSV(br *bufio.Reader, opts Options) (*csvSource, error) {
	c := &csvSource{
		sp: newSplitter(br, opts),
		gb: simplifiedchinese.GB18030.NewDecoder(),
	}
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte(bomUTF8)):
		_, _ = br.Discard(3)
		c.enc = encUTF8
	case bytes.HasPrefix(head, []byte(bomUTF16LE)), bytes.HasPrefix(head, []byte(bomUTF16BE)):
		// Excel's "Unicode text" export; it is tab-separated too, so
		// decoding it would still not give a CSV.
		return nil, &Error{Code: CodeEncoding, Reason: "不支持UTF-16编码的文本文件,请在Excel中另存为“CSV UTF-8(逗号分隔)”或xlsx"}
	}
	return c, nil
}

func (c *csvSource) next() (int, [][]byte, *splitError, error) {
	line, fields, serr, err := c.sp.next()
	if err == nil && c.enc == undecided && hasHighByte(c.sp.raw) {
		c.decide()
	}
	return line, fields, serr, err
}

// decide picks the encoding at the first non-ASCII record, looking at it
// and whatever else is already buffered. The rule is "valid UTF-8, else
// GB18030", softened so that a UTF-8 file with a few corrupt bytes is still
// read as UTF-8 (its bad rows get rejected) instead of turning every row
// into plausible-looking GB18030 mojibake. GBK text scores about one
// "valid" UTF-8 sequence per five invalid bytes, so 3:1 separates the two
// with a wide margin.
func (c *csvSource) decide() {
	more, _ := c.sp.lr.br.Peek(c.sp.lr.br.Buffered())
	good1, bad1 := utf8Score(c.sp.raw, false)
	good2, bad2 := utf8Score(more, true)
	good, bad := good1+good2, bad1+bad2
	if bad == 0 || good >= 3*bad {
		c.enc = encUTF8
	} else {
		c.enc = encGB18030
	}
}

// utf8Score counts valid multi-byte sequences and invalid bytes. A sequence
// cut off at the end of a partial buffer is not held against it.
func utf8Score(b []byte, partial bool) (good, bad int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			if partial && !utf8.FullRune(b[i:]) {
				break
			}
			bad++
		} else {
			good++
		}
		i += size
	}
	return good, bad
}

func (c *csvSource) decode(dst, field []byte) ([]byte, bool) {
	switch c.enc {
	case encGB18030:
		if !hasHighByte(field) {
			return append(dst, field...), true
		}
		return c.decodeGB(dst, field)
	default:
		// undecided means this record was pure ASCII, valid either way.
		return append(dst, field...), utf8.Valid(field)
	}
}

// decodeGB decodes in place at the end of dst. The decoder marks invalid
// bytes with U+FFFD rather than failing, so that marker is the signal; a
// genuine U+FFFD in a GB18030 file is not something users type.
func (c *csvSource) decodeGB(dst, field []byte) ([]byte, bool) {
	start := len(dst)
	// Three output bytes per input byte is the worst case (an invalid byte
	// becomes the three-byte U+FFFD).
	need := start + 3*len(field) + utf8.UTFMax
	if cap(dst) < need {
		grown := make([]byte, start, need)
		copy(grown, dst)
		dst = grown
	}
	c.gb.Reset()
	n, _, err := c.gb.Transform(dst[start:need], field, true)
	if err != nil {
		return dst[:start], false
	}
	dst = dst[:start+n]
	return dst, !bytes.ContainsRune(dst[start:], utf8.RuneError)
}

func (c *csvSource) close() error { return nil }

func hasHighByte(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
