package funds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
)

// Poster books postings inside the caller's transaction. It is the one place the ledger's
// invariants are enforced:
//   - a posting moves a positive amount between two different accounts within one fund, so
//     the balances of a fund always sum to zero (conservation by construction);
//   - no account other than a fund's source goes negative within a fund, and a source never
//     issues more than its fund's amount;
//   - money enters only from the fund's own source account (allocate), reaches passbooks only
//     as payments, and leaves a passbook only by a reversal, so every fen at a household
//     traces back to exactly one fund;
//   - a reference (payment_ref, plan line) is booked once, a transfer is reversed at most
//     once, and a reversal is never itself reversed.
//
// Balances are checked as postings arrive, against the stored balance read once per debited
// account; Flush writes the transfers and the net balance changes, each debit guarded in SQL
// (balance + delta >= floor) so a concurrent transaction that spent the same money makes this
// one fail instead of overdrawing.
type Poster struct {
	ctx   context.Context
	tx    *db.Tx
	by    int64
	funds map[int64]*fundInfo
	accts map[int64]*acctInfo
	items map[int64]int64 // item id → fund id
	bal   map[balKey]*balEntry
	order []balKey
	refs  map[string]bool
	out   []Posting
}

type fundInfo struct {
	amount int64
	source int64
	code   string
}

type acctInfo struct {
	kind   string
	fund   int64 // source accounts only
	region string
}

type balKey struct{ account, fund int64 }

type balEntry struct {
	loaded  bool  // stored balance read (only debited keys need it)
	stored  int64 // balance before this poster
	delta   int64
	floor   int64
	debited bool
	firstIn string
	lastIn  string
	lastOut string
}

// NewPoster starts booking in tx on behalf of user by.
func NewPoster(ctx context.Context, tx *db.Tx, by int64) *Poster {
	return &Poster{ctx: ctx, tx: tx, by: by, funds: map[int64]*fundInfo{}, accts: map[int64]*acctInfo{},
		items: map[int64]int64{}, bal: map[balKey]*balEntry{}, refs: map[string]bool{}}
}

// Known tells the poster about an account the caller has just created in this transaction
// (a new passbook), so booking into it needs no lookup.
func (p *Poster) Known(id int64, kind, region string) {
	p.accts[id] = &acctInfo{kind: kind, region: region}
}

func (p *Poster) fund(id int64) (*fundInfo, error) {
	if f, ok := p.funds[id]; ok {
		return f, nil
	}
	f := &fundInfo{}
	err := p.tx.QueryRowContext(p.ctx, `SELECT f.amount_fen, f.code, a.id FROM funds f JOIN ledger_accounts a ON a.fund_id = f.id AND a.kind = 'source' WHERE f.id = ?`, id).
		Scan(&f.amount, &f.code, &f.source)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Field("fund_id", fmt.Sprintf("资金 %d 不存在", id))
	}
	if err != nil {
		return nil, err
	}
	p.funds[id] = f
	return f, nil
}

func (p *Poster) account(field string, id int64) (*acctInfo, error) {
	if a, ok := p.accts[id]; ok {
		return a, nil
	}
	a := &acctInfo{}
	var fund sql.NullInt64
	err := p.tx.QueryRowContext(p.ctx, `SELECT kind, fund_id, region_code FROM ledger_accounts WHERE id = ?`, id).Scan(&a.kind, &fund, &a.region)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.Field(field, fmt.Sprintf("账户 %d 不存在", id))
	}
	if err != nil {
		return nil, err
	}
	a.fund = fund.Int64
	p.accts[id] = a
	return a, nil
}

func (p *Poster) itemFund(id int64) (int64, error) {
	if f, ok := p.items[id]; ok {
		return f, nil
	}
	var f int64
	err := p.tx.QueryRowContext(p.ctx, `SELECT fund_id FROM fund_items WHERE id = ?`, id).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.Field("item_id", fmt.Sprintf("补贴项目 %d 不存在", id))
	}
	if err != nil {
		return 0, err
	}
	p.items[id] = f
	return f, nil
}

// Region is the region of an account already looked up by Post (for scope checks by callers).
func (p *Poster) Region(account int64) string {
	if a, ok := p.accts[account]; ok {
		return a.region
	}
	return ""
}

// Check validates a posting without booking it: the same checks Post makes.
func (p *Poster) Check(t Posting) error { _, _, err := p.check(&t); return err }

