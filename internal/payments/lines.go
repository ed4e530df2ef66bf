package payments

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// LinesSchema is the file of a plan's lines the poverty office hands in.
var LinesSchema = tabular.Schema{Columns: []tabular.Column{
	{Name: "id_number", Aliases: []string{"身份证号", "身份证号码", "公民身份号码", "payee_id_number"}, Required: true},
	{Name: "name", Aliases: []string{"姓名", "payee_name", "领款人"}, Required: true},
	{Name: "amount_yuan", Aliases: []string{"金额(元)", "金额", "发放金额"}, Required: true},
	{Name: "bank", Aliases: []string{"开户行", "开户银行"}},
	{Name: "account_no", Aliases: []string{"银行账号", "账号", "一折通账号"}, Required: true},
	{Name: "account_holder", Aliases: []string{"户名", "账户名"}},
}}

// MaxLinesRows bounds one plan's line file.
const MaxLinesRows = 500_000

func cellErr(column, reason string) *tabular.RowError {
	return &tabular.RowError{Column: column, Code: "invalid", Reason: reason}
}

// yuan reads a positive amount no larger than MaxLineFen.
func yuan(column, s string) (int64, *tabular.RowError) {
	if s == "" {
		return 0, cellErr(column, "请填写金额")
	}
	fen, err := money.ParseYuan(s)
	if err != nil {
		return 0, cellErr(column, err.Error())
	}
	if fen <= 0 {
		return 0, cellErr(column, "金额须大于 0")
	}
	if fen > MaxLineFen {
		return 0, cellErr(column, "金额超出合理范围(单笔不超过 "+money.FormatYuan(MaxLineFen)+" 元)")
	}
	return fen, nil
}

// name reads a person's name: required, at most 50 characters, no control characters.
func personName(column, s string) (string, *tabular.RowError) {
	if s == "" {
		return "", cellErr(column, "必填")
	}
	if utf8.RuneCountInString(s) > 50 || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", cellErr(column, "姓名不超过 50 字且不含控制字符")
	}
	return s, nil
}

