package payments

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/regioncode"
)

// Service drafts, approves and pays distribution plans.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}

var (
	errNoPlan  = errs.E(errs.NotFound, "发放计划不存在")
	errNoLine  = errs.E(errs.NotFound, "发放明细不存在")
	errNoBatch = errs.E(errs.NotFound, "代发批次不存在")
)

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

// fundItem is what a plan or a payment needs of its fund and item.
type fundItem struct {
	fundID, itemID int64
	fundCode       string
	fundRegion     string
	receivedOn     string
	basis          string
	standard       int64
}

func loadFundItem(ctx context.Context, q db.Queryer, fund, item int64) (fundItem, error) {
	fi := fundItem{fundID: fund, itemID: item}
	err := q.QueryRowContext(ctx, `SELECT f.code, f.region_code, f.received_on, i.basis, i.standard_fen FROM fund_items i
		JOIN funds f ON f.id = i.fund_id WHERE i.id = ? AND i.fund_id = ?`, item, fund).
		Scan(&fi.fundCode, &fi.fundRegion, &fi.receivedOn, &fi.basis, &fi.standard)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM funds WHERE id = ?`, fund).Scan(&n); err != nil {
			return fi, err
		}
		if n == 0 {
			return fi, errs.Missing("fund_id", "资金不存在")
		}
		return fi, errs.Field("item_id", "补贴项目不存在或不属于该资金")
	}
	return fi, err
}

// payer checks the account a plan pays from: a finance, department, project, village or
// enterprise account the principal may see, opened by default as the county's finance account.
func payer(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64, region string) (int64, error) {
	if id == 0 {
		county := regioncode.CountyOf(region)
		if county == "" {
			county = region
		}
		return funds.FinanceAccount(ctx, tx, p.UserID, county)
	}
	var kind, acctRegion string
	err := tx.QueryRowContext(ctx, `SELECT kind, region_code FROM ledger_accounts WHERE id = ?`, id).Scan(&kind, &acctRegion)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !funds.Covers(p, acctRegion) {
		return 0, errs.Missing("payer_account", "账户不存在")
	}
	if err != nil {
		return 0, err
	}
	if kind == "source" || kind == "passbook" {
		return 0, errs.Field("payer_account", "发放须从财政、部门、项目、村集体或企业账户转出")
	}
	return id, nil
}

// CreatePlan drafts a plan and generates its lines from the rule: the heads of the selected
// households in the region, paid the item's standard per household or per member.
func (s *Service) CreatePlan(ctx context.Context, p *auth.Principal, in PlanInput) (NewPlan, error) {
	v := errs.Validation{}
	in.Period = strings.TrimSpace(in.Period)
	if !funds.ValidPeriod(in.Period) {
		v.Add("period", "发放期间应为 YYYY 或 YYYY-MM")
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 100 {
		v.Add("title", "请填写计划名称(不超过 100 字)")
	}
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	for _, t := range in.Rule.HouseholdTypes {
		if !slices.Contains(HouseholdTypes, t) {
			v.Add("rule.household_types", "户类型应为 dibao、tekun 或 general")
		}
	}
	if len(in.Rule.Statuses) == 0 {
		in.Rule.Statuses = []string{"registered"}
	}
	for _, st := range in.Rule.Statuses {
		if !slices.Contains(HouseholdStatuses, st) {
			v.Add("rule.statuses", "户状态应为 applying、registered、exited 或 removed")
		}
	}
	if err := v.Err(); err != nil {
		return NewPlan{}, err
	}
	if err := p.RequireIn(auth.PlanWrite, in.RegionCode); err != nil {
		return NewPlan{}, err
	}
	rule, _ := json.Marshal(in.Rule)
	var out NewPlan
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		fi, err := loadFundItem(ctx, tx, in.FundID, in.ItemID)
		if err != nil {
			return err
		}
		if !funds.Covers(p, fi.fundRegion) {
			return errs.Missing("fund_id", "资金不存在")
		}
		if !regioncode.Within(in.RegionCode, fi.fundRegion) {
			return errs.Field("region_code", "发放区划须在资金的区划之内")
		}
		payerID, err := payer(ctx, tx, p, in.PayerAccount, in.RegionCode)
		if err != nil {
			return err
		}
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO distribution_plans (fund_id, item_id, period, region_code, title, payer_account, source,
			status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id`,
			in.FundID, in.ItemID, in.Period, in.RegionCode, in.Title, payerID, string(rule), p.UserID, now, now)
		if err != nil {
			return err
		}
		skipped, err := generate(ctx, tx, id, in, fi, now)
		if err != nil {
			return err
		}
		if out.Plan, err = getPlan(ctx, tx, id); err != nil {
			return err
		}
		out.Skipped = skipped
		return record(ctx, tx, p, "plan.create", "plan", id, in.RegionCode, nil,
			map[string]any{"fund_id": in.FundID, "item_id": in.ItemID, "period": in.Period, "title": in.Title, "rule": in.Rule,
				"lines": out.Lines, "total_fen": out.TotalFen, "skipped": len(skipped)})
	})
	return out, err
}

