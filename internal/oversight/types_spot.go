package oversight

import (
	"time"

	"sunshine/internal/auth"
)

// Random spot checks (双随机): a plan fixes its population (the sorted ids of the targets its
// filter matches in its region), its inspector pool and a secret 32-byte seed, and publishes
// the SHA-256 of each. The draw reveals the seed and picks the sample and each target's
// inspectors with Draw, so anyone can repeat it (GET …/population, …/verify, or
// scripts/verify-draw.mjs).

// Spot plan statuses and target kinds.
const (
	SpotCommitted = "committed"
	SpotDrawn     = "drawn"
	SpotClosed    = "closed"

	SpotHousehold = "household"
	SpotPayment   = "payment"
	SpotProject   = "project"

	SpotOK      = "ok"
	SpotProblem = "problem"
)

// Limits of a plan: the population is stored with the plan, so it must stay a sensible size.
const (
	spotMaxPopulation = 500_000
	spotMaxSample     = 1000
	spotMaxInspectors = 10
	spotMaxPool       = 200
	spotMaxFinding    = 2000
)

// SpotFilter chooses the population: status and household_type for households; fund_id,
// item_id, period and the on_date range from/to for payments; kind (household, carrier,
// village), stage (0-8 the current stage, 9 completed) and year for projects. Empty fields do
// not filter.
type SpotFilter struct {
	Status        string `json:"status,omitempty"`
	HouseholdType string `json:"household_type,omitempty"`
	FundID        int64  `json:"fund_id,omitempty"`
	ItemID        int64  `json:"item_id,omitempty"`
	Period        string `json:"period,omitempty"`
	From          string `json:"from,omitempty"`
	To            string `json:"to,omitempty"`
	Kind          string `json:"kind,omitempty"`
	Stage         *int   `json:"stage,omitempty"`
	Year          int    `json:"year,omitempty"`
}

// projectFiltered: a project field of the filter is set.
func (f SpotFilter) projectFiltered() bool { return f.Kind != "" || f.Stage != nil || f.Year != 0 }

// SpotPlanInput creates a plan.
type SpotPlanInput struct {
	Title               string     `json:"title"`
	RegionCode          string     `json:"region_code"`
	TargetKind          string     `json:"target_kind"`
	Filter              SpotFilter `json:"filter"`
	SampleSize          int        `json:"sample_size"`
	InspectorsPerTarget int        `json:"inspectors_per_target"`
	InspectorIDs        []int64    `json:"inspector_ids"`
}

// SpotPerson is an inspector.
type SpotPerson struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// SpotInspector is a candidate for a plan's inspector pool.
type SpotInspector struct {
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	RoleLabel string    `json:"role_label"`
	ScopeCode string    `json:"scope_code"`
}

// SpotTarget is one drawn target with its inspectors and result.
type SpotTarget struct {
	Pos        int          `json:"pos"` // 0-based position in draw order
	TargetID   int64        `json:"target_id"`
	Label      string       `json:"label"`
	RegionCode string       `json:"region_code"`
	Inspectors []SpotPerson `json:"inspectors"`
	Result     string       `json:"result"` // "" (not yet), ok, problem
	Finding    string       `json:"finding"`
	RecordedBy *int64       `json:"recorded_by"`
	RecordedAt *time.Time   `json:"recorded_at"`
}

// SpotPlan is a plan as answered. Seed is null until the draw; lists never carry it.
type SpotPlan struct {
	ID                  int64        `json:"id"`
	Title               string       `json:"title"`
	RegionCode          string       `json:"region_code"`
	RegionName          string       `json:"region_name"`
	TargetKind          string       `json:"target_kind"`
	Filter              SpotFilter   `json:"filter"`
	SampleSize          int          `json:"sample_size"`
	InspectorsPerTarget int          `json:"inspectors_per_target"`
	Inspectors          []SpotPerson `json:"inspectors"`
	PopulationCount     int          `json:"population_count"`
	PopulationHash      string       `json:"population_hash"`
	SeedHash            string       `json:"seed_hash"`
	Seed                *string      `json:"seed"`
	Status              string       `json:"status"`
	CreatedBy           int64        `json:"created_by"`
	CreatedByName       string       `json:"created_by_name"`
	CreatedAt           time.Time    `json:"created_at"`
	DrawnAt             *time.Time   `json:"drawn_at"`
	ClosedAt            *time.Time   `json:"closed_at"`
	Recorded            int          `json:"recorded"` // targets with a result
	Problems            int          `json:"problems"` // targets with result problem
	Targets             []SpotTarget `json:"targets"`
}

// SpotPopulation is a plan's population, to repeat the draw.
type SpotPopulation struct {
	PlanID         int64   `json:"plan_id"`
	TargetKind     string  `json:"target_kind"`
	PopulationHash string  `json:"population_hash"`
	Count          int     `json:"count"`
	IDs            []int64 `json:"ids"`
}

// SpotVerification is the server repeating a drawn plan's draw from what it published.
type SpotVerification struct {
	SeedMatchesHash       bool    `json:"seed_matches_hash"`
	PopulationMatchesHash bool    `json:"population_matches_hash"`
	SampleMatches         bool    `json:"sample_matches"`
	InspectorsMatch       bool    `json:"inspectors_match"`
	Recomputed            []int64 `json:"recomputed"`
}

// SpotFindingInput records the result of checking one target.
type SpotFindingInput struct {
	Result  string `json:"result"`
	Finding string `json:"finding"`
}

// spotRoles are the roles whose users may be inspectors: they hold spot.write or alert.read.
