package crosscheck

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Doubt statuses. open and dispatched are pending; the other three are outcomes.
const (
	StatusOpen       = "open"
	StatusDispatched = "dispatched"
	StatusConfirmed  = "confirmed"
	StatusExplained  = "explained"
	StatusDataError  = "data_error"
)

// pendingStatus reports whether a doubt still waits for its outcome.
func pendingStatus(s string) bool { return s == StatusOpen || s == StatusDispatched }

// ---- doubts ----

// DoubtRow is a doubt in a list.
type DoubtRow struct {
	ID             int64   `json:"id"`
	RunID          int64   `json:"run_id"`
	LastRunID      int64   `json:"last_run_id"`
	HouseholdID    int64   `json:"household_id"`
	HouseholdNo    string  `json:"household_no"`
	HeadName       string  `json:"head_name"`
	MemberID       int64   `json:"member_id"`
	MemberName     string  `json:"member_name"`
	MemberIDMasked string  `json:"member_id_number_masked"`
	RegionCode     string  `json:"region_code"`
	RegionName     string  `json:"region_name"`
	RuleKey        string  `json:"rule_key"`
	RuleLabel      string  `json:"rule_label"`
	DataError      bool    `json:"data_error"`
	Explanation    string  `json:"explanation"`
	Status         string  `json:"status"`
	HelperID       *int64  `json:"helper_id"`
	HelperName     string  `json:"helper_name"`
	HelperPhone    string  `json:"helper_phone"`
	Deadline       *string `json:"deadline"`
	DispatchedAt   *string `json:"dispatched_at"`
	ClosedAt       *string `json:"closed_at"`
	OutcomeReason  string  `json:"outcome_reason"`
	// Overdue: dispatched and past its deadline (Shanghai calendar), computed when read. An
	// overdue doubt is escalated: it shows in the town's and county's overdue lists and counts.
	Overdue     bool   `json:"overdue"`
	OverdueDays int    `json:"overdue_days"`
	Version     int64  `json:"version"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`

	idNumber string
}

// DoubtFilter selects doubts in a list.
type DoubtFilter struct {
	Region    string
	Status    string // open | dispatched | confirmed | explained | data_error | pending (open or dispatched)
	Rule      string
	RunID     int64 // doubts the run found (new, repeated, updated or suppressed)
	Household int64
	Overdue   bool
	After     Cursor
	Limit     int
}

var statuses = []string{StatusOpen, StatusDispatched, StatusConfirmed, StatusExplained, StatusDataError}

// Doubts pages through doubts under a region by village then id.
func (s *Service) Doubts(ctx context.Context, p *auth.Principal, f DoubtFilter) ([]DoubtRow, error) {
	q := s.DB.Reader()
	r, err := regionIn(ctx, q, p, auth.DoubtRead, f.Region)
	if err != nil {
		return nil, err
	}
	f.Region = r.Code
	if err := f.check(); err != nil {
		return nil, err
	}
	rows, err := listDoubts(ctx, q, f, db.Date(s.DB.Clock()))
	for i := range rows {
		rows[i].finish(s.DB.Clock())
	}
	return rows, err
}

// check refuses an unknown status or an overlong rule key.
func (f DoubtFilter) check() error {
	if f.Status != "" && f.Status != "pending" && !slices.Contains(statuses, f.Status) {
		return errs.Field("status", "应为 open、dispatched、confirmed、explained、data_error 或 pending")
	}
	if len(f.Rule) > 64 {
		return errs.Field("rule", "规则键过长")
	}
	return nil
}

// finish derives the computed fields.
func (d *DoubtRow) finish(now time.Time) {
	if d.idNumber != "" {
		d.MemberIDMasked = idcard.Mask(d.idNumber)
	}
	if d.Status == StatusDispatched && d.Deadline != nil {
		today := db.Date(now)
		if *d.Deadline < today {
			d.Overdue = true
			dl, _ := time.Parse(db.DateLayout, *d.Deadline)
			td, _ := time.Parse(db.DateLayout, today)
			d.OverdueDays = int(td.Sub(dl).Hours() / 24)
		}
	}
}

