package payments

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
	"sunshine/internal/tabular"
)

// BankFileColumns are the columns of a bank batch file (银行批量代发文件).
var BankFileColumns = []string{"batch_ref", "line_no", "account_no", "account_holder", "amount_yuan", "payee_id_number",
	"payee_name", "bank", "fund_code", "item_code", "period"}

// ReturnSchema is the bank's return file (FORMATS.md `bank_return`).
var ReturnSchema = tabular.Schema{Columns: []tabular.Column{
	{Name: "batch_ref", Aliases: []string{"批次号", "批次编号"}, Required: true},
	{Name: "line_no", Aliases: []string{"序号", "行号"}, Required: true},
	{Name: "account_no", Aliases: []string{"银行账号", "账号"}, Required: true},
	{Name: "account_holder", Aliases: []string{"户名", "账户名"}},
	{Name: "amount_yuan", Aliases: []string{"金额(元)", "金额"}, Required: true},
	{Name: "status", Aliases: []string{"状态", "处理结果"}, Required: true},
	{Name: "reason", Aliases: []string{"原因", "失败原因"}},
}}

// CreateBatch puts every pending and re-issued line of an approved (or paying) plan into a
// new bank batch.
func (s *Service) CreateBatch(ctx context.Context, p *auth.Principal, planID int64) (Batch, error) {
	var out Batch
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := planFor(ctx, tx, p, planID, auth.PlanApprove)
		if err != nil {
			return err
		}
		if pl.Status != "approved" && pl.Status != "paying" {
			return errs.E(errs.Conflict, "计划状态为 %s,审批后才能生成代发批次", statusLabel(pl.Status))
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, account_no, account_holder, amount_fen FROM plan_lines
			WHERE plan_id = ? AND status IN ('pending', 'reissue') ORDER BY id`, planID)
		if err != nil {
			return err
		}
		var lines [][]any
		var total int64
		for rows.Next() {
			var id, fen int64
			var acct, holder string
			if err := rows.Scan(&id, &acct, &holder, &fen); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, []any{nil, len(lines) + 1, id, acct, holder, fen, "sent"})
			total += fen
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(lines) == 0 {
			return errs.E(errs.Conflict, "计划没有待发放或待再次发放的明细")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payment_batches WHERE plan_id = ?`, planID).Scan(&n); err != nil {
			return err
		}
		ref := fmt.Sprintf("PB%d-%d", planID, n+1)
		now := db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO payment_batches (plan_id, batch_ref, region_code, lines, total_fen, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, 'sent', ?, ?) RETURNING id`, planID, ref, pl.RegionCode, len(lines), total, p.UserID, now)
		if errs.CodeOf(err) == errs.Conflict {
			return errs.E(errs.Conflict, "批次 %s 已被同时生成,请刷新后重试", ref)
		}
		if err != nil {
			return err
		}
		for _, l := range lines {
			l[0] = id
		}
		if err := tx.BulkLoad(ctx, "payment_batch_lines", []string{"batch_id", "line_no", "plan_line_id", "account_no",
			"account_holder", "amount_fen", "status"}, lines); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE plan_lines SET status = 'sent', batch_id = ?, attempts = attempts + 1, updated_at = ?
			WHERE plan_id = ? AND status IN ('pending', 'reissue')`, id, now, planID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); int(n) != len(lines) {
			return errs.E(errs.Conflict, "计划明细已被同时修改,请刷新后重试")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE distribution_plans SET status = 'paying', updated_at = ? WHERE id = ? AND status = 'approved'`,
			now, planID); err != nil {
			return err
		}
		if out, err = getBatch(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "payment.batch.create", "plan", planID, pl.RegionCode, nil,
			map[string]any{"batch_id": id, "batch_ref": ref, "lines": len(lines), "total_fen": total})
	})
	return out, err
}

// Batch reads one batch the principal may see.
func (s *Service) Batch(ctx context.Context, p *auth.Principal, id int64) (Batch, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Batch{}, err
	}
	b, err := getBatch(ctx, s.DB.Reader(), id)
	if err == nil && !p.InScope(b.RegionCode) {
		return Batch{}, errNoBatch
	}
	return b, err
}

// Batches lists the batches in the principal's scope, newest first.
func (s *Service) Batches(ctx context.Context, p *auth.Principal, f BatchFilter) ([]Batch, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return nil, err
	}
	if f.Status != "" && f.Status != "sent" && f.Status != "reconciled" {
		return nil, errs.Field("status", "批次状态应为 sent 或 reconciled")
	}
	return listBatches(ctx, s.DB.Reader(), p, f)
}

// batchFor reads a batch for finance's work on it: in scope, with plan.approve there.
func batchFor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Batch, error) {
	b, err := getBatch(ctx, q, id)
	if err != nil {
		return b, err
	}
	if !p.InScope(b.RegionCode) {
		return Batch{}, errNoBatch
	}
	return b, p.RequireIn(auth.PlanApprove, b.RegionCode)
}

// CheckBatchFile says whether the principal may download the batch's bank file, before a
// byte of it is written (so HTTP can still answer with a status).
func (s *Service) CheckBatchFile(ctx context.Context, p *auth.Principal, id int64, format string) (Batch, error) {
	if format != "" && format != "csv" && format != "xlsx" {
		return Batch{}, errs.Field("format", "应为 csv 或 xlsx")
	}
	return batchFor(ctx, s.DB.Reader(), p, id)
}

// BatchFile writes the bank file of a batch: full account and ID numbers, for the bank.
func (s *Service) BatchFile(ctx context.Context, p *auth.Principal, id int64, format string, w io.Writer) error {
	b, err := s.CheckBatchFile(ctx, p, id, format)
	if err != nil {
		return err
	}
	q := s.DB.Reader()
	var fundCode, itemCode, period string
	if err := q.QueryRowContext(ctx, `SELECT f.code, i.code, p.period FROM distribution_plans p JOIN funds f ON f.id = p.fund_id
		JOIN fund_items i ON i.id = p.item_id WHERE p.id = ?`, b.PlanID).Scan(&fundCode, &itemCode, &period); err != nil {
		return err
	}
	var tw *tabular.Writer
	if format == "xlsx" {
		tw, err = tabular.NewXLSXWriter(w, "银行代发", BankFileColumns)
	} else {
		tw, err = tabular.NewCSVWriter(w, BankFileColumns)
	}
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT bl.line_no, bl.account_no, bl.account_holder, bl.amount_fen, l.payee_id_number, l.payee_name, l.bank
		FROM payment_batch_lines bl JOIN plan_lines l ON l.id = bl.plan_line_id WHERE bl.batch_id = ? ORDER BY bl.line_no`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var no int
		var fen int64
		var acct, holder, idNo, name, bank string
		if err := rows.Scan(&no, &acct, &holder, &fen, &idNo, &name, &bank); err != nil {
			return err
		}
		if err := tw.Write([]string{b.BatchRef, strconv.Itoa(no), acct, holder, money.FormatPlain(fen), idNo, name, bank,
			fundCode, itemCode, period}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return tw.Close()
}

// sentLine is what the batch sent on one line, which the return must match.
type sentLine struct {
	planLine int64
	account  string
	holder   string
	fen      int64
}

// returned is one line of a return file that matched.
type returned struct {
	lineNo int
	paid   bool
	reason string
}

// MaxReasonRunes bounds a failure reason kept from a return file.
const MaxReasonRunes = 200

// parseReturn reads a bank return file against the batch it answers: every line of the batch
// exactly once, with the batch's reference, account and amount. Every wrong row is listed
// (line, column, reason); returned lines are only meaningful when none is.
func parseReturn(r io.Reader, name, ref string, sent map[int]sentLine) ([]returned, []tabular.RowError, error) {
	rejected := []tabular.RowError{}
	reject := func(re *tabular.RowError, line int) {
		if re.Line == 0 {
			re.Line = line
		}
		if len(rejected) < 1000 {
			rejected = append(rejected, *re)
		}
	}
	tr, err := tabular.Open(r, name, ReturnSchema, tabular.Options{MaxRows: len(sent) + 1000})
	if err != nil {
		return nil, nil, fileErr(err)
	}
	defer tr.Close()
	seen := make(map[int]int, len(sent))
	out := make([]returned, 0, len(sent))
	for {
		row, err := tr.Next()
		if err == io.EOF {
			break
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			reject(re, 0)
			continue
		}
		if err != nil {
			return nil, nil, fileErr(err)
		}
		if got := row.Get("batch_ref"); got != ref {
			reject(cellErr("batch_ref", fmt.Sprintf("批次号 %.40q 不是本批次 %s 的回盘", got, ref)), row.Line)
			continue
		}
		no, err := strconv.Atoi(row.Get("line_no"))
		sl, ok := sent[no]
		if err != nil || !ok {
			reject(cellErr("line_no", fmt.Sprintf("序号 %.20q 不在批次 %s 中(共 %d 行)", row.Get("line_no"), ref, len(sent))), row.Line)
			continue
		}
		if prev, dup := seen[no]; dup {
			reject(cellErr("line_no", fmt.Sprintf("序号 %d 在第 %d 行已回盘,同一笔不能回盘两次", no, prev)), row.Line)
			continue
		}
		seen[no] = row.Line
		if normAccount(row.Get("account_no")) != sl.account {
			reject(cellErr("account_no", fmt.Sprintf("序号 %d 的账号与代发文件不符(应为 %s)", no, funds.MaskAccount(sl.account))), row.Line)
			continue
		}
		if h := row.Get("account_holder"); h != "" && h != sl.holder {
			reject(cellErr("account_holder", fmt.Sprintf("序号 %d 的户名与代发文件不符", no)), row.Line)
			continue
		}
		fen, perr := money.ParseYuan(row.Get("amount_yuan"))
		if perr != nil {
			reject(cellErr("amount_yuan", perr.Error()), row.Line)
			continue
		}
		if fen != sl.fen {
			reject(cellErr("amount_yuan", fmt.Sprintf("序号 %d 的金额 %s 元与代发金额 %s 元不符", no, money.FormatYuan(fen), money.FormatYuan(sl.fen))), row.Line)
			continue
		}
		x := returned{lineNo: no}
		switch strings.ToLower(row.Get("status")) {
		case "success", "成功", "paid", "已入账":
			x.paid = true
		case "failed", "失败", "fail":
			x.reason = strings.TrimSpace(row.Get("reason"))
			if x.reason == "" {
				x.reason = "银行未说明原因"
			}
			if r := []rune(x.reason); len(r) > MaxReasonRunes {
				x.reason = string(r[:MaxReasonRunes])
			}
		default:
			reject(cellErr("status", "状态应为 success(成功)或 failed(失败)"), row.Line)
			continue
		}
		out = append(out, x)
	}
	if len(rejected) == 0 && len(seen) < len(sent) {
		missingNos := []string{}
		for no := 1; no <= len(sent) && len(missingNos) < 20; no++ {
			if _, ok := seen[no]; !ok {
				missingNos = append(missingNos, strconv.Itoa(no))
			}
		}
		reject(cellErr("line_no", fmt.Sprintf("回盘缺少 %d 笔(序号 %s…),须包含批次的每一笔", len(sent)-len(seen), strings.Join(missingNos, "、"))), 0)
	}
	return out, rejected, nil
}

// Reconcile books a bank return file against its batch: paid lines become payment postings
// (ref line:<plan line id>) from the plan's payer account to each payee's passbook, failed
// lines go to the re-issue queue with the bank's reason. All or nothing: a wrong row, or a
// payer whose balance cannot cover the paid lines, books nothing.
func (s *Service) Reconcile(ctx context.Context, p *auth.Principal, batchID int64, r io.Reader, name string) (ReconcileReport, error) {
	rep := ReconcileReport{BatchID: batchID, Rejected: []tabular.RowError{}}
	if err := p.Require(auth.PlanApprove); err != nil {
		return rep, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := batchFor(ctx, tx, p, batchID)
		if err != nil {
			return err
		}
		if b.Status != "sent" {
			return errs.E(errs.Conflict, "批次 %s 已于 %s 对账,不能重复对账", b.BatchRef, deref(b.ReconciledAt))
		}
		sent := map[int]sentLine{}
		type payee struct {
			id, name, region string
			household        int64
		}
		payees := map[int]payee{}
		rows, err := tx.QueryContext(ctx, `SELECT bl.line_no, bl.plan_line_id, bl.account_no, bl.account_holder, bl.amount_fen,
			l.payee_id_number, l.payee_name, l.region_code, COALESCE(l.household_id, 0)
			FROM payment_batch_lines bl JOIN plan_lines l ON l.id = bl.plan_line_id WHERE bl.batch_id = ?`, batchID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var no int
			var sl sentLine
			var py payee
			if err := rows.Scan(&no, &sl.planLine, &sl.account, &sl.holder, &sl.fen, &py.id, &py.name, &py.region, &py.household); err != nil {
				rows.Close()
				return err
			}
			sent[no], payees[no] = sl, py
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		h := sha256.New()
		got, rejected, err := parseReturn(io.TeeReader(r, h), name, b.BatchRef, sent)
		if err != nil {
			return err
		}
		if len(rejected) > 0 {
			rep.Rejected = rejected
			return errRejected
		}
		pl, err := getPlan(ctx, tx, b.PlanID)
		if err != nil {
			return err
		}
		today := db.Date(tx.Now)
		post := funds.NewPoster(ctx, tx, p.UserID)
		now := db.Time(tx.Now)
		for _, x := range got {
			sl, py := sent[x.lineNo], payees[x.lineNo]
			if !x.paid {
				rep.Failed++
				if _, err := tx.ExecContext(ctx, `UPDATE payment_batch_lines SET status = 'failed', reason = ? WHERE batch_id = ? AND line_no = ?`,
					x.reason, batchID, x.lineNo); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE plan_lines SET status = 'failed', fail_reason = ?, updated_at = ? WHERE id = ?`,
					x.reason, now, sl.planLine); err != nil {
					return err
				}
				continue
			}
			book, err := funds.PassbookAccount(ctx, tx, p.UserID, funds.Payee{IDNumber: py.id, Name: py.name, RegionCode: py.region, HouseholdID: py.household})
			if err != nil {
				return err
			}
			if err := post.Post(funds.Posting{FundID: pl.FundID, From: pl.PayerAccount, To: book, AmountFen: sl.fen, OnDate: today,
				Kind: "payment", DocNo: b.BatchRef, Purpose: pl.Title, ItemID: pl.ItemID, Period: pl.Period, AccountNo: sl.account,
				AccountHolder: sl.holder, Ref: "line:" + strconv.FormatInt(sl.planLine, 10)}); err != nil {
				if errs.CodeOf(err) == errs.Conflict {
					return errs.E(errs.Conflict, "回盘未入账: %s", strings.TrimPrefix(err.Error(), "conflict: "))
				}
				return err
			}
			rep.Paid++
			rep.PaidFen += sl.fen
		}
		if _, err := post.Flush(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_batch_lines SET status = 'paid' WHERE batch_id = ? AND status = 'sent'`, batchID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_lines SET status = 'paid', updated_at = ?,
			transfer_id = (SELECT t.id FROM ledger_transfers t WHERE t.ref = 'line:' || plan_lines.id)
			WHERE batch_id = ? AND status = 'sent'`, now, batchID); err != nil {
			return err
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if _, err := tx.ExecContext(ctx, `UPDATE payment_batches SET status = 'reconciled', paid_lines = ?, paid_fen = ?, failed_lines = ?,
			return_sha256 = ?, paid_on = ?, reconciled_by = ?, reconciled_at = ? WHERE id = ? AND status = 'sent'`,
			rep.Paid, rep.PaidFen, rep.Failed, sum, today, p.UserID, now, batchID); err != nil {
			return err
		}
		if err := settle(ctx, tx, pl.ID); err != nil {
			return err
		}
		return record(ctx, tx, p, "payment.batch.reconcile", "plan", pl.ID, b.RegionCode, nil,
			map[string]any{"batch_id": batchID, "batch_ref": b.BatchRef, "file": name, "sha256": sum, "paid": rep.Paid,
				"paid_fen": rep.PaidFen, "failed": rep.Failed})
	})
	if errors.Is(err, errRejected) {
		return rep, nil
	}
	if err != nil {
		return ReconcileReport{BatchID: batchID, Rejected: []tabular.RowError{}}, err
	}
	rep.Committed = true
	return rep, nil
}

// ReconcileRef is Reconcile by batch reference (the CLI's --batch).
func (s *Service) ReconcileRef(ctx context.Context, p *auth.Principal, ref string, r io.Reader, name string) (ReconcileReport, error) {
	b, err := batchByRef(ctx, s.DB.Reader(), strings.TrimSpace(ref))
	if err != nil {
		return ReconcileReport{Rejected: []tabular.RowError{}}, err
	}
	return s.Reconcile(ctx, p, b.ID, r, name)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var _ = sql.ErrNoRows
