package funds

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Service registers funds and moves money in the ledger.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

var (
	errNoFund     = errs.E(errs.NotFound, "资金不存在")
	errNoAccount  = errs.E(errs.NotFound, "账户不存在")
	errNoTransfer = errs.E(errs.NotFound, "转账不存在")
	codePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
)

// Covers reports whether the principal may read something of region code: it lies in their
// scope, or it is above their scope (a county reads the city fund that pays into it).
func Covers(p *auth.Principal, code string) bool {
	return p.InScope(code) || p != nil && regioncode.Valid(code) && regioncode.Within(p.Scope, code)
}

// above lists the regions above a scope (city, province), for "covers" queries.
func above(scope string) []any {
	var out []any
	for c := regioncode.Parent(scope); c != ""; c = regioncode.Parent(c) {
		out = append(out, c)
	}
	return out
}

// date reads a YYYY-MM-DD (also YYYY/MM/DD, YYYYMMDD) field.
func date(field, s string) (string, error) {
	t, err := tabular.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return "", errs.Field(field, "日期格式应为 YYYY-MM-DD")
	}
	d := t.Format(db.DateLayout)
	if d < "2000-01-01" || d > "2099-12-31" {
		return "", errs.Field(field, "日期超出合理范围")
	}
	return d, nil
}

func text(v errs.Validation, field, s string, required bool, limit int) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add(field, "必填")
	}
	if utf8.RuneCountInString(s) > limit {
		v.Add(field, "不超过 "+strconv.Itoa(limit)+" 字")
	}
	return s
}

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
	if !slices.Contains(SourceLevels, in.SourceLevel) {
		v.Add("source_level", "资金来源层级应为 central、province、city、county、town 或 social")
	}
	if !slices.Contains(Categories, in.Category) {
		v.Add("category", "资金类别应为 fiscal、subsidy 或 donation")
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

// fieldReason is the reason part of a one-field validation error.
func fieldReason(err error) string {
	if e, ok := errs.As(err); ok {
		for _, r := range e.Fields {
			return r
		}
		return e.Message
	}
	return err.Error()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func regionExists(ctx context.Context, q db.Queryer, code string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("region_code", "区划 "+code+" 不存在")
	}
	return nil
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

// OpenAccount opens a finance, department, project, village or enterprise account.
func (s *Service) OpenAccount(ctx context.Context, p *auth.Principal, in AccountInput) (Account, error) {
	v := errs.Validation{}
	if !slices.Contains(OpenKinds, in.Kind) {
		v.Add("kind", "账户类型应为 finance、department、project、village 或 enterprise")
	}
	in.Name = text(v, "name", in.Name, true, 100)
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	if err := v.Err(); err != nil {
		return Account{}, err
	}
	if err := p.RequireIn(auth.FundWrite, in.RegionCode); err != nil {
		return Account{}, err
	}
	var out Account
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := regionExists(ctx, tx, in.RegionCode); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			in.Kind, in.Name, in.RegionCode, p.UserID, db.Time(tx.Now))
		if errs.CodeOf(err) == errs.Conflict {
			return &errs.Error{Code: errs.Conflict, Message: "该区划已有同名同类账户: " + in.Name, Fields: map[string]string{"name": "已存在"}}
		}
		if err != nil {
			return err
		}
		if out, err = getAccount(ctx, tx, p, id, db.Date(tx.Now)); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.account.open", "ledger_account", id, in.RegionCode, nil, out)
	})
	return out, err
}

