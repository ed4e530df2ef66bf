// Package projects is precise project arrangement (精准安排扶贫项目): projects of three kinds
// through a nine-stage lifecycle whose every stage has its documents and a sign-off by the
// right role at the right level; direct-to-household applications reviewed level by level;
// village plans filed upward (备案); risks and fault tolerance (容错); and the
// poverty-alleviation assets (扶贫资产) that accepted projects form, whose yearly income is
// distributed in full to the entitled households' passbooks through the ledger.
package projects

import "sunshine/internal/auth"

// Project kinds and their subkinds as stored.
var (
	Kinds = []string{"household", "carrier", "village"}
	// VillageSubkinds: land_share is the province's 2,000,000-yuan land share cooperative
	// pilot; the others are the 600,000-yuan / city-designated weak-village projects.
	VillageSubkinds = []string{"land_share", "resource", "service", "property", "mixed"}
	CarrierSubkinds = []string{"enterprise", "cooperative"}
	Statuses        = []string{"active", "completed", "failed"}
	// Links are how a beneficiary benefits (利益联结).
	Links = []string{"dividend", "employment", "purchase", "rent", "subsidy", "other"}
)

// Stage numbers. Done (9) means all nine stages are signed.
const (
	Research       = 0 // 调研
	Feasibility    = 1 // 论证
	Review         = 2 // 评审
	Approval       = 3 // 立项
	Tender         = 4 // 招标
	Implementation = 5 // 实施
	Acceptance     = 6 // 验收
	Evaluation     = 7 // 绩效评估
	Distribution   = 8 // 收益分配
	Done           = 9
)

// StageRule is what a stage needs before it can be signed off, and who signs it.
type StageRule struct {
	Stage int    `json:"stage"`
	Key   string `json:"key"`
	Label string `json:"label"`
	// Docs are the document types that must be on file for the stage.
	Docs []DocType `json:"docs"`
	// Roles may sign; Level is the signer's scope level (village, town, county). A project
	// sitting above that level (a county's carrier project) is signed at the project's level.
	Roles []auth.Role `json:"roles"`
	Level string      `json:"level"`
	// Days is the default planned duration when a project is registered without a plan.
	Days int `json:"days"`
}

// DocType is a kind of stage document.
type DocType struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Stages is the lifecycle: the order is the law (no stage is skipped).
var Stages = []StageRule{
	{Research, "research", "调研", []DocType{{"survey", "调研报告"}}, []auth.Role{auth.VillageCadre, auth.PovertyOffice}, "village", 30},
	{Feasibility, "feasibility", "论证", []DocType{{"feasibility", "可行性论证报告"}}, []auth.Role{auth.PovertyOffice}, "town", 30},
	{Review, "review", "评审", []DocType{{"review_opinion", "评审意见"}}, []auth.Role{auth.PovertyOffice}, "county", 20},
	{Approval, "approval", "立项", []DocType{{"approval_doc", "立项批复"}}, []auth.Role{auth.PovertyOffice}, "county", 15},
	{Tender, "tender", "招标", []DocType{{"tender_doc", "招标文件"}, {"award_notice", "中标通知书"}}, []auth.Role{auth.PovertyOffice}, "town", 30},
	{Implementation, "implementation", "实施", []DocType{{"contract", "实施合同"}}, []auth.Role{auth.PovertyOffice}, "town", 120},
	{Acceptance, "acceptance", "验收", []DocType{{"acceptance_report", "验收报告"}}, []auth.Role{auth.PovertyOffice}, "county", 20},
	{Evaluation, "evaluation", "绩效评估", []DocType{{"evaluation_report", "绩效评价报告"}}, []auth.Role{auth.Finance}, "county", 30},
	{Distribution, "distribution", "收益分配", []DocType{{"distribution_plan", "收益分配方案"}}, []auth.Role{auth.PovertyOffice}, "town", 30},
}

// OtherDoc is a supporting document of any stage (photos, minutes), never required.
var OtherDoc = DocType{"other", "其他材料"}

