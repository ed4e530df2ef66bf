// Package crosscheck is the cross-check engine (信息比对): it streams
// external datasets once with a purpose-built parser, matches their rows to
// the registry's members by packed ID number, aggregates per household and
// turns matches into doubts (疑点) by rules that are data.
//
// The engine is pure: apart from LoadSnapshot it touches no database. The
// service (service.go and friends) stores datasets, rule versions, runs and
// doubts.
package crosscheck

import (
	"time"

	"sunshine/internal/tabular"
)

// Kind is a dataset kind of FORMATS.md "External datasets".
type Kind string

const (
	KindVehicle        Kind = "vehicle"
	KindFarmMachinery  Kind = "farm_machinery"
	KindSocialInsur    Kind = "social_insurance"
	KindHousingFund    Kind = "housing_fund"
	KindTax            Kind = "tax"
	KindRealEstate     Kind = "real_estate"
	KindDeposit        Kind = "deposit"
	KindSecurities     Kind = "securities"
	KindBusiness       Kind = "business"
	KindPublicEmployee Kind = "public_employee"
	KindDeath          Kind = "death"
	KindCadreRelative  Kind = "cadre_relative"
)

// ColumnType says how a column's text is checked and turned into Match.Nums
// in a matched row. Text columns are not parsed.
type ColumnType int

const (
	Text  ColumnType = iota
	Date             // tabular.ParseDate; Nums holds days since 1970-01-01, 0 when empty
	Money            // money.ParseYuan; Nums holds fen
	Int              // a whole number (tax year); Nums holds it
	Float            // a decimal like 89.5 (area in m²); Nums holds it ×100
	Enum             // one of Column.Values (after alias folding); Nums holds the index
)

// Column is one column of a dataset kind. Name is canonical (FORMATS.md);
// Aliases are the headers departments really use (身份证号, 号牌号码 …).
// A Money column whose header says 万元 (注册资本(万元)) is read in units
// of 10,000 yuan.
type Column struct {
	Name     string     `json:"name"`
	Label    string     `json:"label"` // Chinese, for the console and messages
	Aliases  []string   `json:"aliases,omitempty"`
	Required bool       `json:"required"`
	Type     ColumnType `json:"type"`
	// Values are the canonical values of an Enum column; ValueAliases maps
	// the Chinese words found in real files (小型轿车 → car) to them.
	Values       []string          `json:"values,omitempty"`
	ValueLabels  map[string]string `json:"value_labels,omitempty"` // canonical → Chinese
	ValueAliases map[string]string `json:"value_aliases,omitempty"`

	lookup map[string]int // value or alias as written → index into Values
}

// KindSpec lists the columns of a kind. Columns[0] is always id_number and
// Columns[1] name; the rest follow FORMATS.md in order, so a column's index
// in Columns is its index in Match.Values and Match.Nums.
type KindSpec struct {
	Kind    Kind     `json:"kind"`
	Label   string   `json:"label"` // 机动车登记, 不动产登记 …
	Columns []Column `json:"columns"`
}

// Match is one dataset row whose ID number is a member of the snapshot.
// Values (decoded to UTF-8, trimmed) and Nums are indexed like
// KindSpec.Columns; both stay valid after the callback returns.
type Match struct {
	Line   int64    // physical line of the row (the header is line 1 when it is the first line)
	Member int32    // index into Snapshot.Members; -1 in a scan without a snapshot
	Values []string // text of every column, "" when absent
	Nums   []int64  // parsed value per ColumnType (0 for Text and empty cells)
}

// ScanReport is what one pass over a dataset file found.
type ScanReport struct {
	Format   string `json:"format"`   // csv | xlsx
	Encoding string `json:"encoding"` // utf-8 | gb18030 (csv only; "" when all ASCII)
	Bytes    int64  `json:"bytes"`    // size of the file
	Rows     int64  `json:"rows"`     // data rows (blank lines not counted)
	Matched  int64  `json:"matched"`  // rows handed to the callback
	Rejected int64  `json:"rejected"` // rows rejected (bad ID, bad value in a matched row, column count …)
	// Errors holds the first MaxReportedErrors rejected rows with line,
	// column and reason.
	Errors []tabular.RowError `json:"errors"`
	// Header is the header row as read (UTF-8), for the console.
	Header []string `json:"header"`
}

// MaxReportedErrors bounds ScanReport.Errors.
const MaxReportedErrors = 1000

// Scope of a rule.
const (
	ScopeMember    = "member"
	ScopeHousehold = "household"
)