// ImportLines replaces the lines of a draft (or rejected) plan with the rows of a file: all
// of them, or none when any row is wrong (the report lists every wrong row).
func (s *Service) ImportLines(ctx context.Context, p *auth.Principal, id int64, r io.Reader, name string) (LinesReport, error) {
	rep := LinesReport{Rejected: []tabular.RowError{}}
	if _, err := s.planWritable(ctx, p, id); err != nil {
		return rep, err
	}
	sum := sha256.New()
	tr, err := tabular.Open(io.TeeReader(r, sum), name, LinesSchema, tabular.Options{MaxRows: MaxLinesRows})
	if err != nil {
		return rep, fileErr(err)
	}
	defer tr.Close()
	type parsed struct {
		id, name, bank, acct, holder string
		fen                          int64
		line                         int
	}
	var rows []parsed
	seen := map[string]int{}
	reject := func(re *tabular.RowError, line int) {
		if re.Line == 0 {
			re.Line = line
		}
		if len(rep.Rejected) < 1000 {
			rep.Rejected = append(rep.Rejected, *re)
		}
	}
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
			return rep, fileErr(err)
		}
		x := parsed{line: row.Line, bank: row.Get("bank"), acct: normAccount(row.Get("account_no"))}
		num, perr := idcard.Parse(row.Get("id_number"), s.DB.Clock())
		if perr != nil {
			reject(cellErr("id_number", perr.Error()), row.Line)
			continue
		}
		x.id = num.Number
		if prev, dup := seen[x.id]; dup {
			reject(cellErr("id_number", "身份证号与第 "+strconv.Itoa(prev)+" 行重复"), row.Line)
			continue
		}
		seen[x.id] = row.Line
		if x.name, re = personName("name", row.Get("name")); re != nil {
			reject(re, row.Line)
			continue
		}
		if x.fen, re = yuan("amount_yuan", row.Get("amount_yuan")); re != nil {
			reject(re, row.Line)
			continue
		}
		if r := accountReason(x.acct); r != "" {
			reject(cellErr("account_no", r), row.Line)
			continue
		}
		if utf8.RuneCountInString(x.bank) > 100 {
			reject(cellErr("bank", "开户行不超过 100 字"), row.Line)
			continue
		}
		x.holder = row.Get("account_holder")
		if x.holder == "" {
			x.holder = x.name
		} else if _, re := personName("account_holder", x.holder); re != nil {
			reject(re, row.Line)
			continue
		}
		rows = append(rows, x)
	}
	if len(rep.Rejected) > 0 {
		return rep, nil
	}
	if len(rows) == 0 {
		return rep, errs.Field("file", "文件中没有发放明细")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		pl, err := planFor(ctx, tx, p, id, auth.PlanWrite)
		if err != nil {
			return err
		}
		if pl.Status != "draft" && pl.Status != "rejected" {
			return errs.E(errs.Conflict, "计划状态为 %s,只有草稿或已退回的计划可以替换明细", statusLabel(pl.Status))
		}
		// Registered payees are linked to their household and region; others stay in the
		// plan's region with no household.
		lo, hi := regioncode.Range(pl.RegionCode)
		now := db.Time(tx.Now)
		out := make([][]any, 0, len(rows))
		var total int64
		for _, x := range rows {
			var hh int64
			region := pl.RegionCode
			err := tx.QueryRowContext(ctx, `SELECT household_id, region_code FROM members WHERE id_number = ? AND active = 1`, x.id).Scan(&hh, &region)
			if err != nil && !errors.Is(err, errNoRows) {
				return err
			}
			if hh != 0 && (region < lo || region > hi) {
				reject(cellErr("id_number", "该人员是区划 "+region+" 的在册成员,不在本计划的发放区划内"), x.line)
				continue
			}
			total += x.fen
			out = append(out, []any{id, db.NullID(hh), region, x.id, x.name, x.bank, x.acct, x.holder, x.fen, "pending", 0, now})
		}
		if len(rep.Rejected) > 0 {
			return errRejected
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_lines WHERE plan_id = ?`, id); err != nil {
			return err
		}
		if err := tx.BulkLoad(ctx, "plan_lines", lineColumns, out); err != nil {
			return err
		}
		src := "import:" + hex.EncodeToString(sum.Sum(nil))[:16] // the file, as imports record it
		if _, err := tx.ExecContext(ctx, `UPDATE distribution_plans SET lines = ?, total_fen = ?, source = ?, status = 'draft',
			version = version + 1, updated_at = ? WHERE id = ?`, len(out), total, src, now, id); err != nil {
			return err
		}
		rep.Lines, rep.TotalFen = len(out), total
		return record(ctx, tx, p, "plan.lines.import", "plan", id, pl.RegionCode, map[string]any{"lines": pl.Lines, "total_fen": pl.TotalFen},
			map[string]any{"lines": len(out), "total_fen": total, "file": name, "sha256": hex.EncodeToString(sum.Sum(nil))})
	})
	if errors.Is(err, errRejected) {
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

var errRejected = errors.New("rows rejected")

var errNoRows = sql.ErrNoRows

// planWritable reads a plan the principal may change with plan.write.
func (s *Service) planWritable(ctx context.Context, p *auth.Principal, id int64) (Plan, error) {
	if err := p.Require(auth.PlanWrite); err != nil {
		return Plan{}, err
	}
	pl, err := getPlan(ctx, s.DB.Reader(), id)
	if err != nil {
		return pl, err
	}
	if !p.InScope(pl.RegionCode) {
		return Plan{}, errNoPlan
	}
	return pl, p.RequireIn(auth.PlanWrite, pl.RegionCode)
}

func fileErr(err error) error {
	var te *tabular.Error
	if errors.As(err, &te) {
		return &errs.Error{Code: errs.Invalid, Message: te.Reason}
	}
	return err
}