// EvidenceView is one evidence row with the dataset it came from.
type EvidenceView struct {
	DatasetID  int64             `json:"dataset_id"`
	Kind       Kind              `json:"kind"`
	KindLabel  string            `json:"kind_label"`
	SourceDept string            `json:"source_dept"`
	AsOf       string            `json:"as_of"`
	FileName   string            `json:"file_name"`
	Line       int64             `json:"line"`
	Fields     map[string]string `json:"fields"`
}

// DoubtDetail is a doubt with its evidence, its verification and its history.
type DoubtDetail struct {
	DoubtRow
	MemberIDNumber string         `json:"member_id_number"`
	Evidence       []EvidenceView `json:"evidence"`
	EvidenceHash   string         `json:"evidence_hash"`
	DispatchNote   string         `json:"dispatch_note"`
	AttachmentID   *int64         `json:"attachment_id"`
	ProcedureID    *int64         `json:"procedure_id"`
	PrevDoubtID    *int64         `json:"prev_doubt_id"`
	History        []audit.Event  `json:"history"`
}

// Doubt returns one doubt the principal may read.
func (s *Service) Doubt(ctx context.Context, p *auth.Principal, id int64) (DoubtDetail, error) {
	q := s.DB.Reader()
	d, err := getDoubt(ctx, q, id)
	if err != nil {
		return d, err
	}
	if !p.InScope(d.RegionCode) {
		return DoubtDetail{}, errNoDoubt
	}
	if err := p.RequireIn(auth.DoubtRead, d.RegionCode); err != nil {
		return DoubtDetail{}, err
	}
	d.finish(s.DB.Clock())
	d.MemberIDNumber = d.idNumber
	if d.History, err = s.Audit.History(ctx, "doubt", strconv.FormatInt(id, 10), 100); err != nil {
		return d, err
	}
	if d.History == nil {
		d.History = []audit.Event{}
	}
	return d, nil
}

var errNoDoubt = errs.E(errs.NotFound, "疑点不存在")

// DoubtCounts are doubts by state. Pending = open + dispatched; overdue ones are among the
// dispatched.
type DoubtCounts struct {
	Total      int64 `json:"total"`
	Open       int64 `json:"open"`
	Dispatched int64 `json:"dispatched"`
	Overdue    int64 `json:"overdue"`
	Confirmed  int64 `json:"confirmed"`
	Explained  int64 `json:"explained"`
	DataError  int64 `json:"data_error"`
}

func (c *DoubtCounts) add(status string, overdue bool, n int64) {
	c.Total += n
	switch status {
	case StatusOpen:
		c.Open += n
	case StatusDispatched:
		c.Dispatched += n
		if overdue {
			c.Overdue += n
		}
	case StatusConfirmed:
		c.Confirmed += n
	case StatusExplained:
		c.Explained += n
	case StatusDataError:
		c.DataError += n
	}
}

// DoubtChild is a direct child region's counts.
type DoubtChild struct {
	RegionRef
	DoubtCounts
}

// DoubtRule is one rule's counts.
type DoubtRule struct {
	RuleKey   string `json:"rule_key"`
	RuleLabel string `json:"rule_label"`
	DoubtCounts
}

// DoubtStats are a region's doubts in total, per direct child region and per rule.
type DoubtStats struct {
	Region   RegionRef    `json:"region"`
	Total    DoubtCounts  `json:"total"`
	Children []DoubtChild `json:"children"`
	Rules    []DoubtRule  `json:"rules"`
}

