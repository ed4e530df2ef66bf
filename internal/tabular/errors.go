package tabular

import (
	"strconv"
	"strings"
)

// File-level error codes (Error.Code).
const (
	CodeEmpty            = "empty"             // no header row at all
	CodeMissingColumns   = "missing_columns"   // required columns absent
	CodeDuplicateColumns = "duplicate_columns" // two headers name the same column
	CodeEncoding         = "encoding"          // an encoding we do not read (UTF-16)
	CodeFormat           = "format"            // not CSV or XLSX, or a broken XLSX
	CodeTooManyRows      = "too_many_rows"     // Options.MaxRows exceeded
	CodeSchema           = "schema"            // the caller's Schema is inconsistent
	CodeDate             = "date"              // ParseDate
)

// Row-level error codes (RowError.Code).
const (
	CodeQuote        = "quote"          // unterminated or misplaced quote
	CodeFieldTooLong = "field_too_long" // a field exceeds Options.MaxFieldBytes
	CodeLineTooLong  = "line_too_long"  // a physical line exceeds the line limit
	CodeBadEncoding  = "bad_encoding"   // bytes invalid in the file's encoding
)

// Error rejects a whole file (or, for ParseDate, a value). Reason is shown
// to users as is; Columns holds canonical names for the column errors.
type Error struct {
	Code    string
	Reason  string
	Columns []string
}

func (e *Error) Error() string { return e.Reason }

// RowError rejects one row; reading can continue with Next, so an import
// can report every bad row of a file in one pass. Column is the canonical
// name when the column is in the schema, else the header text, else "".
type RowError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString("第")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString("行")
	if e.Column != "" {
		b.WriteString("[")
		b.WriteString(e.Column)
		b.WriteString("]")
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}
