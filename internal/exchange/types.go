// Package exchange is the frame for importing and exporting spreadsheets (FORMATS.md): a kind
// names its columns and how to apply or produce rows; the frame reads the file in one pass
// inside one transaction, collects every rejected row with line, column and reason, and
// commits all or nothing (or only the valid rows, when asked). Domains register their kinds.
package exchange

import (
	"context"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/tabular"
)

// Kind is one importable/exportable dataset.
type Kind struct {
	Name   string
	Label  string
	Schema tabular.Schema
	// ImportAction and ExportAction are what the principal's role must allow (region scope is
	// checked row by row by the kind). A kind that imports or exports must name its action.
	ImportAction auth.Action
	ExportAction auth.Action
	// Apply validates and writes one row inside the import's transaction. A row problem is
	// returned as *tabular.RowError (Line may be left 0; the frame fills it in).
	Apply func(ctx context.Context, tx *db.Tx, p *auth.Principal, row tabular.Row) (Outcome, error)
	// Begin, when set, is used instead of Apply: big imports preload what they compare against
	// and write in batches, which one query per row cannot match.
	Begin func(ctx context.Context, tx *db.Tx, p *auth.Principal, meta Meta) (Batch, error)
	// Export writes every row the principal may see.
	Export func(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error
	// Tables are what a big import fills; their planner statistics are refreshed after it.
	Tables []string
}

// Importable reports whether the kind can be imported.
func (k Kind) Importable() bool { return k.Apply != nil || k.Begin != nil }

// Meta describes the file being imported to a batch.
type Meta struct {
	File   string
	SHA256 string // of the whole file, known before the first row
	// Source is what imported rows record as their origin: "import:" and the first 16 hex
	// digits of SHA256, so a row leads back to the file and its audit event.
	Source string
	// Has reports whether the file has a column (by canonical name): an absent optional column
	// leaves stored values alone instead of blanking them.
	Has       func(column string) bool
	ValidOnly bool
}

// Batch applies the rows of one import. Apply validates a row and records or buffers its
// write (a row problem is a *tabular.RowError, as for Kind.Apply); Flush writes whatever is
// buffered and finishes derived data. The frame calls Flush once, after the last row; errors
// from either that are not row errors abort the import.
type Batch interface {
	Apply(row tabular.Row) (Outcome, error)
	Flush() error
}

// Outcome is what applying one row did.
type Outcome int

const (
	Unchanged Outcome = iota
	Inserted
	Updated
)

// Options of an import.
type Options struct {
	ValidOnly bool // commit the valid rows even when some are rejected
	MaxRows   int
	// Progress, when set, is told now and then how far the import has come: bytes of the
	// file read and rows done.
	Progress func(bytesRead int64, rows int)
}

// Report is the result of an import, shown to the user and kept in the audit trail.
type Report struct {
	Kind      string             `json:"kind"`
	File      string             `json:"file"`
	SHA256    string             `json:"sha256"`
	Rows      int                `json:"rows"`
	Inserted  int                `json:"inserted"`
	Updated   int                `json:"updated"`
	Unchanged int                `json:"unchanged"`
	Rejected  []tabular.RowError `json:"rejected"` // the first MaxRejected of them
	// RejectedTotal counts every rejected row, also those past MaxRejected.
	RejectedTotal int  `json:"rejected_total"`
	Committed     bool `json:"committed"`
}

// MaxRejected bounds the rejected rows a report lists: a file that is wrong throughout would
// otherwise turn a million rows into a million-line report.
const MaxRejected = 1000
