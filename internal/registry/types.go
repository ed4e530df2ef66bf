// Package registry is the register of low-income households (低收入农户) and their members.
// The foundation provides the tables and the scoped list; the registry issue adds procedures,
// imports and the household file.
package registry

// Status is where a household is in its lifecycle.
type Status string

const (
	Applying   Status = "applying"   // 申请纳入
	Registered Status = "registered" // 在档
	Exited     Status = "exited"     // 脱贫销号
	Removed    Status = "removed"    // 核销
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Applying, Registered, Exited, Removed:
		return true
	}
	return false
}

// Type is the household's assistance category.
type Type string

const (
	Dibao   Type = "dibao"   // 低保户
	Tekun   Type = "tekun"   // 特困供养(五保)
	General Type = "general" // 一般低收入户
)

// HouseholdRow is a household as the office list shows it. The head's ID number is masked
// even here: the list is for finding a household, its file page shows the full record.
type HouseholdRow struct {
	ID                 int64  `json:"id"`
	HouseholdNo        string `json:"household_no"`
	RegionCode         string `json:"region_code"`
	VillageName        string `json:"village_name"`
	HeadName           string `json:"head_name"`
	HeadIDMasked       string `json:"head_id_masked"`
	Status             Status `json:"status"`
	HouseholdType      Type   `json:"household_type"`
	MembersCount       int    `json:"members_count"`
	IncomePerCapitaFen int64  `json:"income_per_capita_fen"`
	IncomeYear         int    `json:"income_year"`
}

// Filter selects households for the list.
type Filter struct {
	Region string // region code; rows under it
	Status Status
	Query  string // household number or head's name prefix
	After  int64
	Limit  int
}

// Counts are headline figures for a region.
type Counts struct {
	Households int64 `json:"households"`
	Registered int64 `json:"registered"`
	Applying   int64 `json:"applying"`
	Exited     int64 `json:"exited"`
	Removed    int64 `json:"removed"`
	Members    int64 `json:"members"`
}