// Project is a project as the console shows it.
type Project struct {
	ID               int64   `json:"id"`
	Code             string  `json:"code"`
	Name             string  `json:"name"`
	Kind             string  `json:"kind"`
	Subkind          string  `json:"subkind"`
	RegionCode       string  `json:"region_code"`
	RegionName       string  `json:"region_name"`
	Year             int     `json:"year"`
	BudgetFen        int64   `json:"budget_fen"`
	Implementer      string  `json:"implementer"`
	CarrierName      string  `json:"carrier_name"`
	Scale            string  `json:"scale"`
	BenefitMechanism string  `json:"benefit_mechanism"`
	Targets          string  `json:"targets"`
	Stage            int     `json:"stage"`
	StageSince       string  `json:"stage_since"`
	StageDue         *string `json:"stage_due"`
	// Overdue: the current stage's planned end has passed (Asia/Shanghai date).
	Overdue   bool   `json:"overdue"`
	Status    string `json:"status"`
	PlanID    *int64 `json:"plan_id"`
	AccountID int64  `json:"account_id"`
	// ReceivedFen is what the ledger moved into the project's account, net of reversals;
	// SpentFen what left it. Beneficiaries counts approved beneficiaries.
	ReceivedFen   int64  `json:"received_fen"`
	SpentFen      int64  `json:"spent_fen"`
	Beneficiaries int    `json:"beneficiaries"`
	Version       int    `json:"version"`
	CreatedBy     int64  `json:"created_by"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

// ProjectDetail is the project page: the project, its nine stages with documents, its
// funding by fund, and counts of what hangs off it.
type ProjectDetail struct {
	Project
	Stages  []StageRow    `json:"stages"`
	Funding []FundingLine `json:"funding"`
	Risks   int           `json:"open_risks"`
	Assets  int           `json:"assets"`
}

// StageRow is one stage of one project.
type StageRow struct {
	Stage        int        `json:"stage"`
	Key          string     `json:"key"`
	Label        string     `json:"label"`
	PlannedStart *string    `json:"planned_start"`
	PlannedEnd   *string    `json:"planned_end"`
	ActualStart  *string    `json:"actual_start"`
	ActualEnd    *string    `json:"actual_end"`
	SignedBy     *int64     `json:"signed_by"`
	SignedByName string     `json:"signed_by_name"`
	SignedRole   string     `json:"signed_role"`
	SignedScope  string     `json:"signed_scope"`
	Opinion      string     `json:"opinion"`
	Overdue      bool       `json:"overdue"`
	Required     []DocType  `json:"required"`
	Missing      []string   `json:"missing"` // required doc types not yet on file
	Documents    []Document `json:"documents"`
}

// Document is a stage document with its file's SHA-256.
type Document struct {
	ID           int64  `json:"id"`
	ProjectID    int64  `json:"project_id"`
	Stage        int    `json:"stage"`
	DocType      string `json:"doc_type"`
	Title        string `json:"title"`
	AttachmentID int64  `json:"attachment_id"`
	FileName     string `json:"file_name"`
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	ContentType  string `json:"content_type"`
	CreatedBy    int64  `json:"created_by"`
	CreatedAt    string `json:"created_at"`
}

// FundingLine is the money one fund moved into (and out of) the project's account.
type FundingLine struct {
	FundID      int64  `json:"fund_id"`
	FundCode    string `json:"fund_code"`
	FundName    string `json:"fund_name"`
	ReceivedFen int64  `json:"received_fen"`
	SpentFen    int64  `json:"spent_fen"`
}

// ProjectInput registers a project (or edits one: version required then). Amounts are yuan
// strings parsed exactly. Plan optionally gives planned dates per stage (YYYY-MM-DD); a
// stage without one gets its rule's default duration from the previous stage's end.
type ProjectInput struct {
	Code             string      `json:"code"` // "" = generated XM{year}-{county}-{seq}
	Name             string      `json:"name"`
	Kind             string      `json:"kind"`
	Subkind          string      `json:"subkind"`
	RegionCode       string      `json:"region_code"`
	Year             int         `json:"year"`
	BudgetYuan       string      `json:"budget_yuan"`
	Implementer      string      `json:"implementer"`
	CarrierName      string      `json:"carrier_name"`
	Scale            string      `json:"scale"`
	BenefitMechanism string      `json:"benefit_mechanism"`
	Targets          string      `json:"targets"`
	StartOn          string      `json:"start_on"` // planned start of research; default today
	Plan             []StagePlan `json:"plan"`
	PlanID           int64       `json:"plan_id"` // the village plan it belongs to (optional)
	Version          int         `json:"version"` // edits only
}

// StagePlan is the planned dates of one stage.
type StagePlan struct {
	Stage        int    `json:"stage"`
	PlannedStart string `json:"planned_start"`
	PlannedEnd   string `json:"planned_end"`
}

// SignInput signs off the project's current stage. Stage must equal the current stage (no
// skipping, no signing twice); version guards against two signers at once.
type SignInput struct {
	Stage   int    `json:"stage"`
	Opinion string `json:"opinion"`
	OnDate  string `json:"on_date"` // actual end; default today
	Version int    `json:"version"`
}

// ProjectFilter selects projects for the list; keyset-paginated by id descending.
type ProjectFilter struct {
	Region  string
	Kind    string
	Stage   int // -1 = any
	Status  string
	Year    int
	Overdue bool
	Q       string // name or code contains
	After   int64
	Limit   int
}

// Board is the Kanban: one column per stage plus completed and failed, each with its count,
// budget and first cards.
type Board struct {
	Columns []BoardColumn `json:"columns"`
	Total   int           `json:"total"`
}

// BoardColumn is one stage (0-8), completed (9) or failed (-1).
type BoardColumn struct {
	Stage     int       `json:"stage"`
	Key       string    `json:"key"`
	Label     string    `json:"label"`
	Count     int       `json:"count"`
	Overdue   int       `json:"overdue"`
	BudgetFen int64     `json:"budget_fen"`
	Cards     []Project `json:"cards"` // at most 20, overdue first then longest in stage
}

// Beneficiary is a household that benefits from a project.
type Beneficiary struct {
	ID                int64          `json:"id"`
	ProjectID         int64          `json:"project_id"`
	HouseholdID       int64          `json:"household_id"`
	HouseholdHead     string         `json:"household_head"`
	RegionCode        string         `json:"region_code"`
	RegionName        string         `json:"region_name"`
	Link              string         `json:"link"`
	ExpectedIncomeFen int64          `json:"expected_income_fen"`
	Status            string         `json:"status"` // applied | village | town | approved | rejected
	Note              string         `json:"note"`
	Reviews           []ReviewRecord `json:"reviews"`
	Version           int            `json:"version"`
	CreatedAt         string         `json:"created_at"`
}

// ReviewRecord is one level's decision on an application.
type ReviewRecord struct {
	Level          string `json:"level"`
	Decision       string `json:"decision"` // pass | reject
	Opinion        string `json:"opinion"`
	ReviewedBy     int64  `json:"reviewed_by"`
	ReviewedByName string `json:"reviewed_by_name"`
	ReviewedAt     string `json:"reviewed_at"`
}

// BeneficiaryInput adds a beneficiary: a household applying to a direct-to-household project
// (status applied), or a household named by the office for other kinds (approved).
type BeneficiaryInput struct {
	HouseholdID        int64  `json:"household_id"`
	Link               string `json:"link"`
	ExpectedIncomeYuan string `json:"expected_income_yuan"`
	Note               string `json:"note"`
}

// ReviewInput is one level's review: the village, then the town, then the county.
type ReviewInput struct {
	Decision string `json:"decision"` // pass | reject
	Opinion  string `json:"opinion"`
	Version  int    `json:"version"`
}

// VillagePlan is a village's yearly project plan and its filing (备案).
type VillagePlan struct {
	ID           int64   `json:"id"`
	RegionCode   string  `json:"region_code"`
	RegionName   string  `json:"region_name"`
	Year         int     `json:"year"`
	Title        string  `json:"title"`
	Content      string  `json:"content"`
	Status       string  `json:"status"` // draft | filed | received | returned
	AttachmentID *int64  `json:"attachment_id"`
	FiledTo      *string `json:"filed_to"`
	FiledToName  string  `json:"filed_to_name"`
	FiledBy      *int64  `json:"filed_by"`
	FiledAt      *string `json:"filed_at"`
	ReceiptNo    string  `json:"receipt_no"`
	DecidedBy    *int64  `json:"decided_by"`
	DecidedAt    *string `json:"decided_at"`
	Opinion      string  `json:"opinion"`
	Projects     int     `json:"projects"`
	Version      int     `json:"version"`
	CreatedAt    string  `json:"created_at"`
}

// PlanInput drafts a village plan.
type PlanInput struct {
	RegionCode string `json:"region_code"` // a village
	Year       int    `json:"year"`
	Title      string `json:"title"`
	Content    string `json:"content"`
}

// PlanDecision receives (with a receipt number, generated when empty) or returns a filed plan.
type PlanDecision struct {
	Decision  string `json:"decision"` // receive | return
	ReceiptNo string `json:"receipt_no"`
	Opinion   string `json:"opinion"`
	Version   int    `json:"version"`
}

// Risk is a project risk with its mitigation.
type Risk struct {
	ID         int64   `json:"id"`
	ProjectID  int64   `json:"project_id"`
	Title      string  `json:"title"`
	Likelihood string  `json:"likelihood"` // low | medium | high
	Impact     string  `json:"impact"`
	Mitigation string  `json:"mitigation"`
	Owner      string  `json:"owner"`
	Status     string  `json:"status"` // open | closed
	ClosedNote string  `json:"closed_note"`
	Version    int     `json:"version"`
	CreatedBy  int64   `json:"created_by"`
	CreatedAt  string  `json:"created_at"`
	ClosedAt   *string `json:"closed_at"`
}

// RiskInput records a risk.
type RiskInput struct {
	Title      string `json:"title"`
	Likelihood string `json:"likelihood"`
	Impact     string `json:"impact"`
	Mitigation string `json:"mitigation"`
	Owner      string `json:"owner"`
}

// RiskClose closes a risk with a note.
type RiskClose struct {
	Note    string `json:"note"`
	Version int    `json:"version"`
}

// Tolerance is a 容错 request: a failure declared non-subjective, exempting named people from
// accountability once approved (by the discipline commission at county level or above).
type Tolerance struct {
	ID            int64    `json:"id"`
	ProjectID     int64    `json:"project_id"`
	Reason        string   `json:"reason"`
	People        []Person `json:"people"`
	Status        string   `json:"status"` // requested | approved | rejected
	RequestedBy   int64    `json:"requested_by"`
	RequestedAt   string   `json:"requested_at"`
	DecidedBy     *int64   `json:"decided_by"`
	DecidedByName string   `json:"decided_by_name"`
	DecidedAt     *string  `json:"decided_at"`
	Opinion       string   `json:"opinion"`
	Version       int      `json:"version"`
}

// Person is someone a tolerance exempts.
type Person struct {
	Name     string `json:"name"`
	Position string `json:"position"`
}

// ToleranceInput requests 容错 for a project's failure.
type ToleranceInput struct {
	Reason string   `json:"reason"`
	People []Person `json:"people"`
}

// ToleranceDecision approves or rejects a request.
type ToleranceDecision struct {
	Decision string `json:"decision"` // approve | reject
	Opinion  string `json:"opinion"`
	Version  int    `json:"version"`
}

// PublicProject is what the public portal shows of a project: no household is named.
type PublicProject struct {
	Code             string `json:"code"`
	Name             string `json:"name"`
	Kind             string `json:"kind"`
	Subkind          string `json:"subkind"`
	RegionCode       string `json:"region_code"`
	RegionName       string `json:"region_name"`
	Year             int    `json:"year"`
	Scale            string `json:"scale"`
	Implementer      string `json:"implementer"`
	BenefitMechanism string `json:"benefit_mechanism"`
	Targets          string `json:"targets"`
	BudgetFen        int64  `json:"budget_fen"`
	ReceivedFen      int64  `json:"received_fen"`
	StageLabel       string `json:"stage_label"`
	Beneficiaries    int    `json:"beneficiaries"`
}
