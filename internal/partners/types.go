package partners

// The registers' entities as the API shows them (JSON names fixed by the contract with the web
// front end, /tmp/spec9/partners-contract.md: add fields, never rename), their inputs and the
// stored kinds and states.

// Kinds, levels and states as stored.
var (
	ProviderKinds  = []string{"volunteer", "law_firm", "bookkeeping_firm", "accounting_firm", "other_firm"}
	DeputyKinds    = []string{"npc", "cppcc"}
	DeputyLevels   = []string{"national", "province", "city", "county", "town"}
	PairingKinds   = []string{"deputy", "enterprise"}
	MatchStatuses  = []string{"proposed", "contacted", "agreed", "declined"}
	Willingnesses  = []string{"capital", "project", "technology"}
	ProviderStates = []string{"active", "inactive"}
)

// Labels are the Chinese names of the kinds and levels (CSV, public page, reasons).
var (
	KindLabels = map[string]string{"volunteer": "志愿者", "law_firm": "律师事务所", "bookkeeping_firm": "记账公司",
		"accounting_firm": "会计师事务所", "other_firm": "其他机构"}
	DeputyKindLabels = map[string]string{"npc": "人大代表", "cppcc": "政协委员"}
	LevelLabels      = map[string]string{"national": "全国", "province": "省", "city": "市", "county": "县", "town": "镇"}
)

// Provider is a volunteer or a third-party firm (律师事务所, 记账公司, 会计师事务所).
type Provider struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// Name: firms public; volunteers masked (张*明) on public routes.
	Name          string `json:"name"`
	ContactPerson string `json:"contact_person"`
	// Phone is masked in the console unless the role may export households; never public.
	Phone        string   `json:"phone"`
	CreditCode   string   `json:"credit_code"`
	RegionCode   string   `json:"region_code"`
	RegionName   string   `json:"region_name"`
	Services     []string `json:"services"`
	Status       string   `json:"status"`
	ServiceCount int64    `json:"service_count"`
	ServiceHours float64  `json:"service_hours"`
	LastServedOn *string  `json:"last_served_on"`
	Version      int64    `json:"version"`
	CreatedAt    string   `json:"created_at"`
}

// ProviderInput registers a provider.
type ProviderInput struct {
	Kind          string   `json:"kind"`
	Name          string   `json:"name"`
	ContactPerson string   `json:"contact_person"`
	Phone         string   `json:"phone"`
	CreditCode    string   `json:"credit_code"`
	RegionCode    string   `json:"region_code"`
	Services      []string `json:"services"`
}

// ProviderUpdate changes what may change of a provider (nil: unchanged).
type ProviderUpdate struct {
	Version       int64     `json:"version"`
	Services      *[]string `json:"services"`
	Status        *string   `json:"status"`
	Phone         *string   `json:"phone"`
	ContactPerson *string   `json:"contact_person"`
}

// ServiceRecord is a service a provider gave in a village (服务记录).
type ServiceRecord struct {
	ID           int64  `json:"id"`
	ProviderID   int64  `json:"provider_id"`
	ProviderName string `json:"provider_name"`
	RegionCode   string `json:"region_code"`
	RegionName   string `json:"region_name"`
	// HouseholdID is never public; HeadName is masked on public routes.
	HouseholdID *int64  `json:"household_id"`
	HeadName    string  `json:"head_name"`
	ServedOn    string  `json:"served_on"`
	Service     string  `json:"service"`
	Content     string  `json:"content"`
	Hours       float64 `json:"hours"`
	People      int64   `json:"people"`
	CreatedAt   string  `json:"created_at"`
}

// ServiceInput records a service.
type ServiceInput struct {
	RegionCode  string  `json:"region_code"`
	HouseholdID *int64  `json:"household_id"`
	ServedOn    string  `json:"served_on"`
	Service     string  `json:"service"`
	Content     string  `json:"content"`
	Hours       float64 `json:"hours"`
	People      int64   `json:"people"`
}

// Deputy is a deputy of the people's congress (five levels) or a CPPCC member.
type Deputy struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Level      string `json:"level"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Unit       string `json:"unit"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	// Villages are the current pairings (those in the reader's scope).
	Villages   []PairedVillage `json:"villages"`
	Activities int64           `json:"activities"`
	Version    int64           `json:"version"`
	CreatedAt  string          `json:"created_at"`
}

// PairedVillage is one current pairing of a deputy.
type PairedVillage struct {
	PairingID   int64  `json:"pairing_id"`
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	Since       string `json:"since"`
}