func (p *Poster) check(t *Posting) (*acctInfo, *acctInfo, error) {
	if t.AmountFen <= 0 {
		return nil, nil, errs.Field("amount", "金额须大于 0")
	}
	if t.AmountFen > MaxFundFen {
		return nil, nil, errs.Field("amount", "金额超出合理范围")
	}
	if t.From == t.To {
		return nil, nil, errs.Field("to_account", "转出与转入不能是同一账户")
	}
	if !slices.Contains(TransferKinds, t.Kind) {
		return nil, nil, errs.Field("kind", "未知的转账类型 "+t.Kind)
	}
	if _, err := time.Parse(db.DateLayout, t.OnDate); err != nil {
		return nil, nil, errs.Field("on_date", "日期格式应为 YYYY-MM-DD")
	}
	f, err := p.fund(t.FundID)
	if err != nil {
		return nil, nil, err
	}
	from, err := p.account("from_account", t.From)
	if err != nil {
		return nil, nil, err
	}
	to, err := p.account("to_account", t.To)
	if err != nil {
		return nil, nil, err
	}
	if from.kind == "source" && t.From != f.source || to.kind == "source" && t.To != f.source {
		return nil, nil, errs.Field("from_account", "资金来源账户只属于它自己的资金")
	}
	if from.kind == "passbook" && t.Kind != "reversal" {
		return nil, nil, errs.Field("from_account", "一折通中的钱只能通过冲销退回")
	}
	switch t.Kind {
	case "allocate":
		if from.kind != "source" {
			return nil, nil, errs.Field("from_account", "拨付须从资金来源账户转出")
		}
		if to.kind == "passbook" {
			return nil, nil, errs.Field("to_account", "资金来源不能直接拨到农户一折通,请经财政或部门账户发放")
		}
	case "transfer":
		if from.kind == "source" || to.kind == "source" {
			return nil, nil, errs.Field("kind", "资金来源账户的拨付请用“拨付”")
		}
		if from.kind == "passbook" || to.kind == "passbook" {
			return nil, nil, errs.Field("kind", "发放到一折通请用“发放”")
		}
	case "payment":
		if to.kind != "passbook" {
			return nil, nil, errs.Field("to_account", "发放只能转入农户一折通账户")
		}
		if from.kind == "source" || from.kind == "passbook" {
			return nil, nil, errs.Field("from_account", "发放须从财政、部门或村集体等账户转出")
		}
		if t.ItemID == 0 {
			return nil, nil, errs.Field("item_id", "发放须注明补贴项目")
		}
		if !ValidPeriod(t.Period) {
			return nil, nil, errs.Field("period", "发放期间应为 YYYY 或 YYYY-MM")
		}
	case "reversal":
		if t.ReversesID == 0 {
			return nil, nil, errs.Field("reverses_id", "冲销须指明被冲销的转账")
		}
	}
	if t.ItemID != 0 {
		fid, err := p.itemFund(t.ItemID)
		if err != nil {
			return nil, nil, err
		}
		if fid != t.FundID {
			return nil, nil, errs.Field("item_id", "补贴项目不属于该资金")
		}
	}
	if t.Ref != "" && p.refs[t.Ref] {
		return nil, nil, errs.E(errs.Conflict, "凭证号 %s 已入账,不能重复入账", t.Ref)
	}
	return from, to, nil
}

// Post checks one posting and books it in memory; nothing is written before Flush. A refused
// posting leaves the poster as it was.
func (p *Poster) Post(t Posting) error {
	from, _, err := p.check(&t)
	if err != nil {
		return err
	}
	f := p.funds[t.FundID]
	src, err := p.entry(balKey{t.From, t.FundID}, true)
	if err != nil {
		return err
	}
	if from.kind == "source" {
		src.floor = -f.amount
	}
	if have := src.stored + src.delta; have-t.AmountFen < src.floor {
		if from.kind == "source" {
			return errs.E(errs.Conflict, "超出资金总额: 资金 %s 总额 %s 元, 已拨付 %s 元, 本次 %s 元", f.code,
				money.FormatYuan(f.amount), money.FormatYuan(-have), money.FormatYuan(t.AmountFen))
		}
		return errs.E(errs.Conflict, "余额不足: 账户 %d 在资金 %s 下余额 %s 元, 本次需 %s 元", t.From, f.code,
			money.FormatYuan(have), money.FormatYuan(t.AmountFen))
	}
	dst, err := p.entry(balKey{t.To, t.FundID}, false)
	if err != nil {
		return err
	}
	src.delta -= t.AmountFen
	src.debited = true
	src.lastOut = maxDate(src.lastOut, t.OnDate)
	dst.delta += t.AmountFen
	if dst.firstIn == "" || t.OnDate < dst.firstIn {
		dst.firstIn = t.OnDate
	}
	dst.lastIn = maxDate(dst.lastIn, t.OnDate)
	if t.Ref != "" {
		p.refs[t.Ref] = true
	}
	p.out = append(p.out, t)
	return nil
}

func maxDate(a, b string) string {
	if b > a {
		return b
	}
	return a
}

