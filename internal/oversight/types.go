// Package oversight is precise supervision (精准监督): the early-warning engine (预警) whose rules
// are versioned data evaluated over the registry, visits, cross-checks and the ledger; the
// handling of the alerts it raises; complaints (举报/投诉) with tracking codes; random spot checks
// (双随机) whose draw anyone can repeat; and accountability cases (问责). It sits on top of the
// other domains because it watches all of them; none of them imports it.
package oversight

import (
	"encoding/json"

	"sunshine/internal/auth"
)

// Alert categories: the part of the domain a rule watches.
const (
	CatRegistry   = "registry"
	CatVisits     = "visits"
	CatCrosscheck = "crosscheck"
	CatFunds      = "funds"
	CatProjects   = "projects" // 项目资产: projects' stages, assets' income and its distribution
)

// Severities, lowest first.
const (
	SevLow    = "low"
	SevMedium = "medium"
	SevHigh   = "high"
)

// Checks: the Go code a rule runs. A rule set holds at most one rule per check; the rule gives
// the label, severity, department, handling deadline and parameters (thresholds are data).
const (
	// registry
	CheckDeceasedListed    = "deceased_listed"      // member dead (registry or death dataset) but still active in a registered household
	CheckNoHelper          = "no_helper"            // registered household without a current helper beyond grace_days
	CheckWeakVillageNoTeam = "weak_village_no_team" // designated weak village with neither a work team nor a first secretary in office
	CheckQuarterNoVisit    = "quarter_no_visit"     // registered household not visited in the last complete quarter
	// visits (from the fake-visit signals the visits package computes)
	CheckVisitFarFromHome      = "visit_far_from_home"
	CheckVisitSamePhoto        = "visit_same_photo"
	CheckVisitLateRecord       = "visit_late_record"
	CheckVisitImpossibleTravel = "visit_impossible_travel"
	// cross-check
	CheckDoubtOverdue = "doubt_overdue" // dispatched doubt past its deadline by more than grace_days
	// funds
	CheckFundIdle            = "fund_idle"             // money idle at one account beyond days (滞留)
	CheckFundBehind          = "fund_behind"           // disbursement behind the linear schedule by more than margin_pct
	CheckFundUnfiled         = "fund_unfiled"          // higher-level money not via the city, not filed (报备) within days
	CheckPayeeUnregistered   = "payee_unregistered"    // payment to someone in no household
	CheckPayeeRemoved        = "payee_removed"         // payment after the household was removed (核销)
	CheckPayeeDeceased       = "payee_deceased"        // payment dated after the payee's death
	CheckPayeeExited         = "payee_exited"          // payment after policy_until of an exited household
	CheckPaymentDuplicate    = "payment_duplicate"     // same payee, item and period paid more than once
	CheckAccountShared       = "account_shared"        // one bank account receiving for several households (一卡多人)
	CheckAboveStandard       = "above_standard"        // paid above the item's standard for the period
	CheckPayeePublicEmployee = "payee_public_employee" // payee on the public-employee dataset at the payment date
	CheckPayeeCadre          = "payee_cadre"           // payee a cadre or a cadre's close relative (优亲厚友)
	CheckHolderMismatch      = "holder_mismatch"       // account holder's name differs from the payee's
	// projects and assets
	CheckProjectStageOverdue             = "project_stage_overdue"             // active project past its current stage's planned end by more than grace_days
	CheckAssetIncomeUndistributed        = "asset_income_undistributed"        // asset income not distributed within days of receipt
	CheckAssetDistributionMismatch       = "asset_distribution_mismatch"       // distributed income whose lines do not sum to it
	CheckAssetDistributionNonbeneficiary = "asset_distribution_nonbeneficiary" // distribution to a household not entitled to the asset
)

