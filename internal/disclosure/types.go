// Package disclosure is the public sunshine portal's read side (阳光公开): per county, town
// and village the headline figures, the registered households masked, the publicity notices
// with their objection period, and the use of funds; plus public objections to an open notice.
// Nothing here needs a sign-in, so every answer is masked before it leaves the package, read
// from the read pool only, and cached briefly so a surge on one village page runs its queries
// once and cannot slow the office console.
package disclosure

// RegionRef names a region for navigation.
type RegionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// Stats are a region's headline figures. Money is in fen.
type Stats struct {
	Year             int   `json:"year"`               // the calendar year (Asia/Shanghai) of the *_year figures
	Households       int64 `json:"households"`         // registered (在档) households
	People           int64 `json:"people"`             // their members
	ExitedYear       int64 `json:"exited_year"`        // households exited (脱贫) this year
	Helpers          int64 `json:"helpers"`            // helpers with a current assignment in the region
	PaidYearFen      int64 `json:"paid_year_fen"`      // paid to households' passbooks this year, net of reversals
	PaidTotalFen     int64 `json:"paid_total_fen"`     // the same over all years
	Projects         int64 `json:"projects"`           // projects past approval (招标 on), not failed
	ProjectBudgetFen int64 `json:"project_budget_fen"` // their budgets
}

// Objection periods of a notice.
const (
	PeriodOpen   = "open"   // within its period and still the procedure's current notice: objections accepted
	PeriodClosed = "closed" // ended (within the last 30 days), or superseded
)

// Notice is a publicity notice (公示) as the public sees it: names and numbers in it masked.
type Notice struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"` // the procedure: registration, exit, removal, return
	KindLabel  string `json:"kind_label"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	StartsAt   string `json:"starts_at"`
	EndsAt     string `json:"ends_at"`
	Period     string `json:"period"` // open | closed
	Objections int64  `json:"objections"`
	Unanswered int64  `json:"unanswered"`
}

// RegionPage is the public page of a region.
type RegionPage struct {
	Code     string      `json:"code"`
	Name     string      `json:"name"`
	Level    string      `json:"level"`
	Path     []RegionRef `json:"path"`     // the enclosing regions, top first (breadcrumbs)
	Children []RegionRef `json:"children"` // the regions directly below
	Stats    Stats       `json:"stats"`
	Notices  []Notice    `json:"notices"` // open first, then those ended within 30 days
	AsOf     string      `json:"as_of"`
}

// Household is a registered (or recently exited, within the policy period) household, masked:
// no ID number, phone, account, address or health data.
type Household struct {
	HeadName     string `json:"head_name"` // 张*明
	VillageCode  string `json:"village_code"`
	VillageName  string `json:"village_name"`
	Type         string `json:"type"`
	TypeLabel    string `json:"type_label"`
	Status       string `json:"status"`
	StatusLabel  string `json:"status_label"`
	MembersCount int64  `json:"members_count"`
	HelperName   string `json:"helper_name"` // masked too
}

// ItemUse is what one item of a fund paid in the region.
type ItemUse struct {
	ItemID         int64  `json:"item_id"` // 0: payments booked without an item
	ItemName       string `json:"item_name"`
	Households     int64  `json:"households"`      // households (passbooks) that received money, all years
	HouseholdsYear int64  `json:"households_year"` // … this year
	PaidFen        int64  `json:"paid_fen"`
	PaidYearFen    int64  `json:"paid_year_fen"`
}

// FundUse is what one fund paid to households in the region, by item.
type FundUse struct {
	FundID      int64     `json:"fund_id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	SourceLevel string    `json:"source_level"`
	Year        int       `json:"year"`
	PaidFen     int64     `json:"paid_fen"`
	PaidYearFen int64     `json:"paid_year_fen"`
	Items       []ItemUse `json:"items"`
}

// FundsPage is the use of funds in a region: payments to passbooks under it, net of reversals.
type FundsPage struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Year        int       `json:"year"`
	PaidFen     int64     `json:"paid_fen"`
	PaidYearFen int64     `json:"paid_year_fen"`
	Households  int64     `json:"households"`
	Funds       []FundUse `json:"funds"`
	AsOf        string    `json:"as_of"`
}

// ObjectionInput is a public objection (异议) to an open notice.
type ObjectionInput struct {
	Content string `json:"content"`
	Contact string `json:"contact"`
}

// ObjectionReceipt is what the objector gets back: never the contact in full.
type ObjectionReceipt struct {
	ID       int64  `json:"id"`
	NoticeID int64  `json:"notice_id"`
	LodgedAt string `json:"lodged_at"`
	Contact  string `json:"contact"` // masked
	Message  string `json:"message"`
}

var typeLabels = map[string]string{"dibao": "低保户", "tekun": "特困供养", "general": "一般低收入户"}

var statusLabels = map[string]string{"registered": "在档", "exited": "已脱贫(政策延续期)"}

// kindLabels are the registry's procedure kinds (registry.kindLabel).
var kindLabels = map[string]string{"registration": "纳入", "exit": "脱贫退出", "removal": "核销", "return": "返贫纳入"}
