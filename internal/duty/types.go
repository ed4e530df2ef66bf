// Package duty is the responsibility system (帮扶责任): the helpers (帮扶责任人) who answer
// for households, and which helper answers for which household since when. The
// responsibility issue extends it with visits, tasks and assessments.
package duty

import (
	"strings"
	"time"

	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/phone"
)

// Helper is a cadre or staff member assigned to help households. RegionCode is the office
// that registered them: who may edit the record.
type Helper struct {
	ID          int64  `json:"id"`
	IDNumber    string `json:"id_number"`
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Employer    string `json:"employer"`
	Position    string `json:"position"`
	PartyMember bool   `json:"party_member"`
	RegionCode  string `json:"region_code"`
	Active      bool   `json:"active"`
	UserID      int64  `json:"user_id"`  // the account the helper signs in to the field app with; 0 = none
	Username    string `json:"username"` // that account's name; "" = none
}

// HelperInput is a helper as entered or imported.
type HelperInput struct {
	IDNumber    string `json:"id_number"`
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Employer    string `json:"employer"`
	Position    string `json:"position"`
	PartyMember bool   `json:"party_member"`
}

// Normalize trims text, before Validate.
func (in *HelperInput) Normalize() {
	for _, p := range []*string{&in.IDNumber, &in.Name, &in.Phone, &in.Employer, &in.Position} {
		*p = strings.TrimSpace(*p)
	}
	in.IDNumber = strings.ToUpper(in.IDNumber)
}

// Validate checks every field; errors name the field and the reason.
func (in *HelperInput) Validate(now time.Time) (idcard.ID, error) {
	v := errs.Validation{}
	id, err := idcard.Parse(in.IDNumber, now)
	if err != nil {
		v.Add("id_number", err.Error())
	}
	if n := len([]rune(in.Name)); n == 0 || n > 50 {
		v.Add("name", "姓名必填,不超过 50 个字")
	}
	if in.Phone != "" && !phone.Valid(in.Phone) {
		v.Add("phone", "应为 11 位手机号或带区号的固定电话")
	}
	if len([]rune(in.Employer)) > 100 {
		v.Add("employer", "单位不超过 100 个字")
	}
	if len([]rune(in.Position)) > 50 {
		v.Add("position", "职务不超过 50 个字")
	}
	return id, v.Err()
}

// Assignment is one period of a helper answering for a household; the open one (ToDate "")
// is the current.
type Assignment struct {
	ID          int64  `json:"id"`
	HouseholdID int64  `json:"household_id"`
	HelperID    int64  `json:"helper_id"`
	RegionCode  string `json:"region_code"`
	FromDate    string `json:"from_date"`
	ToDate      string `json:"to_date"`
}
