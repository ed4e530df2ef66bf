package funds

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// CreateFund registers a fund with its items and opens its source account.
func (s *Service) CreateFund(ctx context.Context, p *auth.Principal, in FundInput) (Fund, error) {
	v := errs.Validation{}
	in.Code = strings.TrimSpace(in.Code)
	if !codePattern.MatchString(in.Code) {
		v.Add("code", "资金编码为 1-40 位字母、数字、点、横线或下划线")
	}
	in.Name = text(v, "name", in.Name, true, 100)
	in.DocNo = text(v, "doc_no", in.DocNo, false, 100)
	in.Purpose = text(v, "purpose", in.Purpose, false, 500)
	if !slices.Contains(SourceLevels, in.SourceLevel) || in.SourceLevel == "village" {
		v.Add("source_level", "资金来源层级应为 central、province、city、county、town 或 social")
	}
	if !slices.Contains(Categories, in.Category) || in.Category == "income" {
		v.Add("category", "资金类别应为 fiscal、subsidy 或 donation(资产收益由资产台账登记)")
	}
	if in.Year < 2000 || in.Year > 2099 {
		v.Add("year", "年度应为 2000-2099")
	}
	amount, err := parseAmount("amount_yuan", in.AmountYuan, MaxFundFen, false)
	if err != nil {
		v.Add("amount_yuan", fieldReason(err))
	}
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	received, err := date("received_on", in.ReceivedOn)
	if err != nil {
		v.Add("received_on", fieldReason(err))
	}
	deadline, err := date("deadline", in.Deadline)
	if err != nil {
		v.Add("deadline", fieldReason(err))
	} else if received != "" && deadline < received {
		v.Add("deadline", "支出期限不能早于到账日期")
	}
	if in.SourceLevel == "city" || in.SourceLevel == "county" || in.SourceLevel == "town" || in.SourceLevel == "social" {
		in.ViaCity = true // only higher-level money can bypass city finance
	}
	if len(in.Items) == 0 {
		v.Add("items", "至少填写一个补贴项目")
	}
	items := make([]Item, len(in.Items))
	seen := map[string]bool{}
	for i, it := range in.Items {
		f := "items[" + strconv.Itoa(i) + "]."
		code := strings.TrimSpace(it.Code)
		if !codePattern.MatchString(code) {
			v.Add(f+"code", "项目编码为 1-40 位字母、数字、点、横线或下划线")
		} else if seen[code] {
			v.Add(f+"code", "项目编码重复: "+code)
		}
		seen[code] = true
		name := text(v, f+"name", it.Name, true, 100)
		if !slices.Contains(Bases, it.Basis) {
			v.Add(f+"basis", "标准依据应为 household(按户)或 person(按人)")
		}
		std, err := parseAmount(f+"standard_yuan", it.StandardYuan, MaxStandardFen, true)
		if err != nil {
			v.Add(f+"standard_yuan", fieldReason(err))
		}
		items[i] = Item{Code: code, Name: name, Basis: it.Basis, StandardFen: std}
	}
	if err := v.Err(); err != nil {
		return Fund{}, err
	}
	if err := p.RequireIn(auth.FundWrite, in.RegionCode); err != nil {
		return Fund{}, err
	}
	var out Fund
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE code = ?`, in.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &errs.Error{Code: errs.Conflict, Message: "资金编码 " + in.Code + " 已存在", Fields: map[string]string{"code": "已存在"}}
		}
		if err := regionExists(ctx, tx, in.RegionCode); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO funds (code, name, source_level, category, year, doc_no, amount_fen, purpose, region_code,
			via_city, received_on, deadline, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Code, in.Name, in.SourceLevel, in.Category, in.Year, in.DocNo, amount, in.Purpose, in.RegionCode,
			boolInt(in.ViaCity), received, deadline, p.UserID, now)
		if err != nil {
			return err
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO fund_items (fund_id, code, name, basis, standard_fen) VALUES (?, ?, ?, ?, ?)`,
				id, it.Code, it.Name, it.Basis, it.StandardFen); err != nil {
				return err
			}
		}
		src, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, fund_id, created_by, created_at)
			VALUES ('source', ?, ?, ?, ?, ?) RETURNING id`, "资金来源: "+in.Name, in.RegionCode, id, p.UserID, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_balances (account_id, fund_id, balance_fen, first_in_on, last_in_on) VALUES (?, ?, 0, ?, ?)`,
			src, id, received, received); err != nil {
			return err
		}
		if out, err = getFund(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "fund.create", "fund", id, in.RegionCode, nil, out)
	})
	return out, err
}

// Fund reads one fund the principal may see.
func (s *Service) Fund(ctx context.Context, p *auth.Principal, id int64) (Fund, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Fund{}, err
	}
	f, err := getFund(ctx, s.DB.Reader(), id)
	if err != nil {
		return Fund{}, err
	}
	if !Covers(p, f.RegionCode) {
		return Fund{}, errNoFund
	}
	return f, nil
}

// FundFilter narrows the fund list.
type FundFilter struct {
	Year        int
	Category    string
	SourceLevel string
	Query       string
	Unfiled     bool
}

// Funds lists the funds the principal may see, newest year first.
func (s *Service) Funds(ctx context.Context, p *auth.Principal, f FundFilter) ([]Fund, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	return listFunds(ctx, s.DB.Reader(), p, f)
}

// FileFund records the county's filing (报备) of a fund that bypassed city finance.
func (s *Service) FileFund(ctx context.Context, p *auth.Principal, id int64, in FilingInput) (Fund, error) {
	var out Fund
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		f, err := getFund(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Covers(p, f.RegionCode) {
			return errNoFund
		}
		if err := p.RequireIn(auth.FundWrite, f.RegionCode); err != nil {
			return err
		}
		if f.ViaCity {
			return errs.E(errs.Conflict, "该资金经市级财政拨付,无需报备")
		}
		if f.FiledOn != nil {
			return errs.E(errs.Conflict, "该资金已于 %s 报备", *f.FiledOn)
		}
		on, err := date("filed_on", in.FiledOn)
		if err != nil {
			return err
		}
		if on > db.Date(tx.Now) {
			return errs.Field("filed_on", "报备日期不能晚于今天")
		}
		doc := strings.TrimSpace(in.DocNo)
		if doc == "" || utf8.RuneCountInString(doc) > 100 {
			return errs.Field("doc_no", "请填写报备文号(不超过 100 字)")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE funds SET filed_on = ?, filed_doc = ?, filed_by = ? WHERE id = ? AND filed_on IS NULL`,
			on, doc, p.UserID, id); err != nil {
			return err
		}
		if out, err = getFund(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "fund.file", "fund", id, f.RegionCode, map[string]any{"filed_on": nil},
			map[string]any{"filed_on": on, "filed_doc": doc})
	})
	return out, err
}
