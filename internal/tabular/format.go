package tabular

import (
	"bytes"
	"path/filepath"
	"strings"
)

// Format is the container of a user's file.
type Format int

const (
	CSV Format = iota
	XLSX
)

func (f Format) String() string {
	if f == XLSX {
		return "xlsx"
	}
	return "csv"
}

const (
	zipMagic = "PK\x03\x04"
	// Legacy .xls and password-protected .xlsx are OLE compound files.
	oleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
)

// Detect decides by the zip signature first and the extension second: a
// CSV can never start with a zip local header, while users do rename
// workbooks to .csv (and send CSVs named .xlsx), so content is the better
// witness when the two disagree.
func Detect(name string, head []byte) Format {
	if bytes.HasPrefix(head, []byte(zipMagic)) {
		return XLSX
	}
	if len(head) >= len(zipMagic) {
		return CSV
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return XLSX
	}
	return CSV
}