// FinanceAccount returns the finance (财政) account of a region, opening it on first use.
func FinanceAccount(ctx context.Context, tx *db.Tx, by int64, region string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'finance' AND region_code = ? ORDER BY id LIMIT 1`, region).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = ?`, region).Scan(&name); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errs.Field("region_code", "区划 "+region+" 不存在")
		}
		return 0, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at) VALUES ('finance', ?, ?, ?, ?) RETURNING id`,
		name+"财政", region, by, db.Time(tx.Now))
}

// Payee is who a payment goes to: a person by ID number, with their household when registered.
type Payee struct {
	IDNumber    string
	Name        string
	RegionCode  string
	HouseholdID int64 // 0 = not a registered member
}

// PassbookAccount returns the payee's passbook (一折通) account, opening it on first use.
func PassbookAccount(ctx context.Context, tx *db.Tx, by int64, py Payee) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'passbook' AND id_number = ?`, py.IDNumber).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	return tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, household_id, id_number, created_by, created_at)
		VALUES ('passbook', ?, ?, ?, ?, ?, ?) RETURNING id`, py.Name+"一折通", py.RegionCode, db.NullID(py.HouseholdID), py.IDNumber, by, db.Time(tx.Now))
}

// Transfer books a transfer entered by hand.
func (s *Service) Transfer(ctx context.Context, p *auth.Principal, in TransferInput) (Transfer, error) {
	amount, err := parseAmount("amount_yuan", in.AmountYuan, MaxFundFen, false)
	if err != nil {
		return Transfer{}, err
	}
	on, err := date("on_date", in.OnDate)
	if err != nil {
		return Transfer{}, err
	}
	v := errs.Validation{}
	doc := text(v, "doc_no", in.DocNo, false, 100)
	purpose := text(v, "purpose", in.Purpose, true, 500)
	if err := v.Err(); err != nil {
		return Transfer{}, err
	}
	var out Transfer
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if on > db.Date(tx.Now) {
			return errs.Field("on_date", "日期不能晚于今天")
		}
		f, err := getFund(ctx, tx, in.FundID)
		if errs.CodeOf(err) == errs.NotFound || err == nil && !Covers(p, f.RegionCode) {
			return errs.Missing("fund_id", "资金不存在")
		}
		if err != nil {
			return err
		}
		if on < f.ReceivedOn {
			return errs.Field("on_date", "日期不能早于资金到账日期 "+f.ReceivedOn)
		}
		kind := "transfer"
		from, err := getAccount(ctx, tx, p, in.FromAccount, on)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Missing("from_account", "账户不存在")
		}
		if err != nil {
			return err
		}
		to, err := getAccount(ctx, tx, p, in.ToAccount, on)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Missing("to_account", "账户不存在")
		}
		if err != nil {
			return err
		}
		switch {
		case from.Kind == "source":
			kind = "allocate"
		case to.Kind == "passbook":
			kind = "payment"
		}
		if err := p.RequireIn(auth.FundWrite, from.RegionCode); err != nil {
			return err
		}
		if err := departmentMayPay(ctx, tx, p, from, f); err != nil {
			return err
		}
		if !Covers(p, to.RegionCode) {
			return errs.Field("to_account", "转入账户不在您的管辖范围内")
		}
		post := NewPoster(ctx, tx, p.UserID)
		if err := post.Post(Posting{FundID: in.FundID, From: in.FromAccount, To: in.ToAccount, AmountFen: amount, OnDate: on,
			Kind: kind, DocNo: doc, Purpose: purpose, ItemID: in.ItemID, Period: strings.TrimSpace(in.Period)}); err != nil {
			return err
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if out, err = getTransfer(ctx, tx, ids[0]); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.transfer", "ledger_transfer", ids[0], from.RegionCode, nil, out)
	})
	return out, err
}

// Reverse undoes a transfer by booking the same amount back (冲销). The original stays.
func (s *Service) Reverse(ctx context.Context, p *auth.Principal, id int64, in ReverseInput) (Transfer, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Transfer{}, errs.Field("reason", "请填写冲销原因(不超过 500 字)")
	}
	var out Transfer
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := getTransfer(ctx, tx, id)
		if err != nil {
			return err
		}
		fromRegion, err := accountRegion(ctx, tx, t.FromAccount)
		if err != nil {
			return err
		}
		if !p.InScope(fromRegion) && !p.InScope(t.RegionCode) {
			return errNoTransfer
		}
		if err := p.RequireIn(auth.FundWrite, fromRegion); err != nil {
			return err
		}
		if p.Role == auth.Department {
			from, err := getAccount(ctx, tx, p, t.FromAccount, db.Date(tx.Now))
			if err != nil {
				return err
			}
			if err := departmentMayPay(ctx, tx, p, from, Fund{ID: t.FundID}); err != nil {
				return err
			}
		}
		if t.Kind == "reversal" {
			return errs.E(errs.Conflict, "冲销转账不能再冲销,如需更正请重新转账")
		}
		if t.ReversedBy != nil {
			return errs.E(errs.Conflict, "该转账已被冲销(转账 %d)", *t.ReversedBy)
		}
		on := db.Date(tx.Now)
		if strings.TrimSpace(in.OnDate) != "" {
			if on, err = date("on_date", in.OnDate); err != nil {
				return err
			}
		}
		if on < t.OnDate || on > db.Date(tx.Now) {
			return errs.Field("on_date", "冲销日期须在原转账日期 "+t.OnDate+" 与今天之间")
		}
		var item int64
		if t.ItemID != nil {
			item = *t.ItemID
		}
		post := NewPoster(ctx, tx, p.UserID)
		if err := post.Post(Posting{FundID: t.FundID, From: t.ToAccount, To: t.FromAccount, AmountFen: t.AmountFen, OnDate: on,
			Kind: "reversal", DocNo: t.DocNo, Purpose: "冲销: " + reason, ItemID: item, Period: t.Period,
			AccountNo: t.AccountNo, AccountHolder: t.AccountHolder, ReversesID: t.ID}); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return errs.E(errs.Conflict, "无法冲销: 收款账户的钱已被转出,请先冲销其后续转账(%s)", err.Error())
			}
			return err
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if out, err = getTransfer(ctx, tx, ids[0]); err != nil {
			return err
		}
		return record(ctx, tx, p, "ledger.reverse", "ledger_transfer", t.ID, fromRegion, nil,
			map[string]any{"reversal_id": ids[0], "reason": reason, "amount_fen": t.AmountFen})
	})
	return out, err
}

// today is the Shanghai date of the database clock.
func (s *Service) today() string { return db.Date(s.DB.Clock()) }

// idleDays counts whole days from a date to today.
func idleDays(from, today string) int {
	a, err1 := time.Parse(db.DateLayout, from)
	b, err2 := time.Parse(db.DateLayout, today)
	if err1 != nil || err2 != nil || b.Before(a) {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}

// Accounts lists ledger accounts the principal may see.
func (s *Service) Accounts(ctx context.Context, p *auth.Principal, f AccountFilter) ([]Account, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(AccountKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的账户类型")
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	return listAccounts(ctx, s.DB.Reader(), p, f)
}

// Account reads one account with its balance in each fund.
func (s *Service) Account(ctx context.Context, p *auth.Principal, id int64) (Account, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Account{}, err
	}
	return getAccount(ctx, s.DB.Reader(), p, id, s.today())
}

// Transfers lists transfers touching the principal's scope, newest first.
func (s *Service) Transfers(ctx context.Context, p *auth.Principal, f TransferFilter) ([]Transfer, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Kind != "" && !slices.Contains(TransferKinds, f.Kind) {
		return nil, errs.Field("kind", "未知的转账类型")
	}
	for field, d := range map[string]*string{"from": &f.FromDate, "to": &f.ToDate} {
		if *d != "" {
			v, err := date(field, *d)
			if err != nil {
				return nil, err
			}
			*d = v
		}
	}
	return listTransfers(ctx, s.DB.Reader(), p, f)
}

// TransferByID reads one transfer (account number masked).
func (s *Service) TransferByID(ctx context.Context, p *auth.Principal, id int64) (Transfer, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Transfer{}, err
	}
	q := s.DB.Reader()
	t, err := getTransfer(ctx, q, id)
	if err != nil {
		return t, err
	}
	fromRegion, err := accountRegion(ctx, q, t.FromAccount)
	if err != nil {
		return t, err
	}
	if !p.InScope(t.RegionCode) && !p.InScope(fromRegion) {
		return Transfer{}, errNoTransfer
	}
	t.AccountNo = MaskAccount(t.AccountNo)
	return t, nil
}

// departmentMayPay keeps a department (教育、残联、红十字会…) to its own fund lines: it pays from
// department and project accounts and from the source of funds it registered itself, never
// from finance or another office's account.
func departmentMayPay(ctx context.Context, q db.Queryer, p *auth.Principal, from Account, f Fund) error {
	if p.Root || p.Role != auth.Department {
		return nil
	}
	switch from.Kind {
	case "department", "project":
		return nil
	case "source":
		var by int64
		if err := q.QueryRowContext(ctx, `SELECT created_by FROM funds WHERE id = ?`, f.ID).Scan(&by); err != nil {
			return err
		}
		if by == p.UserID {
			return nil
		}
	}
	return &errs.Error{Code: errs.Forbidden, Message: "部门只能从本部门或项目账户、或本部门登记的资金拨付", Fields: map[string]string{"from_account": "无权从该账户转出"}}
}