// DeputyInput registers a deputy.
type DeputyInput struct {
	Kind       string `json:"kind"`
	Level      string `json:"level"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Unit       string `json:"unit"`
	RegionCode string `json:"region_code"`
}

// Pairing is a deputy–village pair (结对) or a village–enterprise pair (村企结对).
type Pairing struct {
	ID          int64   `json:"id"`
	Kind        string  `json:"kind"`
	DeputyID    *int64  `json:"deputy_id"`
	DeputyName  string  `json:"deputy_name"`
	DeputyKind  string  `json:"deputy_kind"`
	DeputyLevel string  `json:"deputy_level"`
	Enterprise  string  `json:"enterprise"`
	CreditCode  string  `json:"credit_code"`
	Contact     string  `json:"contact"`
	Phone       string  `json:"phone"`
	VillageCode string  `json:"village_code"`
	VillageName string  `json:"village_name"`
	Since       string  `json:"since"`
	Until       *string `json:"until"`
	Status      string  `json:"status"`
	Commitment  string  `json:"commitment"`
	// PledgedFen is what an enterprise promised; DeliveredFen the value its activities recorded.
	PledgedFen   int64 `json:"pledged_fen"`
	DeliveredFen int64 `json:"delivered_fen"`
	Activities   int64 `json:"activities"`
	Version      int64 `json:"version"`
}

// PairingDetail is a pairing with its activities, newest first.
type PairingDetail struct {
	Pairing
	Items []Activity `json:"items"`
}

// PairingInput records a pairing.
type PairingInput struct {
	Kind        string `json:"kind"`
	DeputyID    *int64 `json:"deputy_id"`
	Enterprise  string `json:"enterprise"`
	CreditCode  string `json:"credit_code"`
	Contact     string `json:"contact"`
	Phone       string `json:"phone"`
	VillageCode string `json:"village_code"`
	Since       string `json:"since"`
	Commitment  string `json:"commitment"`
	PledgedYuan string `json:"pledged_yuan"`
}

// PairingEnd ends a pairing (the row stays, status ended).
type PairingEnd struct {
	Version int64  `json:"version"`
	Until   string `json:"until"`
}

// Activity is what a pairing did (结对活动). On the public page a service record is shown as an
// activity too, with Source "service" (pairing activities: "pairing").
type Activity struct {
	ID        int64  `json:"id"`
	PairingID int64  `json:"pairing_id"`
	OnDate    string `json:"on_date"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	ValueFen  int64  `json:"value_fen"`
	People    int64  `json:"people"`
	CreatedAt string `json:"created_at"`
	Source    string `json:"source,omitempty"`
}

// ActivityInput records an activity.
type ActivityInput struct {
	OnDate    string `json:"on_date"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	ValueYuan string `json:"value_yuan"`
	People    int64  `json:"people"`
}

// Entrepreneur is a person from the city working elsewhere (在外创业人士).
type Entrepreneur struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	HometownCode string `json:"hometown_code"`
	HometownName string `json:"hometown_name"`
	WorksIn      string `json:"works_in"`
	Company      string `json:"company"`
	Industry     string `json:"industry"`
	Capital      bool   `json:"capital"`
	Project      bool   `json:"project"`
	Technology   bool   `json:"technology"`
	CapitalFen   int64  `json:"capital_fen"`
	Notes        string `json:"notes"`
	Matches      int64  `json:"matches"`
	Version      int64  `json:"version"`
	CreatedAt    string `json:"created_at"`
}

// EntrepreneurInput registers an entrepreneur.
type EntrepreneurInput struct {
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	HometownCode string `json:"hometown_code"`
	WorksIn      string `json:"works_in"`
	Company      string `json:"company"`
	Industry     string `json:"industry"`
	Capital      bool   `json:"capital"`
	Project      bool   `json:"project"`
	Technology   bool   `json:"technology"`
	CapitalYuan  string `json:"capital_yuan"`
	Notes        string `json:"notes"`
}

// Suggestion is a project an entrepreneur might join, scored. Matched tells that a match with
// the project is already on record.
type Suggestion struct {
	ProjectID   int64    `json:"project_id"`
	ProjectName string   `json:"project_name"`
	ProjectKind string   `json:"project_kind"`
	RegionCode  string   `json:"region_code"`
	RegionName  string   `json:"region_name"`
	Stage       string   `json:"stage"`
	BudgetFen   int64    `json:"budget_fen"`
	Score       int      `json:"score"`
	Reasons     []string `json:"reasons"`
	Matched     bool     `json:"matched"`
}

// Match is a recorded match of an entrepreneur with a project (对接记录).
type Match struct {
	ID               int64    `json:"id"`
	EntrepreneurID   int64    `json:"entrepreneur_id"`
	ProjectID        int64    `json:"project_id"`
	EntrepreneurName string   `json:"entrepreneur_name"`
	ProjectName      string   `json:"project_name"`
	Score            int      `json:"score"`
	Reasons          []string `json:"reasons"`
	Status           string   `json:"status"`
	Note             string   `json:"note"`
	Version          int64    `json:"version"`
	CreatedAt        string   `json:"created_at"`
}

// MatchInput records a match.
type MatchInput struct {
	ProjectID int64  `json:"project_id"`
	Note      string `json:"note"`
}

// MatchUpdate moves a match (proposed → contacted → agreed | declined) or changes its note.
type MatchUpdate struct {
	Version int64  `json:"version"`
	Status  string `json:"status"`
	Note    string `json:"note"`
}

// ForcesPage is the public page of the social forces at work in a county, town or village.
type ForcesPage struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Firms serving the region or an area above it: no phone, contact person masked.
	Firms          []Provider `json:"firms"`
	Volunteers     int64      `json:"volunteers"`
	ServiceRecords int64      `json:"service_records"`
	ServiceHours   float64    `json:"service_hours"`
	// Deputies and Enterprises are the active pairs with villages of the region, no phone.
	Deputies      []Pairing    `json:"deputies"`
	Enterprises   []Pairing    `json:"enterprises"`
	Recent        []Activity   `json:"recent"`
	Entrepreneurs ForcesCounts `json:"entrepreneurs"`
	AsOf          string       `json:"as_of"`
}

// ForcesCounts counts the entrepreneurs from a region (counts only, never who).
type ForcesCounts struct {
	Total      int64 `json:"total"`
	Capital    int64 `json:"capital"`
	Project    int64 `json:"project"`
	Technology int64 `json:"technology"`
}