// entry returns the balance entry of a key, reading the stored balance when debit needs it.
func (p *Poster) entry(k balKey, debit bool) (*balEntry, error) {
	e, ok := p.bal[k]
	if !ok {
		e = &balEntry{}
		p.bal[k] = e
		p.order = append(p.order, k)
	}
	if debit && !e.loaded {
		err := p.tx.QueryRowContext(p.ctx, `SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, k.account, k.fund).Scan(&e.stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		e.loaded = true
	}
	return e, nil
}

// Postings is how many postings wait for Flush.
func (p *Poster) Postings() int { return len(p.out) }

// Flush writes the booked transfers and balance changes and returns the new transfer ids in
// posting order. The poster is empty afterwards and can book more.
func (p *Poster) Flush() ([]int64, error) {
	if len(p.out) == 0 {
		return nil, nil
	}
	now := db.Time(p.tx.Now)
	ids := make([]int64, 0, len(p.out))
	if len(p.out) <= 64 {
		for _, t := range p.out {
			id, err := p.tx.InsertID(p.ctx, `INSERT INTO ledger_transfers (fund_id, from_account, to_account, amount_fen, on_date, kind,
				doc_no, purpose, item_id, period, account_no, account_holder, ref, reverses_id, region_code, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, transferArgs(t, p.accts[t.To].region, p.by, now)...)
			if err != nil {
				return nil, mapRefErr(err, t.Ref)
			}
			ids = append(ids, id)
		}
	} else {
		rows := make([][]any, len(p.out))
		for i, t := range p.out {
			rows[i] = transferArgs(t, p.accts[t.To].region, p.by, now)
		}
		if err := p.tx.BulkLoad(p.ctx, "ledger_transfers", transferColumns, rows); err != nil {
			return nil, mapRefErr(err, "")
		}
	}
	if err := p.writeBalances(); err != nil {
		return nil, err
	}
	// Refs booked by this flush are guarded by the unique index from now on; forgetting them
	// keeps a long import's memory flat.
	p.out = p.out[:0]
	clear(p.bal)
	clear(p.refs)
	p.order = p.order[:0]
	return ids, nil
}

var transferColumns = []string{"fund_id", "from_account", "to_account", "amount_fen", "on_date", "kind", "doc_no", "purpose",
	"item_id", "period", "account_no", "account_holder", "ref", "reverses_id", "region_code", "created_by", "created_at"}

func transferArgs(t Posting, region string, by int64, now string) []any {
	return []any{t.FundID, t.From, t.To, t.AmountFen, t.OnDate, t.Kind, t.DocNo, t.Purpose, db.NullID(t.ItemID), t.Period,
		t.AccountNo, t.AccountHolder, nullStr(t.Ref), db.NullID(t.ReversesID), region, by, now}
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mapRefErr turns the unique-index guard into the error users read.
func mapRefErr(err error, ref string) error {
	if errs.CodeOf(err) == errs.Conflict {
		if ref != "" {
			return errs.E(errs.Conflict, "凭证号 %s 已入账,不能重复入账", ref)
		}
		return errs.E(errs.Conflict, "转账已入账或已被冲销,不能重复")
	}
	return err
}

// writeBalances applies the net change of each touched key: credits (net ≥ 0) as upserts in
// batches, debits as one guarded UPDATE each.
func (p *Poster) writeBalances() error {
	sort.Slice(p.order, func(i, j int) bool { // a stable lock order between transactions
		a, b := p.order[i], p.order[j]
		return a.account < b.account || a.account == b.account && a.fund < b.fund
	})
	var ups [][]any
	for _, k := range p.order {
		e := p.bal[k]
		if e.delta < 0 {
			res, err := p.tx.ExecContext(p.ctx, `UPDATE ledger_balances SET balance_fen = balance_fen + ?,
				last_out_on = CASE WHEN last_out_on IS NULL OR last_out_on < ? THEN ? ELSE last_out_on END,
				last_in_on = CASE WHEN ? <> '' AND last_in_on < ? THEN ? ELSE last_in_on END
				WHERE account_id = ? AND fund_id = ? AND balance_fen + ? >= ?`,
				e.delta, e.lastOut, e.lastOut, e.lastIn, e.lastIn, e.lastIn, k.account, k.fund, e.delta, e.floor)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return errs.E(errs.Conflict, "余额不足: 账户 %d 的余额已被同时支用,请刷新后重试", k.account)
			}
			continue
		}
		first, last := e.firstIn, e.lastIn
		if first == "" { // debited and credited back to a net of zero or more
			first, last = e.lastOut, e.lastOut
		}
		ups = append(ups, []any{k.account, k.fund, e.delta, first, last, nullStr(e.lastOut)})
	}
	const chunk = 400
	for i := 0; i < len(ups); i += chunk {
		part := ups[i:min(i+chunk, len(ups))]
		q := `INSERT INTO ledger_balances (account_id, fund_id, balance_fen, first_in_on, last_in_on, last_out_on) VALUES `
		args := make([]any, 0, len(part)*6)
		for j, r := range part {
			if j > 0 {
				q += ", "
			}
			q += "(?, ?, ?, ?, ?, ?)"
			args = append(args, r...)
		}
		q += ` ON CONFLICT (account_id, fund_id) DO UPDATE SET balance_fen = ledger_balances.balance_fen + excluded.balance_fen,
			last_in_on = CASE WHEN excluded.last_in_on > ledger_balances.last_in_on THEN excluded.last_in_on ELSE ledger_balances.last_in_on END,
			last_out_on = CASE WHEN excluded.last_out_on IS NULL OR (ledger_balances.last_out_on IS NOT NULL AND ledger_balances.last_out_on >= excluded.last_out_on)
				THEN ledger_balances.last_out_on ELSE excluded.last_out_on END`
		if _, err := p.tx.ExecContext(p.ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