// Stats counts the doubts a list filter selects (region, status, rule, run, overdue,
// household; paging ignored) by state, per child region and per rule: the console's figures
// follow its filter bar.
func (s *Service) Stats(ctx context.Context, p *auth.Principal, f DoubtFilter) (DoubtStats, error) {
	q := s.DB.Reader()
	st := DoubtStats{Children: []DoubtChild{}, Rules: []DoubtRule{}}
	r, err := regionIn(ctx, q, p, auth.DoubtRead, f.Region)
	if err != nil {
		return st, err
	}
	if err := f.check(); err != nil {
		return st, err
	}
	f.Region = r.Code
	st.Region = r
	childLen := 12
	switch regioncode.LevelOf(r.Code) {
	case regioncode.Province:
		childLen = 4
	case regioncode.City:
		childLen = 6
	case regioncode.County:
		childLen = 9
	}
	groups, err := doubtGroups(ctx, q, f, childLen, db.Date(s.DB.Clock()))
	if err != nil {
		return st, err
	}
	byChild := map[string]*DoubtCounts{}
	byRule := map[string]*DoubtRule{}
	for _, g := range groups {
		st.Total.add(g.status, g.overdue, g.n)
		c := byChild[g.child]
		if c == nil {
			c = &DoubtCounts{}
			byChild[g.child] = c
		}
		c.add(g.status, g.overdue, g.n)
		ru := byRule[g.rule]
		if ru == nil {
			ru = &DoubtRule{RuleKey: g.rule, RuleLabel: g.label}
			byRule[g.rule] = ru
		}
		ru.add(g.status, g.overdue, g.n)
	}
	if regioncode.LevelOf(r.Code) != regioncode.Village {
		kids, err := childRegions(ctx, q, r.Code)
		if err != nil {
			return st, err
		}
		for _, k := range kids {
			ch := DoubtChild{RegionRef: k}
			if c, ok := byChild[regioncode.Prefix(k.Code)]; ok {
				ch.DoubtCounts = *c
			}
			st.Children = append(st.Children, ch)
		}
	}
	for _, ru := range byRule {
		st.Rules = append(st.Rules, *ru)
	}
	slices.SortFunc(st.Rules, func(a, b DoubtRule) int { return strings.Compare(a.RuleKey, b.RuleKey) })
	return st, nil
}

// ExportColumns are the columns of a doubts export (核查清单).
var ExportColumns = []string{"doubt_id", "run_id", "household_no", "head_name", "region_code", "region_name", "member_name",
	"id_number", "rule_key", "rule_label", "data_error", "explanation", "status", "helper_name", "helper_phone", "deadline",
	"overdue", "outcome_reason", "created_at"}

// ExportDoubts writes the doubts a filter selects (every page) as CSV or XLSX. ID numbers are
// written in full only for principals allowed to export registry data; others get them masked.
func (s *Service) ExportDoubts(ctx context.Context, p *auth.Principal, f DoubtFilter, format string, w io.Writer) error {
	if format != "csv" && format != "xlsx" {
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	if f.RunID > 0 {
		if _, err := s.RunByID(ctx, p, f.RunID); err != nil {
			return err
		}
	}
	full := p.Can(auth.HouseholdExport)
	// Check the first page before writing anything, so a refusal is still an error status.
	f.Limit = 1000
	rows, err := s.Doubts(ctx, p, f)
	if err != nil {
		return err
	}
	var tw *tabular.Writer
	if format == "xlsx" {
		tw, err = tabular.NewXLSXWriter(w, "疑点", ExportColumns)
	} else {
		tw, err = tabular.NewCSVWriter(w, ExportColumns)
	}
	if err != nil {
		return err
	}
	for {
		for _, d := range rows {
			id := d.MemberIDMasked
			if full {
				id = d.idNumber
			}
			dl := ""
			if d.Deadline != nil {
				dl = *d.Deadline
			}
			if err := tw.Write([]string{itoa(d.ID), itoa(d.RunID), d.HouseholdNo, d.HeadName, d.RegionCode, d.RegionName,
				d.MemberName, id, d.RuleKey, d.RuleLabel, yesNo(d.DataError), d.Explanation, d.Status, d.HelperName, d.HelperPhone,
				dl, yesNo(d.Overdue), d.OutcomeReason, shanghai(d.CreatedAt)}); err != nil {
				return err
			}
		}
		if len(rows) < f.Limit {
			break
		}
		last := rows[len(rows)-1]
		f.After = Cursor{Region: last.RegionCode, ID: last.ID}
		if rows, err = s.Doubts(ctx, p, f); err != nil {
			return err
		}
	}
	return tw.Close()
}

func yesNo(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// shanghai shows a stored timestamp in Shanghai time.
func shanghai(stored string) string {
	t := db.ParseTime(stored)
	if t.IsZero() {
		return stored
	}
	return t.In(db.Shanghai).Format("2006-01-02 15:04:05")
}