var lineColumns = []string{"plan_id", "household_id", "region_code", "payee_id_number", "payee_name", "bank", "account_no",
	"account_holder", "amount_fen", "status", "attempts", "updated_at"}

// generate writes the lines a rule selects and returns the households it had to skip.
func generate(ctx context.Context, tx *db.Tx, plan int64, in PlanInput, fi fundItem, now string) ([]Skipped, error) {
	lo, hi := regioncode.Range(in.RegionCode)
	q := `SELECT h.id, h.household_no, h.region_code, h.head_id_number, h.head_name, h.bank, h.account_no,
		(SELECT COUNT(*) FROM members m WHERE m.household_id = h.id AND m.active = 1 AND m.deceased_on IS NULL)
		FROM households h WHERE h.region_code BETWEEN ? AND ? AND h.status IN (?` + strings.Repeat(", ?", len(in.Rule.Statuses)-1) + `)`
	args := []any{lo, hi}
	for _, st := range in.Rule.Statuses {
		args = append(args, st)
	}
	if len(in.Rule.HouseholdTypes) > 0 {
		q += ` AND h.household_type IN (?` + strings.Repeat(", ?", len(in.Rule.HouseholdTypes)-1) + `)`
		for _, t := range in.Rule.HouseholdTypes {
			args = append(args, t)
		}
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY h.region_code, h.id`, args...)
	if err != nil {
		return nil, err
	}
	skipped := []Skipped{}
	var lines [][]any
	seen := map[string]bool{}
	var total int64
	for rows.Next() {
		var id int64
		var no, region, idNo, head, bank, acct string
		var members int64
		if err := rows.Scan(&id, &no, &region, &idNo, &head, &bank, &acct, &members); err != nil {
			rows.Close()
			return nil, err
		}
		amount := fi.standard
		if fi.basis == "person" {
			amount *= members
		}
		acct = strings.TrimSpace(acct)
		switch {
		case acct == "":
			skipped = append(skipped, Skipped{id, no, "无一折通银行账号"})
		case amount <= 0:
			skipped = append(skipped, Skipped{id, no, "发放金额为 0(无在世成员或标准为 0)"})
		case amount > MaxLineFen:
			skipped = append(skipped, Skipped{id, no, "发放金额超出合理范围"})
		case seen[idNo]:
			skipped = append(skipped, Skipped{id, no, "户主身份证号与另一户重复"})
		default:
			seen[idNo] = true
			total += amount
			lines = append(lines, []any{plan, id, region, idNo, head, bank, acct, head, amount, "pending", 0, now})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := tx.BulkLoad(ctx, "plan_lines", lineColumns, lines); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE distribution_plans SET lines = ?, total_fen = ? WHERE id = ?`, len(lines), total, plan)
	return skipped, err
}

// Plan reads one plan the principal may see.
func (s *Service) Plan(ctx context.Context, p *auth.Principal, id int64) (Plan, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Plan{}, err
	}
	pl, err := getPlan(ctx, s.DB.Reader(), id)
	if err == nil && !p.InScope(pl.RegionCode) {
		return Plan{}, errNoPlan
	}
	return pl, err
}

