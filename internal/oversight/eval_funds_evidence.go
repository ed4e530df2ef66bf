package oversight

import (
	"strconv"

	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
)

// ---- evidence: what a fund alert stores, masked, so its hash changes only when the facts do ----

// evPay is one payment in an alert's evidence.
type evPay struct {
	TransferID int64  `json:"transfer_id"`
	OnDate     string `json:"on_date"`
	AmountFen  int64  `json:"amount_fen"`
	ItemID     int64  `json:"item_id"`
	Period     string `json:"period"`
	AccountNo  string `json:"account_no,omitempty"` // masked
}

// evPayee is who a payment-check alert is about.
type evPayee struct {
	PassbookID      int64  `json:"passbook_id"`
	IDNumber        string `json:"id_number"` // masked
	Name            string `json:"name"`
	Registered      bool   `json:"registered_member"`
	HouseholdID     int64  `json:"household_id,omitempty"`
	HouseholdNo     string `json:"household_no,omitempty"`
	HouseholdStatus string `json:"household_status,omitempty"`
}

// fundsEvidence is the evidence of a payment check; each check fills its own fields.
type fundsEvidence struct {
	Check        string         `json:"check"`
	Payee        *evPayee       `json:"payee,omitempty"`
	Payees       []evPayee      `json:"payees,omitempty"` // account_shared
	Households   int            `json:"households,omitempty"`
	AccountNo    string         `json:"account_no,omitempty"` // masked
	Holder       string         `json:"account_holder,omitempty"`
	ItemID       int64          `json:"item_id,omitempty"`
	Item         string         `json:"item,omitempty"`
	Period       string         `json:"period,omitempty"`
	StandardFen  int64          `json:"standard_fen,omitempty"`
	Basis        string         `json:"basis,omitempty"`
	Persons      int64          `json:"persons,omitempty"`
	AllowedFen   int64          `json:"allowed_fen,omitempty"`
	DeathDate    string         `json:"death_date,omitempty"`
	DeathSource  string         `json:"death_source,omitempty"` // registry | dataset
	Dataset      int64          `json:"dataset_id,omitempty"`
	DatasetLine  int64          `json:"dataset_line,omitempty"`
	ExitedOn     string         `json:"exited_on,omitempty"`
	PolicyUntil  string         `json:"policy_until,omitempty"`
	RemovedOn    string         `json:"removed_on,omitempty"`
	Employment   []evEmployment `json:"employment,omitempty"`
	Cadre        []evCadre      `json:"cadre,omitempty"`
	Payments     []evPay        `json:"payments"`
	PaymentCount int            `json:"payment_count"`
	TotalFen     int64          `json:"total_fen"`
}

// evEmployment is a public-employee dataset row in an alert's evidence.
type evEmployment struct {
	Employer    string `json:"employer"`
	Position    string `json:"position,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	DatasetID   int64  `json:"dataset_id"`
	DatasetLine int64  `json:"dataset_line"`
}

// evCadre is a cadre-relative dataset row in an alert's evidence.
type evCadre struct {
	Relation      string `json:"relation"`
	CadreName     string `json:"cadre_name"`
	CadrePosition string `json:"cadre_position,omitempty"`
	DatasetID     int64  `json:"dataset_id"`
	DatasetLine   int64  `json:"dataset_line"`
}

func (d *fundsData) payeeEv(p *fpayee) *evPayee {
	return &evPayee{PassbookID: p.id, IDNumber: idcard.Mask(p.idNo()), Name: p.name, Registered: p.member, HouseholdID: p.household,
		HouseholdNo: p.hhNo, HouseholdStatus: p.status}
}

// payments fills the evidence's payments (the first maxEvidencePayments), count and total.
func (d *fundsData) payments(ev *fundsEvidence, recs []payRec) {
	ev.Payments = make([]evPay, 0, min(len(recs), maxEvidencePayments))
	ev.PaymentCount, ev.TotalFen = len(recs), 0
	for i, r := range recs {
		a := d.amt(r)
		ev.TotalFen += a
		if i < maxEvidencePayments {
			ev.Payments = append(ev.Payments, evPay{TransferID: r.id, OnDate: ymdText(r.date), AmountFen: a, ItemID: int64(r.item),
				Period: periodText(r.period), AccountNo: funds.MaskAccount(d.acctNos[r.account()])})
		}
	}
}

func (d *fundsData) itemName(id int32) string {
	if it, ok := d.items[int64(id)]; ok {
		return it.name
	}
	return "项目" + strconv.Itoa(int(id))
}

func yuan(fen int64) string { return money.FormatYuan(fen) + " 元" }
