// Package funds is precise fund management (精准管理扶贫资金): funds with their eligible items
// and filings, and a double-entry ledger in which every fen moves by an immutable transfer
// within one fund, so a payment traces back to its fund and a fund forward to where its money
// is now. The ledger's invariants live in one place, ledger.go.
package funds

import (
	"strings"

	"sunshine/internal/errs"
	"sunshine/internal/money"
)

// Source levels, categories, item bases, account kinds and transfer kinds as stored.
var (
	SourceLevels = []string{"central", "province", "city", "county", "town", "village", "social"}
	// income (资产收益) funds are opened by the asset register for an asset's yearly income.
	Categories   = []string{"fiscal", "subsidy", "donation", "income"}
	Bases        = []string{"household", "person"}
	AccountKinds = []string{"source", "finance", "department", "project", "village", "enterprise", "passbook"}
	// OpenKinds are the account kinds a user opens by hand; source and passbook accounts are
	// opened by the system (with the fund, and on the first payment to a payee).
	OpenKinds     = []string{"finance", "department", "project", "village", "enterprise"}
	TransferKinds = []string{"allocate", "transfer", "payment", "reversal"}
)

// Limits that turn absurd input away: no fund above 100 亿元, no item standard above 100 万元.
const (
	MaxFundFen     = 1_000_000_000_000
	MaxStandardFen = 100_000_000
)

// Fund is a fiscal special fund, policy subsidy or social donation.
type Fund struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	SourceLevel string `json:"source_level"`
	Category    string `json:"category"`
	Year        int    `json:"year"`
	DocNo       string `json:"doc_no"`
	AmountFen   int64  `json:"amount_fen"`
	Purpose     string `json:"purpose"`
	RegionCode  string `json:"region_code"`
	RegionName  string `json:"region_name"`
	// ViaCity is false for higher-level money that bypasses city finance: it must be filed.
	ViaCity    bool    `json:"via_city"`
	ReceivedOn string  `json:"received_on"`
	Deadline   string  `json:"deadline"`
	FiledOn    *string `json:"filed_on"`
	FiledDoc   string  `json:"filed_doc"`
	// NeedsFiling: bypasses the city and not filed yet (未报备).
	NeedsFiling bool   `json:"needs_filing"`
	Items       []Item `json:"items"`
	// SourceAccount is the fund's source account; IssuedFen what has left it (allocated),
	// PaidFen what has reached passbooks (payments net of reversals).
	SourceAccount int64  `json:"source_account"`
	IssuedFen     int64  `json:"issued_fen"`
	PaidFen       int64  `json:"paid_fen"`
	CreatedAt     string `json:"created_at"`
}