// Plans lists the plans in the principal's scope.
func (s *Service) Plans(ctx context.Context, p *auth.Principal, f PlanFilter) ([]Plan, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(PlanStatuses, f.Status) {
		return nil, errs.Field("status", "未知的计划状态")
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	return listPlans(ctx, s.DB.Reader(), p, f)
}

// Lines lists the lines of a plan the principal may see (ID and account numbers masked).
func (s *Service) Lines(ctx context.Context, p *auth.Principal, f LineFilter) ([]Line, error) {
	if _, err := s.Plan(ctx, p, f.PlanID); err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(LineStatuses, f.Status) {
		return nil, errs.Field("status", "未知的明细状态")
	}
	return listLines(ctx, s.DB.Reader(), p, f)
}

// Reissues lists the failed lines waiting for re-issue (再次发放) in the principal's scope.
func (s *Service) Reissues(ctx context.Context, p *auth.Principal, f LineFilter) ([]Line, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Region != "" && !p.InScope(f.Region) {
		return nil, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", f.Region)
	}
	f.PlanID, f.Status = 0, "failed"
	return listLines(ctx, s.DB.Reader(), p, f)
}

// planFor reads a plan for a change: in the principal's scope with the action, else not found
// or forbidden.
func planFor(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64, action auth.Action) (Plan, error) {
	pl, err := getPlan(ctx, tx, id)
	if err != nil {
		return pl, err
	}
	if !p.InScope(pl.RegionCode) {
		return Plan{}, errNoPlan
	}
	return pl, p.RequireIn(action, pl.RegionCode)
}

// decide moves a plan from one status to another when its version is the one the caller saw.
// The guarded UPDATE is what makes two concurrent approvals end with exactly one winner: the
// second finds the version moved on and changes nothing.
func (s *Service) decide(ctx context.Context, p *auth.Principal, id int64, in VersionInput, action auth.Action,
	from []string, to, event string) (Plan, error) {
	reason := strings.TrimSpace(in.Reason)
	if to == "rejected" && (reason == "" || utf8.RuneCountInString(reason) > 500) {
		return Plan{}, errs.Field("reason", "请填写退回原因(不超过 500 字)")
	}
	var out Plan
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := planFor(ctx, tx, p, id, action)
		if err != nil {
			return err
		}
		if !slices.Contains(from, pl.Status) {
			return errs.E(errs.Conflict, "计划当前状态为 %s,不能%s", statusLabel(pl.Status), eventLabel(event))
		}
		if in.Version != pl.Version {
			return errs.E(errs.Conflict, "计划已被他人修改(版本 %d,您看到的是 %d),请刷新后重试", pl.Version, in.Version)
		}
		if to == "submitted" && pl.Lines == 0 {
			return errs.E(errs.Conflict, "计划没有发放明细,不能提交")
		}
		now := db.Time(tx.Now)
		q := `UPDATE distribution_plans SET status = ?, version = version + 1, updated_at = ?`
		args := []any{to, now}
		switch to {
		case "submitted":
			q += `, submitted_by = ?, submitted_at = ?, note = ''`
			args = append(args, p.UserID, now)
		case "approved":
			q += `, approved_by = ?, approved_at = ?`
			args = append(args, p.UserID, now)
		case "rejected":
			q += `, note = ?`
			args = append(args, reason)
		}
		res, err := tx.ExecContext(ctx, q+` WHERE id = ? AND version = ? AND status = ?`, append(args, id, pl.Version, pl.Status)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "计划已被他人同时处理,请刷新后重试")
		}
		if out, err = getPlan(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, event, "plan", id, pl.RegionCode, map[string]any{"status": pl.Status, "version": pl.Version},
			map[string]any{"status": to, "version": out.Version, "reason": reason})
	})
	return out, err
}

func statusLabel(s string) string {
	return map[string]string{"draft": "草稿", "submitted": "已提交", "approved": "已审批", "rejected": "已退回", "paying": "发放中",
		"done": "已完成"}[s] + "(" + s + ")"
}

func eventLabel(e string) string {
	return map[string]string{"plan.submit": "提交", "plan.approve": "审批", "plan.reject": "退回"}[e]
}

// Submit sends a draft (or a rejected plan, corrected) to finance.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, id int64, in VersionInput) (Plan, error) {
	in.Reason = ""
	return s.decide(ctx, p, id, in, auth.PlanWrite, []string{"draft", "rejected"}, "submitted", "plan.submit")
}

// Approve approves a submitted plan; its lines may then be paid.
func (s *Service) Approve(ctx context.Context, p *auth.Principal, id int64, in VersionInput) (Plan, error) {
	in.Reason = ""
	return s.decide(ctx, p, id, in, auth.PlanApprove, []string{"submitted"}, "approved", "plan.approve")
}

// Reject sends a submitted plan back with a reason.
func (s *Service) Reject(ctx context.Context, p *auth.Principal, id int64, in VersionInput) (Plan, error) {
	return s.decide(ctx, p, id, in, auth.PlanApprove, []string{"submitted"}, "rejected", "plan.reject")
}

// lineFor reads a line for a change by finance: its plan in scope, approved or paying.
func lineFor(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64) (Line, Plan, error) {
	l, err := getLine(ctx, tx, id)
	if err != nil {
		return l, Plan{}, err
	}
	if !p.InScope(l.RegionCode) {
		return Line{}, Plan{}, errNoLine
	}
	pl, err := getPlan(ctx, tx, l.PlanID)
	if err != nil {
		return l, pl, err
	}
	if err := p.RequireIn(auth.PlanApprove, l.RegionCode); err != nil {
		return l, pl, err
	}
	return l, pl, nil
}

