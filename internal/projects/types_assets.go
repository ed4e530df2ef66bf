package projects

// Asset kinds and statuses as stored.
var (
	AssetKinds    = []string{"operating", "public_welfare", "household"} // 经营性 / 公益性 / 到户类
	AssetStatuses = []string{"in_use", "idle", "lost", "disposed"}       // 在用 / 闲置 / 流失 / 已处置
)

// Asset is a poverty-alleviation asset (扶贫资产) formed by an accepted project.
type Asset struct {
	ID            int64    `json:"id"`
	Code          string   `json:"code"`
	Name          string   `json:"name"`
	ProjectID     int64    `json:"project_id"`
	ProjectCode   string   `json:"project_code"`
	ProjectName   string   `json:"project_name"`
	Kind          string   `json:"kind"`
	ValueFen      int64    `json:"value_fen"`
	Ownership     string   `json:"ownership"`
	RegionCode    string   `json:"region_code"`
	RegionName    string   `json:"region_name"`
	PropertyRegNo string   `json:"property_reg_no"`
	Custodian     string   `json:"custodian"`
	Location      string   `json:"location"`
	Lat           *float64 `json:"lat"`
	Lng           *float64 `json:"lng"`
	Status        string   `json:"status"`
	FormedOn      string   `json:"formed_on"`
	AccountID     *int64   `json:"account_id"`
	// UndistributedFen is recorded income not yet distributed; Beneficiaries the entitled
	// households.
	UndistributedFen int64  `json:"undistributed_fen"`
	Beneficiaries    int    `json:"beneficiaries"`
	Version          int    `json:"version"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
}

// AssetDetail is the asset page: the asset, its entitled households and its income by year.
type AssetDetail struct {
	Asset
	Entitled []Entitled `json:"entitled"`
	Incomes  []Income   `json:"incomes"`
}

// Entitled is a household entitled to an asset's income, with its share.
type Entitled struct {
	HouseholdID   int64  `json:"household_id"`
	HouseholdHead string `json:"household_head"`
	RegionCode    string `json:"region_code"`
	Share         int    `json:"share"`
	// Payable: the head has a passbook account number on file (else distribution names the
	// household as not payable).
	Payable bool `json:"payable"`
}

// AssetInput registers an asset (or edits one: version required then; project_id and code
// cannot change). Property registration is required for every asset.
type AssetInput struct {
	Code          string   `json:"code"` // "" = generated ZC{year}-{county}-{seq}
	Name          string   `json:"name"`
	ProjectID     int64    `json:"project_id"`
	Kind          string   `json:"kind"`
	ValueYuan     string   `json:"value_yuan"`
	Ownership     string   `json:"ownership"`
	RegionCode    string   `json:"region_code"`
	PropertyRegNo string   `json:"property_reg_no"`
	Custodian     string   `json:"custodian"`
	Location      string   `json:"location"`
	Lat           *float64 `json:"lat"`
	Lng           *float64 `json:"lng"`
	Status        string   `json:"status"`    // default in_use
	FormedOn      string   `json:"formed_on"` // default the acceptance date
	// Entitled households; default: the project's approved beneficiaries, share 1 each.
	Entitled []EntitledInput `json:"entitled"`
	Version  int             `json:"version"`
}

// EntitledInput names an entitled household and its share.
type EntitledInput struct {
	HouseholdID int64 `json:"household_id"`
	Share       int   `json:"share"`
}

// Income is an asset's income of one year, its ledger fund and its distribution.
type Income struct {
	ID            int64    `json:"id"`
	AssetID       int64    `json:"asset_id"`
	Year          int      `json:"year"`
	AmountFen     int64    `json:"amount_fen"`
	ReceivedOn    string   `json:"received_on"`
	FundID        int64    `json:"fund_id"`
	FundCode      string   `json:"fund_code"`
	Status        string   `json:"status"` // recorded | distributed
	DistributedOn *string  `json:"distributed_on"`
	DaysWaiting   int      `json:"days_waiting"` // since received, while undistributed
	Lines         []Payout `json:"lines"`
	Version       int      `json:"version"`
	CreatedAt     string   `json:"created_at"`
}

// IncomeInput records a year's income of an asset.
type IncomeInput struct {
	Year       int    `json:"year"`
	AmountYuan string `json:"amount_yuan"`
	ReceivedOn string `json:"received_on"`
	DocNo      string `json:"doc_no"`
}

// Payout is one household's part of an income and the ledger payment that carried it.
type Payout struct {
	HouseholdID   int64  `json:"household_id"`
	HouseholdHead string `json:"household_head"`
	PayeeIDNumber string `json:"payee_id_number"` // masked in answers
	AmountFen     int64  `json:"amount_fen"`
	TransferID    *int64 `json:"transfer_id"`
}

// DistributeInput distributes an income: the amounts must add up to the income exactly and
// go only to entitled households; all lines are booked or none.
type DistributeInput struct {
	OnDate  string           `json:"on_date"` // default today
	Lines   []DistributeLine `json:"lines"`
	Version int              `json:"version"`
}

// DistributeLine is one household's amount in yuan.
type DistributeLine struct {
	HouseholdID int64  `json:"household_id"`
	AmountYuan  string `json:"amount_yuan"`
}

// Proposal is the server's split of an income by shares (remainder fen to the largest
// shares first), for the distribution screen to start from.
type Proposal struct {
	IncomeID   int64          `json:"income_id"`
	AmountFen  int64          `json:"amount_fen"`
	Lines      []ProposalLine `json:"lines"`
	NotPayable []Entitled     `json:"not_payable"`
}

// ProposalLine is one proposed amount.
type ProposalLine struct {
	HouseholdID   int64  `json:"household_id"`
	HouseholdHead string `json:"household_head"`
	Share         int    `json:"share"`
	AmountFen     int64  `json:"amount_fen"`
}

// AssetFilter selects assets for the register; keyset-paginated by id descending.
type AssetFilter struct {
	Region    string
	Kind      string
	Status    string
	ProjectID int64
	// Attention: idle | lost | undistributed (income recorded more than UndistributedDays ago)
	Attention string
	Q         string // name, code or registration number contains
	After     int64
	Limit     int
}

// UndistributedDays is how long recorded income may wait before it is listed (and alerted).
const UndistributedDays = 90

// Register is the asset register's summary for the current filter: counts and values by kind
// and status, and the map's points (one per village: position, count, value).
type Register struct {
	Count    int        `json:"count"`
	ValueFen int64      `json:"value_fen"`
	ByKind   []Bucket   `json:"by_kind"`
	ByStatus []Bucket   `json:"by_status"`
	Points   []MapPoint `json:"points"`
}

// Bucket is a count and value of one kind or status.
type Bucket struct {
	Key      string `json:"key"`
	Count    int    `json:"count"`
	ValueFen int64  `json:"value_fen"`
}

// MapPoint is the assets of one village on the map.
type MapPoint struct {
	RegionCode string  `json:"region_code"`
	RegionName string  `json:"region_name"`
	Lat        float64 `json:"lat"`
	Lng        float64 `json:"lng"`
	Count      int     `json:"count"`
	ValueFen   int64   `json:"value_fen"`
	Attention  int     `json:"attention"` // idle or lost
}