// Params are a rule's thresholds; each check reads the ones it names in CheckInfo.Params.
type Params struct {
	Days         int      `json:"days,omitempty"`          // fund_idle, fund_unfiled, asset_income_undistributed
	GraceDays    int      `json:"grace_days,omitempty"`    // no_helper, quarter_no_visit, doubt_overdue, project_stage_overdue
	MarginPct    int      `json:"margin_pct,omitempty"`    // fund_behind
	MinFen       int64    `json:"min_fen,omitempty"`       // fund_idle: ignore balances below
	ToleranceFen int64    `json:"tolerance_fen,omitempty"` // above_standard: allowed excess
	Relations    []string `json:"relations,omitempty"`     // payee_cadre: self, spouse, parent, child, sibling, in_law (empty = all)
}

// Rule is one early-warning rule as stored in a rule set.
type Rule struct {
	Key          string    `json:"key"`   // stable within the set; alerts carry it
	Check        string    `json:"check"` // one of the Check constants
	Label        string    `json:"label"`
	Severity     string    `json:"severity"`
	Department   auth.Role `json:"department"`    // the role that handles its alerts
	DeadlineDays int       `json:"deadline_days"` // handling deadline after the alert is raised (calendar days)
	Enabled      bool      `json:"enabled"`
	Params       Params    `json:"params"`
}

// Escalation are the thresholds of the yellow/orange/red handling lights, part of a rule set.
type Escalation struct {
	YellowDaysBefore int `json:"yellow_days_before"` // yellow: this many days or fewer before the deadline
	RedDaysAfter     int `json:"red_days_after"`     // orange: past the deadline; red: more than this many days past it
}

// RuleSet is a versioned set of rules (city or county).
type RuleSet struct {
	Version    int64      `json:"version"`
	Rules      []Rule     `json:"rules"`
	Escalation Escalation `json:"escalation"`
}

// CheckInfo describes a check for the console's rule editor.
type CheckInfo struct {
	Check    string   `json:"check"`
	Label    string   `json:"label"`
	Category string   `json:"category"`
	Params   []string `json:"params"`
	// Datasets the check reads (crosscheck dataset kinds), when any.
	Datasets []string `json:"datasets,omitempty"`
}

// Finding is what a check found about one entity. Key is stable across runs (rule key + entity
// + period): it decides whether a run raises a new alert, repeats a pending one, updates its
// evidence, or is suppressed by a closed one with the same evidence.
type Finding struct {
	RuleKey     string
	Key         string // the alert_key, e.g. "payment_duplicate:acct=12:item=3:period=2026Q1"
	RegionCode  string // village (or the most specific region the entity has)
	EntityType  string // household | member | transfer | account | fund | visit | village | doubt | project | asset_income | asset_distribution
	EntityID    int64
	HouseholdID int64 // 0 when not about a household
	AmountFen   int64 // money concerned, for the figures (0 when none)
	Explanation string
	// Evidence is the rows that show it (transfer ids and dates, dataset rows, …) as JSON; its
	// SHA-256 is the alert's evidence_hash. Marshal deterministically (sorted, no maps with
	// random order).
	Evidence json.RawMessage
}

// Alert statuses and outcomes.
const (
	StatusOpen      = "open"
	StatusAssigned  = "assigned"
	StatusVerifying = "verifying"
	StatusClosed    = "closed"

	OutcomeSubstantiated = "substantiated"
	OutcomeUnfounded     = "unfounded"
)

// Lights of escalation, computed when read.
const (
	LightNone   = ""
	LightYellow = "yellow"
	LightOrange = "orange"
	LightRed    = "red"
)

// RunInfo is one evaluation as the console shows it.
type RunInfo struct {
	ID             int64          `json:"id"`
	RegionCode     string         `json:"region_code"`
	Mode           string         `json:"mode"` // full | incremental
	Status         string         `json:"status"`
	RulesetVersion int64          `json:"ruleset_version"`
	Found          int            `json:"found"`
	New            int            `json:"new"`
	Updated        int            `json:"updated"`
	Suppressed     int            `json:"suppressed"`
	ByRule         map[string]int `json:"by_rule"`
	Error          string         `json:"error"`
	StartedBy      string         `json:"started_by"`
	StartedAt      string         `json:"started_at"`
	FinishedAt     *string        `json:"finished_at"`
	DurationMS     int64          `json:"duration_ms"`
}