// Rule is one configurable check. Check names the Go evaluator (see
// rules.go, one per rule kind); Kind is the dataset kind it reads. Params
// holds the thresholds; only the fields its Check uses are meaningful.
// Explain is a template filled per doubt: {name}, {id} (masked), {detail}
// and the Check's own placeholders (see Checks()).
type Rule struct {
	Key     string `json:"key"` // unique in a RuleSet, e.g. "vehicle"
	Check   string `json:"check"`
	Kind    Kind   `json:"kind"`
	Label   string `json:"label"`
	Scope   string `json:"scope"` // member | household
	Params  Params `json:"params"`
	Explain string `json:"explain"`
	Enabled bool   `json:"enabled"`
	// DataError marks a rule whose findings are data errors (a name that
	// differs for the same ID number), not doubts of eligibility.
	DataError bool `json:"data_error"`
}

// Params are the thresholds of a rule. Money is in fen, dates are
// YYYY-MM-DD. A zero value means "not used" unless the Check says
// otherwise (see Validate).
type Params struct {
	// ExcludeTypes: values of the kind's type column that never count
	// (vehicle_type, machine_type, use, insurance_type, role).
	ExcludeTypes []string `json:"exclude_types,omitempty"`
	// IncludeTypes: when set, only these values count.
	IncludeTypes []string `json:"include_types,omitempty"`
	// MinValueFen: a row counts only when its value is at least this.
	MinValueFen int64 `json:"min_value_fen,omitempty"`
	// LineFen: yearly per-capita line (taxable income).
	LineFen int64 `json:"line_fen,omitempty"`
	// Months × the monthly minimum-living standard (StandardFen, or the
	// most specific RegionStandardFen prefix of the household's region)
	// per person is the financial-assets threshold.
	Months            int              `json:"months,omitempty"`
	StandardFen       int64            `json:"standard_fen,omitempty"`
	RegionStandardFen map[string]int64 `json:"region_standard_fen,omitempty"`
	// MaxCount: more than this many counted rows is a doubt (residential
	// properties: 1).
	MaxCount int `json:"max_count,omitempty"`
	// GraceDays: periods overlapping the registration period by fewer days
	// than this are ignored (dataset granularity is often a month).
	GraceDays int `json:"grace_days,omitempty"`
	// Since: rows (registrations, periods, tax years) before this date are
	// ignored.
	Since string `json:"since,omitempty"`
}

// RuleSet is a versioned list of rules. Version is assigned by the store;
// DefaultRules has version 0.
type RuleSet struct {
	Version int64  `json:"version"`
	Rules   []Rule `json:"rules"`
}

// Evidence is one dataset row behind a doubt. Fields are canonical column
// names → text as read; the ID number is kept unmasked here (the service
// masks it for readers without the right to see it).
type Evidence struct {
	DatasetID int64             `json:"dataset_id"`
	Line      int64             `json:"line"`
	Fields    map[string]string `json:"fields"`
}

// Doubt is a finding of one rule for one household (MemberID 0) or member.
type Doubt struct {
	HouseholdID  int64      `json:"household_id"`
	MemberID     int64      `json:"member_id"` // 0 for a household-level doubt
	RegionCode   string     `json:"region_code"`
	RuleKey      string     `json:"rule_key"`
	DataError    bool       `json:"data_error"`
	Explanation  string     `json:"explanation"`
	Evidence     []Evidence `json:"evidence"`
	EvidenceHash string     `json:"evidence_hash"` // SHA-256 hex over the sorted evidence
}

// DatasetFile is one registered dataset handed to Run.
type DatasetFile struct {
	ID   int64
	Kind Kind
	Path string
	// AsOf is the dataset's "as of" date: balances and statuses are taken
	// as of then. Zero means unknown.
	AsOf time.Time
}

// Progress is reported during Run, at least every few hundred thousand
// rows and at the end of each file.
type Progress struct {
	File       int   `json:"file"`  // index into the files of the run
	Files      int   `json:"files"` // number of files
	DatasetID  int64 `json:"dataset_id"`
	RowsRead   int64 `json:"rows_read"`   // all files so far
	BytesRead  int64 `json:"bytes_read"`  // all files so far
	TotalBytes int64 `json:"total_bytes"` // sum of the files' sizes
	Matched    int64 `json:"matched"`
	Done       bool  `json:"done"` // every file read; rules evaluated
}

// Result of a Run. Doubts are sorted by household, rule, member.
type Result struct {
	Doubts   []Doubt       `json:"doubts"`
	Reports  []ScanReport  `json:"reports"` // one per file, in the order given
	Rows     int64         `json:"rows"`
	Matched  int64         `json:"matched"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration"`
}
