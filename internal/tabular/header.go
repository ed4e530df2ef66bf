package tabular

import "golang.org/x/text/encoding/simplifiedchinese"

// The pieces below let a caller with its own hot-path splitter (the
// cross-check matcher reads tens of millions of rows and looks at one
// column before anything else) read headers and text exactly as Open does.

// MatchHeader matches one header row against schema the way Open does
// (normalised aliases, duplicates and missing required columns are
// errors) and returns, per schema column, its field index or -1.
func MatchHeader(schema Schema, cells []string) ([]int, error) {
	cs, err := compile(schema)
	if err != nil {
		return nil, err
	}
	m := cs.matchHeader(cells)
	if m.dups != nil {
		return nil, m.dups
	}
	if len(m.missing) > 0 {
		return nil, cs.missingError(m)
	}
	return m.colOf, nil
}

// LooksUTF8 applies Open's encoding rule to the first non-ASCII record and
// whatever follows it in the buffer (more may end mid-character): valid
// UTF-8, or UTF-8 with at most one invalid byte per three good sequences;
// anything else is GB18030/GBK.
func LooksUTF8(record, more []byte) bool {
	good1, bad1 := utf8Score(record, false)
	good2, bad2 := utf8Score(more, true)
	good, bad := good1+good2, bad1+bad2
	return bad == 0 || good >= 3*bad
}

// GB18030Decoder decodes fields of a GB18030/GBK file as Open does.
type GB18030Decoder struct{ src csvSource }

// NewGB18030Decoder returns a decoder; it is not safe for concurrent use.
func NewGB18030Decoder() *GB18030Decoder {
	return &GB18030Decoder{src: csvSource{enc: encGB18030, gb: simplifiedchinese.GB18030.NewDecoder()}}
}

// Decode appends field as UTF-8 to dst; ok is false when the bytes are not
// valid GB18030.
func (d *GB18030Decoder) Decode(dst, field []byte) ([]byte, bool) { return d.src.decode(dst, field) }

// HeaderCell returns the header text of a canonical column as the file
// has it (金额(万元) tells the unit), "" when the file lacks the column.
func (r *Reader) HeaderCell(name string) string {
	i, ok := r.schema.names[name]
	if !ok || r.colOf[i] < 0 || r.colOf[i] >= len(r.header) {
		return ""
	}
	return r.header[r.colOf[i]]
}