// Reissue corrects a failed line for the next batch (再次发放).
func (s *Service) Reissue(ctx context.Context, p *auth.Principal, id int64, in ReissueInput) (Line, error) {
	note := strings.TrimSpace(in.Note)
	if note == "" || utf8.RuneCountInString(note) > 500 {
		return Line{}, errs.Field("note", "请填写再次发放说明(不超过 500 字)")
	}
	var out Line
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		l, pl, err := lineFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if l.Status != "failed" {
			return errs.E(errs.Conflict, "只有发放失败的明细可以再次发放(当前状态 %s)", l.Status)
		}
		bank, acct, holder := strings.TrimSpace(in.Bank), normAccount(in.AccountNo), strings.TrimSpace(in.AccountHolder)
		if acct == "" && l.HouseholdID != nil {
			if err := tx.QueryRowContext(ctx, `SELECT bank, account_no FROM households WHERE id = ?`, *l.HouseholdID).Scan(&bank, &acct); err != nil {
				return err
			}
			acct = normAccount(acct)
		}
		if acct == "" {
			acct, bank = l.AccountNo, l.Bank
		}
		if bank == "" {
			bank = l.Bank
		}
		if holder == "" {
			holder = l.AccountHolder
		}
		if r := accountReason(acct); r != "" {
			return errs.Field("account_no", r)
		}
		if utf8.RuneCountInString(holder) > 50 || utf8.RuneCountInString(bank) > 100 {
			return errs.Field("account_holder", "户名不超过 50 字,开户行不超过 100 字")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_lines SET status = 'reissue', bank = ?, account_no = ?, account_holder = ?,
			fail_reason = '', batch_id = NULL, updated_at = ? WHERE id = ? AND status = 'failed'`, bank, acct, holder, db.Time(tx.Now), id); err != nil {
			return err
		}
		if out, err = getLine(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "plan.line.reissue", "plan", pl.ID, l.RegionCode,
			map[string]any{"line": id, "status": l.Status, "fail_reason": l.FailReason, "account_no": funds.MaskAccount(l.AccountNo)},
			map[string]any{"line": id, "status": "reissue", "account_no": funds.MaskAccount(acct), "note": note})
	})
	return out.masked(), err
}

// Cancel drops a line that has not been paid; the plan is done once every line is paid or
// cancelled.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id int64, in CancelInput) (Line, error) {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Line{}, errs.Field("reason", "请填写取消原因(不超过 500 字)")
	}
	var out Line
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		l, pl, err := lineFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if l.Status != "failed" && l.Status != "reissue" && l.Status != "pending" {
			return errs.E(errs.Conflict, "该明细状态为 %s,不能取消(已发出或已入账的明细须等回盘)", l.Status)
		}
		if pl.Status != "approved" && pl.Status != "paying" {
			return errs.E(errs.Conflict, "计划尚未审批,请在计划中修改明细")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_lines SET status = 'cancelled', fail_reason = ?, updated_at = ? WHERE id = ?`,
			reason, db.Time(tx.Now), id); err != nil {
			return err
		}
		if err := settle(ctx, tx, pl.ID); err != nil {
			return err
		}
		if out, err = getLine(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "plan.line.cancel", "plan", pl.ID, l.RegionCode, map[string]any{"line": id, "status": l.Status},
			map[string]any{"line": id, "status": "cancelled", "reason": reason})
	})
	return out.masked(), err
}

// settle marks a paying or approved plan done when all of its lines are paid or cancelled.
func settle(ctx context.Context, tx *db.Tx, plan int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE distribution_plans SET status = 'done', version = version + 1, updated_at = ?
		WHERE id = ? AND status IN ('approved', 'paying')
		AND NOT EXISTS (SELECT 1 FROM plan_lines l WHERE l.plan_id = distribution_plans.id AND l.status NOT IN ('paid', 'cancelled'))`,
		db.Time(tx.Now), plan)
	return err
}

// normAccount drops the spaces and dashes people put into account numbers.
func normAccount(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// accountReason says what is wrong with a (normalised) bank account number, "" when nothing.
func accountReason(s string) string {
	if s == "" {
		return "请填写银行账号"
	}
	if len(s) < 6 || len(s) > 32 {
		return "银行账号应为 6-32 位数字"
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "银行账号只能包含数字"
		}
	}
	return ""
}
