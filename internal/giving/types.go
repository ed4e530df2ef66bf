package giving

import "sunshine/internal/selfquery"

// Kinds and statuses (the contract with the web console and the portal).
var (
	DonorKinds     = []string{"person", "enterprise", "organisation"}
	NeedKinds      = []string{"money", "goods", "service"}
	NeedStatuses   = []string{"open", "pledged", "fulfilled", "closed"}
	PledgeKinds    = []string{"money", "goods"}
	PledgeStatuses = []string{"pledged", "fulfilled", "cancelled"}
	DonationKinds  = []string{"money", "goods"}
)

// Limits on text, counted in characters.
const (
	MaxName    = 50
	MaxTitle   = 40
	MaxContent = 500
	MaxGoods   = 100
	MaxPurpose = 200
	MaxReason  = 200
	MaxSigner  = 30
	// MaxLines bounds one disbursement.
	MaxLines = 2000
	// MaxQuantity bounds a goods donation's quantity.
	MaxQuantity = 1_000_000
	// AnonymousName is what the public sees of an anonymous donor.
	AnonymousName = "爱心人士"
)

// Donor is a person, enterprise or organisation that gives.
type Donor struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`        // person | enterprise | organisation
	Name       string `json:"name"`        // console: full; never sent by public routes for persons
	PublicName string `json:"public_name"` // enterprise/org name, person masked (张*明), or 爱心人士 when anonymous
	Anonymous  bool   `json:"anonymous"`
	Phone      string `json:"phone"`       // masked unless the reader may export households
	CreditCode string `json:"credit_code"` // 统一社会信用代码 for enterprise/organisation ("" for persons)
	RegionCode string `json:"region_code"` // the office that registered the donor
	RegionName string `json:"region_name"`
	DonatedFen int64  `json:"donated_fen"` // money donations plus the value of goods
	Donations  int64  `json:"donations"`
	Version    int64  `json:"version"`
	CreatedAt  string `json:"created_at"`
}

// DonorInput registers a donor.
type DonorInput struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	CreditCode string `json:"credit_code"`
	RegionCode string `json:"region_code"`
	Anonymous  bool   `json:"anonymous"`
}

// Need is a wish (微心愿) a village publishes, usually for one registered household.
type Need struct {
	ID          int64   `json:"id"`
	Code        string  `json:"code"` // XY-<village>-<n>
	RegionCode  string  `json:"region_code"`
	RegionName  string  `json:"region_name"`
	HouseholdID *int64  `json:"household_id"` // console only (public routes omit it)
	HeadName    string  `json:"head_name"`    // masked on public routes
	Title       string  `json:"title"`
	Content     string  `json:"content"`
	Kind        string  `json:"kind"` // money | goods | service
	TargetFen   int64   `json:"target_fen"`
	Goods       string  `json:"goods"`
	Status      string  `json:"status"` // open → pledged → fulfilled; or closed
	PledgedFen  int64   `json:"pledged_fen"`
	DonatedFen  int64   `json:"donated_fen"` // money disbursed to the household plus the value of goods delivered
	PublishedOn string  `json:"published_on"`
	Deadline    string  `json:"deadline"`
	FulfilledOn *string `json:"fulfilled_on"`
	CloseReason string  `json:"close_reason"`
	Version     int64   `json:"version"`
}

// NeedInput publishes a need.
type NeedInput struct {
	RegionCode  string `json:"region_code"`
	HouseholdID *int64 `json:"household_id"`
	Title       string `json:"title"`
	Content     string `json:"content"`
	Kind        string `json:"kind"`
	TargetYuan  string `json:"target_yuan"`
	Goods       string `json:"goods"`
	Deadline    string `json:"deadline"`
}

// ReasonInput closes a need or cancels a pledge.
type ReasonInput struct {
	Version int64  `json:"version"`
	Reason  string `json:"reason"`
}

// Pledge is a donor's promise (认捐).
type Pledge struct {
	ID           int64  `json:"id"`
	DonorID      int64  `json:"donor_id"`
	DonorName    string `json:"donor_name"`
	NeedID       *int64 `json:"need_id"`
	NeedTitle    string `json:"need_title"`
	RegionCode   string `json:"region_code"`
	Kind         string `json:"kind"` // money | goods
	AmountFen    int64  `json:"amount_fen"`
	Goods        string `json:"goods"`
	Status       string `json:"status"` // pledged | fulfilled | cancelled
	PledgedOn    string `json:"pledged_on"`
	DueOn        string `json:"due_on"`
	DonationID   *int64 `json:"donation_id"`
	Channel      string `json:"channel"` // console | portal
	CancelReason string `json:"cancel_reason"`
	Version      int64  `json:"version"`
}

// PledgeInput records a pledge in the console.
type PledgeInput struct {
	DonorID    int64  `json:"donor_id"`
	NeedID     *int64 `json:"need_id"`
	RegionCode string `json:"region_code"`
	Kind       string `json:"kind"`
	AmountYuan string `json:"amount_yuan"`
	Goods      string `json:"goods"`
	DueOn      string `json:"due_on"`
}

// Donation is money or goods received, with its receipt (捐赠收据).
type Donation struct {
	ID           int64  `json:"id"`
	ReceiptNo    string `json:"receipt_no"` // JZ2026-000123
	DonorID      int64  `json:"donor_id"`
	DonorName    string `json:"donor_name"` // public routes: the public name
	Kind         string `json:"kind"`       // money | goods
	RegionCode   string `json:"region_code"`
	RegionName   string `json:"region_name"`
	NeedID       *int64 `json:"need_id"`
	PledgeID     *int64 `json:"pledge_id"`
	AmountFen    int64  `json:"amount_fen"`
	Goods        string `json:"goods"`
	Quantity     int64  `json:"quantity"`
	ValueFen     int64  `json:"value_fen"`
	ReceivedOn   string `json:"received_on"`
	Purpose      string `json:"purpose"`
	FundID       *int64 `json:"fund_id"`
	FundCode     string `json:"fund_code"`
	AccountID    *int64 `json:"account_id"`
	DisbursedFen int64  `json:"disbursed_fen"` // net of reversals
	DeliveredQty int64  `json:"delivered_qty"`
	Households   int64  `json:"households"`
	QueryKey     string `json:"query_key,omitempty"` // only in the answer to POST /donations
	Version      int64  `json:"version"`
	CreatedAt    string `json:"created_at"`
}

// DonationInput records a donation received.
type DonationInput struct {
	DonorID    int64  `json:"donor_id"`
	PledgeID   *int64 `json:"pledge_id"`
	NeedID     *int64 `json:"need_id"`
	Kind       string `json:"kind"`
	RegionCode string `json:"region_code"`
	AmountYuan string `json:"amount_yuan"`
	Goods      string `json:"goods"`
	Quantity   int64  `json:"quantity"`
	ValueYuan  string `json:"value_yuan"`
	ReceivedOn string `json:"received_on"`
	Purpose    string `json:"purpose"`
}

// DisburseInput pays a money donation on to household passbooks, all or nothing.
type DisburseInput struct {
	Version int64          `json:"version"`
	OnDate  string         `json:"on_date"`
	Lines   []DisburseLine `json:"lines"`
}

// DisburseLine is one household's share.
type DisburseLine struct {
	HouseholdID int64  `json:"household_id"`
	AmountYuan  string `json:"amount_yuan"`
}

// Delivery is goods handed to a household, with the signed receipt (签收单).
type Delivery struct {
	ID            int64  `json:"id"`
	DonationID    int64  `json:"donation_id"`
	HouseholdID   int64  `json:"household_id"` // console only (public routes omit it)
	HeadName      string `json:"head_name"`    // masked on public routes
	VillageName   string `json:"village_name"`
	Quantity      int64  `json:"quantity"`
	DeliveredOn   string `json:"delivered_on"`
	SignedBy      string `json:"signed_by"` // masked on public routes
	ReceiptSHA256 string `json:"receipt_sha256"`
}

// DeliveryInput is the form of a delivery (multipart fields beside the optional receipt file).
type DeliveryInput struct {
	HouseholdID int64
	Quantity    int64
	DeliveredOn string
	SignedBy    string
}

// Reach is one household a donation reached.
type Reach struct {
	VillageCode string `json:"village_code"`
	VillageName string `json:"village_name"`
	HeadName    string `json:"head_name"` // masked on public routes
	HouseholdID int64  `json:"household_id,omitempty"`
	AmountFen   int64  `json:"amount_fen"`
	Quantity    int64  `json:"quantity"`
	OnDate      string `json:"on_date"`
	TransferID  int64  `json:"transfer_id,omitempty"`
	Reversed    bool   `json:"reversed,omitempty"` // the payment was taken back (冲销)
}

// DonationTrace is a donation with the households it reached.
type DonationTrace struct {
	Donation   Donation   `json:"donation"`
	Reached    []Reach    `json:"reached"`
	Deliveries []Delivery `json:"deliveries"`
}

// PublicPledgeInput is a pledge from the portal (认捐), behind a captcha.
type PublicPledgeInput struct {
	Name          string           `json:"name"`
	Phone         string           `json:"phone"`
	Anonymous     bool             `json:"anonymous"`
	NeedID        int64            `json:"need_id"`
	Kind          string           `json:"kind"`
	AmountYuan    string           `json:"amount_yuan"`
	Goods         string           `json:"goods"`
	CaptchaToken  string           `json:"captcha_token"`
	CaptchaAnswer selfquery.Answer `json:"captcha_answer"`
}

// PublicPledgeReceipt is what the portal shows after a pledge.
type PublicPledgeReceipt struct {
	PledgeID  int64  `json:"pledge_id"`
	NeedTitle string `json:"need_title"`
	Message   string `json:"message"`
}

// Summary counts the platform in a region.
type Summary struct {
	Needs          int64 `json:"needs"`
	NeedsOpen      int64 `json:"needs_open"`
	NeedsFulfilled int64 `json:"needs_fulfilled"`
	Donors         int64 `json:"donors"`
	Donations      int64 `json:"donations"`
	DonatedFen     int64 `json:"donated_fen"`
	DisbursedFen   int64 `json:"disbursed_fen"`
	GoodsValueFen  int64 `json:"goods_value_fen"`
	Households     int64 `json:"households"`
}

// PublicDonations is the public list of donations with the region's summary.
type PublicDonations struct {
	Items   []Donation `json:"items"`
	Summary Summary    `json:"summary"`
}

// PublicNeeds is the public list of needs.
type PublicNeeds struct {
	Items []Need `json:"items"`
}

// Filters of the console lists.
type (
	DonorFilter struct {
		Region, Kind, Q string
		After           int64
		Limit           int
	}
	NeedFilter struct {
		Region, Status, Kind string
		After                int64
		Limit                int
	}
	PledgeFilter struct {
		Region, Status string
		Need, After    int64
		Limit          int
	}
	DonationFilter struct {
		Region, Kind string
		Donor, After int64
		Limit        int
	}
)