// Item is an eligible item (补贴项目) of a fund with its standard amount.
type Item struct {
	ID          int64  `json:"id"`
	FundID      int64  `json:"fund_id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Basis       string `json:"basis"` // household | person
	StandardFen int64  `json:"standard_fen"`
}

// FundInput registers a fund. Amounts are yuan strings, parsed exactly (at most two decimals).
type FundInput struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	SourceLevel string      `json:"source_level"`
	Category    string      `json:"category"`
	Year        int         `json:"year"`
	DocNo       string      `json:"doc_no"`
	AmountYuan  string      `json:"amount_yuan"`
	Purpose     string      `json:"purpose"`
	RegionCode  string      `json:"region_code"`
	ViaCity     bool        `json:"via_city"`
	ReceivedOn  string      `json:"received_on"`
	Deadline    string      `json:"deadline"`
	Items       []ItemInput `json:"items"`
}

// ItemInput is one eligible item of a new fund.
type ItemInput struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Basis        string `json:"basis"`
	StandardYuan string `json:"standard_yuan"`
}

// FilingInput files (报备) a fund that bypassed city finance.
type FilingInput struct {
	FiledOn string `json:"filed_on"`
	DocNo   string `json:"doc_no"`
}

// Account is a ledger account. Balance is its total over all funds (for a source account,
// minus what the fund has issued).
type Account struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	RegionCode  string `json:"region_code"`
	RegionName  string `json:"region_name"`
	FundID      *int64 `json:"fund_id"`
	HouseholdID *int64 `json:"household_id"`
	// IDNumber is the passbook holder's ID number, masked unless the caller may export.
	IDNumber   string    `json:"id_number,omitempty"`
	BalanceFen int64     `json:"balance_fen"`
	Balances   []Balance `json:"balances,omitempty"`
	CreatedAt  string    `json:"created_at"`
}

// AccountInput opens an account by hand.
type AccountInput struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

// Balance is an account's money within one fund. IdleDays counts from the last movement.
type Balance struct {
	AccountID  int64   `json:"account_id"`
	FundID     int64   `json:"fund_id"`
	FundCode   string  `json:"fund_code"`
	FundName   string  `json:"fund_name"`
	BalanceFen int64   `json:"balance_fen"`
	FirstInOn  string  `json:"first_in_on"`
	LastInOn   string  `json:"last_in_on"`
	LastOutOn  *string `json:"last_out_on"`
	IdleDays   int     `json:"idle_days"`
}

// Transfer is one immutable movement of money within a fund.
type Transfer struct {
	ID            int64  `json:"id"`
	FundID        int64  `json:"fund_id"`
	FundCode      string `json:"fund_code"`
	FromAccount   int64  `json:"from_account"`
	FromName      string `json:"from_name"`
	ToAccount     int64  `json:"to_account"`
	ToName        string `json:"to_name"`
	AmountFen     int64  `json:"amount_fen"`
	OnDate        string `json:"on_date"`
	Kind          string `json:"kind"`
	DocNo         string `json:"doc_no"`
	Purpose       string `json:"purpose"`
	ItemID        *int64 `json:"item_id"`
	ItemName      string `json:"item_name"`
	Period        string `json:"period"`
	AccountNo     string `json:"account_no"` // masked in answers
	AccountHolder string `json:"account_holder"`
	Ref           string `json:"ref"`
	ReversesID    *int64 `json:"reverses_id"`
	ReversedBy    *int64 `json:"reversed_by"`
	RegionCode    string `json:"region_code"`
	CreatedBy     int64  `json:"created_by"`
	CreatedAt     string `json:"created_at"`
}

// TransferInput moves money by hand (allocation, transfer between accounts, or a payment
// to a passbook account that already exists).
type TransferInput struct {
	FundID      int64  `json:"fund_id"`
	FromAccount int64  `json:"from_account"`
	ToAccount   int64  `json:"to_account"`
	AmountYuan  string `json:"amount_yuan"`
	OnDate      string `json:"on_date"`
	DocNo       string `json:"doc_no"`
	Purpose     string `json:"purpose"`
	ItemID      int64  `json:"item_id"`
	Period      string `json:"period"`
}

// ReverseInput undoes a transfer by a counter-transfer.
type ReverseInput struct {
	OnDate string `json:"on_date"`
	Reason string `json:"reason"`
}

// Posting is what the ledger books: one transfer, already resolved to ids. Payments and plans
// build postings; the ledger checks them.
type Posting struct {
	FundID        int64
	From, To      int64
	AmountFen     int64
	OnDate        string // YYYY-MM-DD
	Kind          string
	DocNo         string
	Purpose       string
	ItemID        int64 // 0 = none
	Period        string
	AccountNo     string
	AccountHolder string
	Ref           string // "" = none
	ReversesID    int64
}

// parseAmount reads a positive yuan amount no larger than limit fen.
func parseAmount(field, s string, limit int64, zeroOK bool) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errs.Field(field, "请填写金额")
	}
	fen, err := money.ParseYuan(s)
	if err != nil {
		return 0, errs.Field(field, err.Error())
	}
	if fen < 0 || fen == 0 && !zeroOK {
		return 0, errs.Field(field, "金额须大于 0")
	}
	if fen > limit {
		return 0, errs.Field(field, "金额超出合理范围(不超过 "+money.FormatYuan(limit)+" 元)")
	}
	return fen, nil
}

// ValidPeriod reports whether s is YYYY or YYYY-MM.
func ValidPeriod(s string) bool {
	digits := func(t string) bool {
		for _, c := range t {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	switch len(s) {
	case 4:
		return digits(s) && s >= "2000"
	case 7:
		return s[4] == '-' && digits(s[:4]) && digits(s[5:]) && s[:4] >= "2000" && s[5:] >= "01" && s[5:] <= "12"
	}
	return false
}

// MaskAccount keeps the last four digits of a bank account number.
func MaskAccount(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}
