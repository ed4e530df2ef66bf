package giving

import (
	"context"
	"slices"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
	"sunshine/internal/phone"
	"sunshine/internal/regioncode"
)

// cleanDonor validates a donor's input and returns it normalised.
func cleanDonor(in DonorInput) (DonorInput, error) {
	v := errs.Validation{}
	if !slices.Contains(DonorKinds, in.Kind) {
		v.Add("kind", "捐赠人类型应为 person(个人)、enterprise(企业)或 organisation(社会组织)")
	}
	in.Name = text(v, "name", in.Name, !(in.Anonymous && in.Kind == "person"), MaxName)
	if in.Name == "" && in.Anonymous {
		in.Name = "匿名捐赠人"
	}
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Phone != "" && !phone.Mobile(in.Phone) {
		v.Add("phone", "手机号应为 11 位数字,以 1 开头")
	}
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	switch {
	case in.Kind == "person" && in.CreditCode != "":
		v.Add("credit_code", "个人捐赠人没有统一社会信用代码")
	case (in.Kind == "enterprise" || in.Kind == "organisation") && !validCreditCode(in.CreditCode):
		v.Add("credit_code", "统一社会信用代码应为 18 位数字或大写字母")
	}
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	if in.RegionCode == "" {
		v.Add("region_code", "必填")
	}
	return in, v.Err()
}

// CreateDonor registers a donor under an office in the caller's scope.
func (s *Service) CreateDonor(ctx context.Context, p *auth.Principal, in DonorInput) (Donor, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Donor{}, err
	}
	// scope before shape: another county's region is refused whatever else the input holds
	if err := outOfScope(p, in.RegionCode); err != nil {
		return Donor{}, err
	}
	in, err := cleanDonor(in)
	if err != nil {
		return Donor{}, err
	}
	var out Donor
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, _, err := region(ctx, tx, "region_code", in.RegionCode); err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, in.RegionCode); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		anon := 0
		if in.Anonymous {
			anon = 1
		}
		id, err := tx.InsertID(ctx, `INSERT INTO giving_donors (kind, name, anonymous, phone, credit_code, region_code, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Kind, in.Name, anon, in.Phone, in.CreditCode, in.RegionCode, p.UserID, now, now)
		if err != nil {
			return err
		}
		if out, err = getDonor(ctx, tx, nil, id); err != nil {
			return err
		}
		// the audit trail keeps the phone masked like any list does
		logged := out
		logged.Phone = mask.Phone(logged.Phone)
		return record(ctx, tx, p, "giving.donor.create", "giving_donor", id, in.RegionCode, nil, logged)
	})
	s.changed()
	return s.shownDonor(p, out), err
}

// shownDonor masks the phone for readers who may not export households.
func (s *Service) shownDonor(p *auth.Principal, d Donor) Donor {
	if !p.Can(auth.HouseholdExport) {
		d.Phone = mask.Phone(d.Phone)
	}
	return d
}

// Donor reads a donor in the caller's scope.
func (s *Service) Donor(ctx context.Context, p *auth.Principal, id int64) (Donor, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return Donor{}, err
	}
	d, err := getDonor(ctx, s.DB.Reader(), p, id)
	return s.shownDonor(p, d), err
}

// scopeFilter checks a region filter against the scope and returns the conditions keeping
// col within both.
func scopeFilter(p *auth.Principal, col, region string) ([]string, []any, error) {
	cond, args := p.ScopeCond(col)
	conds := []string{cond}
	if region != "" {
		if !p.InScope(region) {
			return nil, nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", region)
		}
		lo, hi := regioncode.Range(region)
		conds = append(conds, col+" BETWEEN ? AND ?")
		args = append(args, lo, hi)
	}
	return conds, args, nil
}

// Donors lists donors registered in the caller's scope, newest first.
func (s *Service) Donors(ctx context.Context, p *auth.Principal, f DonorFilter) ([]Donor, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(DonorKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的捐赠人类型")
	}
	conds, args, err := scopeFilter(p, "d.region_code", f.Region)
	if err != nil {
		return nil, err
	}
	if f.Kind != "" {
		conds, args = append(conds, "d.kind = ?"), append(args, f.Kind)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		conds, args = append(conds, "(d.name LIKE ? OR d.credit_code = ?)"), append(args, "%"+likeEscape(q)+"%", strings.ToUpper(q))
	}
	if f.After > 0 {
		conds, args = append(conds, "d.id < ?"), append(args, f.After)
	}
	out, err := listOf(ctx, s.DB.Reader(), donorSelect+where(conds)+` ORDER BY d.id DESC LIMIT ?`, append(args, limitOf(f.Limit)+1), scanDonor)
	for i := range out {
		out[i] = s.shownDonor(p, out[i])
	}
	return out, err
}

// likeEscape drops the LIKE wildcards from a search text (a name never needs them).
func likeEscape(s string) string { return strings.NewReplacer("%", "", "_", "").Replace(s) }

func limitOf(n int) int {
	if n <= 0 || n > 200 {
		return 50
	}
	return n
}
