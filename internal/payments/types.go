// Package payments is direct payment (资金直达): distribution plans drafted by the poverty
// office (generated from a rule over the registry, or imported), approved by finance, paid
// through bank batch files whose return files are reconciled line by line — paid lines become
// payment postings in the funds ledger, failed lines wait in a re-issue queue — and payments
// made by other systems imported from `payments` files. Money moves only through funds.Poster.
package payments

import "sunshine/internal/tabular"

// Plan statuses, line statuses and batch statuses as stored.
var (
	PlanStatuses  = []string{"draft", "submitted", "approved", "rejected", "paying", "done"}
	LineStatuses  = []string{"pending", "sent", "paid", "failed", "reissue", "cancelled"}
	BatchStatuses = []string{"sent", "reconciled"}
	// HouseholdTypes and HouseholdStatuses are what a plan rule may select on.
	HouseholdTypes    = []string{"dibao", "tekun", "general"}
	HouseholdStatuses = []string{"applying", "registered", "exited", "removed"}
)

// MaxLineFen bounds one payment line (and one imported payment): 100 万元.
const MaxLineFen = 100_000_000

// Plan is a distribution plan (发放计划).
type Plan struct {
	ID           int64   `json:"id"`
	FundID       int64   `json:"fund_id"`
	FundCode     string  `json:"fund_code"`
	FundName     string  `json:"fund_name"`
	ItemID       int64   `json:"item_id"`
	ItemCode     string  `json:"item_code"`
	ItemName     string  `json:"item_name"`
	Period       string  `json:"period"`
	RegionCode   string  `json:"region_code"`
	RegionName   string  `json:"region_name"`
	Title        string  `json:"title"`
	PayerAccount int64   `json:"payer_account"`
	PayerName    string  `json:"payer_name"`
	Source       string  `json:"source"`
	Status       string  `json:"status"`
	Lines        int     `json:"lines"`
	TotalFen     int64   `json:"total_fen"`
	PaidLines    int     `json:"paid_lines"`
	PaidFen      int64   `json:"paid_fen"`
	FailedLines  int     `json:"failed_lines"`
	Note         string  `json:"note"`
	Version      int     `json:"version"`
	CreatedBy    int64   `json:"created_by"`
	CreatedAt    string  `json:"created_at"`
	SubmittedAt  *string `json:"submitted_at"`
	ApprovedBy   *int64  `json:"approved_by"`
	ApprovedAt   *string `json:"approved_at"`
}

// NewPlan is the answer to drafting a plan: the plan, and the households its rule selected
// but could not pay (no bank account, no amount).
type NewPlan struct {
	Plan
	Skipped []Skipped `json:"skipped"`
}

// Skipped is a household a plan rule selected without a line.
type Skipped struct {
	HouseholdID int64  `json:"household_id"`
	HouseholdNo string `json:"household_no"`
	Reason      string `json:"reason"`
}

// Rule selects the households of a generated plan.
type Rule struct {
	HouseholdTypes []string `json:"household_types"` // empty = all
	Statuses       []string `json:"statuses"`        // empty = registered
}

// PlanInput drafts a plan. PayerAccount 0 = the finance account of the region's county.
type PlanInput struct {
	FundID       int64  `json:"fund_id"`
	ItemID       int64  `json:"item_id"`
	Period       string `json:"period"`
	RegionCode   string `json:"region_code"`
	Title        string `json:"title"`
	PayerAccount int64  `json:"payer_account"`
	Rule         Rule   `json:"rule"`
}

// VersionInput names the plan version a decision was made on.
type VersionInput struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// Line is one payee of a plan.
type Line struct {
	ID            int64  `json:"id"`
	PlanID        int64  `json:"plan_id"`
	HouseholdID   *int64 `json:"household_id"`
	HouseholdNo   string `json:"household_no"`
	RegionCode    string `json:"region_code"`
	PayeeIDNumber string `json:"payee_id_number"` // masked in answers
	PayeeName     string `json:"payee_name"`
	Bank          string `json:"bank"`
	AccountNo     string `json:"account_no"` // masked in answers
	AccountHolder string `json:"account_holder"`
	AmountFen     int64  `json:"amount_fen"`
	Status        string `json:"status"`
	BatchID       *int64 `json:"batch_id"`
	FailReason    string `json:"fail_reason"`
	TransferID    *int64 `json:"transfer_id"`
	Attempts      int    `json:"attempts"`
}

// LinesReport is the answer to a plan's line import: all lines replaced, or none.
type LinesReport struct {
	Lines     int                `json:"lines"`
	TotalFen  int64              `json:"total_fen"`
	Rejected  []tabular.RowError `json:"rejected"`
	Committed bool               `json:"committed"`
}

// ReissueInput corrects a failed line for the next batch; empty account fields default to
// the household's current bank account.
type ReissueInput struct {
	Bank          string `json:"bank"`
	AccountNo     string `json:"account_no"`
	AccountHolder string `json:"account_holder"`
	Note          string `json:"note"`
}

// CancelInput drops a line.
type CancelInput struct {
	Reason string `json:"reason"`
}

// Batch is a bank batch (银行批量代发文件) of a plan.
type Batch struct {
	ID           int64   `json:"id"`
	PlanID       int64   `json:"plan_id"`
	BatchRef     string  `json:"batch_ref"`
	RegionCode   string  `json:"region_code"`
	Lines        int     `json:"lines"`
	TotalFen     int64   `json:"total_fen"`
	Status       string  `json:"status"`
	PaidLines    int     `json:"paid_lines"`
	PaidFen      int64   `json:"paid_fen"`
	FailedLines  int     `json:"failed_lines"`
	PaidOn       *string `json:"paid_on"`
	CreatedAt    string  `json:"created_at"`
	ReconciledAt *string `json:"reconciled_at"`
}

// ReconcileReport is the answer to a bank return file: every line booked, or nothing.
type ReconcileReport struct {
	BatchID   int64              `json:"batch_id"`
	Paid      int                `json:"paid"`
	Failed    int                `json:"failed"`
	PaidFen   int64              `json:"paid_fen"`
	Rejected  []tabular.RowError `json:"rejected"`
	Committed bool               `json:"committed"`
}

// PlanFilter narrows the plan list.
type PlanFilter struct {
	Status string
	FundID int64
	Region string
	After  int64
	Limit  int
}
