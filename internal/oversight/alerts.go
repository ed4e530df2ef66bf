package oversight

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// AlertRow is an alert (预警) in a list.
type AlertRow struct {
	ID              int64   `json:"id"`
	AlertKey        string  `json:"alert_key"`
	RuleKey         string  `json:"rule_key"`
	RuleLabel       string  `json:"rule_label"`
	Category        string  `json:"category"`
	Severity        string  `json:"severity"`
	Department      string  `json:"department"`
	DepartmentLabel string  `json:"department_label"`
	RegionCode      string  `json:"region_code"`
	RegionName      string  `json:"region_name"`
	EntityType      string  `json:"entity_type"`
	EntityID        int64   `json:"entity_id"`
	HouseholdID     *int64  `json:"household_id"`
	HouseholdNo     string  `json:"household_no"`
	HeadName        string  `json:"head_name"`
	AmountFen       int64   `json:"amount_fen"`
	Explanation     string  `json:"explanation"`
	Status          string  `json:"status"`
	Outcome         string  `json:"outcome"`
	Deadline        string  `json:"deadline"`
	Light           string  `json:"light"` // "", yellow, orange, red: computed when read
	OverdueDays     int     `json:"overdue_days"`
	AssigneeID      *int64  `json:"assignee_id"`
	AssigneeName    string  `json:"assignee_name"`
	AssignedAt      *string `json:"assigned_at"`
	ClosedAt        *string `json:"closed_at"`
	Version         int64   `json:"version"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// AlertAttachment is a file attached to an alert's handling (findings, photos, documents).
type AlertAttachment struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	AddedAt     string `json:"added_at"`
}

// AlertCase is an accountability case (问责) recorded on an alert.
type AlertCase struct {
	ID             int64  `json:"id"`
	RegionCode     string `json:"region_code"`
	PersonName     string `json:"person_name"`
	PersonPosition string `json:"person_position"`
	PersonUnit     string `json:"person_unit"`
	Violation      string `json:"violation"`
	Handling       string `json:"handling"`
	DecidedOn      string `json:"decided_on"`
	CreatedAt      string `json:"created_at"`
}

// AlertDetail is an alert with its evidence, handling, attachments, history and cases.
type AlertDetail struct {
	AlertRow
	Evidence    json.RawMessage   `json:"evidence"`
	Findings    string            `json:"findings"`
	AssignNote  string            `json:"assign_note"`
	PrevAlertID *int64            `json:"prev_alert_id"`
	Attachments []AlertAttachment `json:"attachments"`
	History     []audit.Event     `json:"history"`
	Cases       []AlertCase       `json:"cases"`
}

// AlertFilter selects alerts in a list, its statistics and its export.
type AlertFilter struct {
	Region     string
	Status     string // open | assigned | verifying | closed | pending (not closed)
	Category   string
	Rule       string
	Department string // a role
	Severity   string
	Light      string // yellow | orange | red
	Household  int64
	Mine       bool // the caller's department (role): a handling office's inbox
	Overdue    bool // pending and past the deadline (orange or red)
	After      int64
	Limit      int
}

var (
	alertStatuses   = []string{StatusOpen, StatusAssigned, StatusVerifying, StatusClosed}
	alertCategories = []string{CatRegistry, CatVisits, CatCrosscheck, CatFunds, CatProjects}
	alertSeverities = []string{SevLow, SevMedium, SevHigh}
	alertLights     = []string{LightYellow, LightOrange, LightRed}
)

// Labels of the alert vocabularies, for exports and messages.
var (
	AlertStatusLabels   = map[string]string{StatusOpen: "待处理", StatusAssigned: "已交办", StatusVerifying: "核查中", StatusClosed: "已办结"}
	AlertOutcomeLabels  = map[string]string{OutcomeSubstantiated: "属实", OutcomeUnfounded: "不属实", "": ""}
	AlertCategoryLabels = map[string]string{CatRegistry: "建档立卡", CatVisits: "帮扶走访", CatCrosscheck: "信息比对", CatFunds: "扶贫资金", CatProjects: "项目资产"}
	AlertSeverityLabels = map[string]string{SevLow: "一般", SevMedium: "较重", SevHigh: "严重"}
	AlertLightLabels    = map[string]string{LightNone: "", LightYellow: "黄灯", LightOrange: "橙灯", LightRed: "红灯"}
)

// Check refuses values outside the vocabularies (each names its field).
func (f AlertFilter) Check() error {
	if f.Region != "" && !regioncode.Valid(f.Region) {
		return errs.Field("region", "区划代码须为 12 位数字")
	}
	if f.Status != "" && f.Status != "pending" && !slices.Contains(alertStatuses, f.Status) {
		return errs.Field("status", "应为 open、assigned、verifying、closed 或 pending")
	}
	if f.Category != "" && !slices.Contains(alertCategories, f.Category) {
		return errs.Field("category", "应为 registry、visits、crosscheck、funds 或 projects")
	}
	if len(f.Rule) > 64 || !utf8.ValidString(f.Rule) {
		return errs.Field("rule", "规则键过长或无效")
	}
	if f.Department != "" && !auth.Role(f.Department).Valid() {
		return errs.Field("department", "未知的部门(角色)")
	}
	if f.Severity != "" && !slices.Contains(alertSeverities, f.Severity) {
		return errs.Field("severity", "应为 low、medium 或 high")
	}
	if f.Light != "" && !slices.Contains(alertLights, f.Light) {
		return errs.Field("light", "应为 yellow、orange 或 red")
	}
	if f.Household < 0 {
		return errs.Field("household", "应为正整数")
	}
	return nil
}

// ParseAlertFilter reads the list filters from a query string (region, status, category,
// rule, department, severity, light, household, mine=1, overdue=1), shared by the list, its
// statistics and its export. Paging (after, limit) is read by the list.
func ParseAlertFilter(q url.Values) (AlertFilter, error) {
	f := AlertFilter{Region: q.Get("region"), Status: q.Get("status"), Category: q.Get("category"), Rule: q.Get("rule"),
		Department: q.Get("department"), Severity: q.Get("severity"), Light: q.Get("light")}
	if v := q.Get("household"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, errs.Field("household", "应为正整数")
		}
		f.Household = n
	}
	for _, flag := range []struct {
		name string
		dst  *bool
	}{{"mine", &f.Mine}, {"overdue", &f.Overdue}} {
		switch q.Get(flag.name) {
		case "", "0":
		case "1":
			*flag.dst = true
		default:
			return f, errs.Field(flag.name, "应为 1 或 0")
		}
	}
	return f, f.Check()
}

// parseAlertCursor reads the list cursor: the id of the last alert of the previous page.
func parseAlertCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, errs.Field("after", "分页游标无效")
	}
	return n, nil
}

// alertToday is the Shanghai date now.
func (s *Service) alertToday() string { return db.Date(s.DB.Clock()) }

// overdueDays is how many days a pending alert is past its deadline (0 when not).
func overdueDays(status, deadline, today string) int {
	if status == StatusClosed || deadline == "" || deadline >= today {
		return 0
	}
	dl, err1 := time.Parse(db.DateLayout, deadline)
	td, err2 := time.Parse(db.DateLayout, today)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(td.Sub(dl).Hours() / 24)
}

// zoneOf picks the escalation governing an alert's region.
func zoneOf(zones []escZone, region string) Escalation {
	for _, z := range zones {
		if region >= z.lo && region <= z.hi {
			return z.esc
		}
	}
	return DefaultEscalation
}

// Alerts pages through the alerts a filter selects under a region (the caller's scope by
// default), newest first.
func (s *Service) Alerts(ctx context.Context, p *auth.Principal, f AlertFilter) ([]AlertRow, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	q := s.DB.Reader()
	r, err := alertRegionIn(ctx, q, p, auth.AlertRead, f.Region)
	if err != nil {
		return nil, err
	}
	f.Region = r.Code
	if f.Limit <= 0 || f.Limit > 1001 {
		f.Limit = 51
	}
	zones, err := escalationZones(ctx, q, f.Region)
	if err != nil {
		return nil, err
	}
	today := s.alertToday()
	rows, err := listAlerts(ctx, q, p, f, zones, today)
	for i := range rows {
		rows[i].OverdueDays = overdueDays(rows[i].Status, rows[i].Deadline, today)
	}
	return rows, err
}

// Alert returns one alert the principal may read, with its evidence, attachments, history and
// cases. An alert outside the caller's scope does not exist for them.
func (s *Service) Alert(ctx context.Context, p *auth.Principal, id int64) (AlertDetail, error) {
	q := s.DB.Reader()
	d, err := getAlert(ctx, q, id)
	if err != nil {
		return d, err
	}
	if !p.InScope(d.RegionCode) {
		return AlertDetail{}, errNoAlert
	}
	if err := p.RequireIn(auth.AlertRead, d.RegionCode); err != nil {
		return AlertDetail{}, err
	}
	zones, err := escalationZones(ctx, q, d.RegionCode)
	if err != nil {
		return d, err
	}
	today := s.alertToday()
	d.Light = LightOf(d.Status, d.Deadline, today, zoneOf(zones, d.RegionCode))
	d.OverdueDays = overdueDays(d.Status, d.Deadline, today)
	if d.Attachments, err = alertAttachments(ctx, q, id); err != nil {
		return d, err
	}
	d.Cases = []AlertCase{}
	if p.Can(auth.CaseRead) { // as on a complaint: the persons held accountable only for case.read holders
		if d.Cases, err = alertCases(ctx, q, id); err != nil {
			return d, err
		}
	}
	if d.History, err = s.Audit.History(ctx, "alert", alertItoa(id), 200); err != nil {
		return d, err
	}
	if d.History == nil {
		d.History = []audit.Event{}
	}
	return d, nil
}
