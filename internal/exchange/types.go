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
	// Apply validates and writes one row inside the import's transaction. A row problem is
	// returned as *tabular.RowError (Line may be left 0; the frame fills it in).
	Apply func(ctx context.Context, tx *db.Tx, p *auth.Principal, row tabular.Row) (Outcome, error)
	// Export writes every row the principal may see.
	Export func(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error
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
	Rejected  []tabular.RowError `json:"rejected"`
	Committed bool               `json:"committed"`
}
