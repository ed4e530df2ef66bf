package payments

import (
	"context"
	"database/sql"
	"errors"
	"hash/maphash"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// PaymentsSchema is FORMATS.md Money `payments`: payments made by other systems (the subsidy
// payment system, a bank), joining the ledger.
var PaymentsSchema = tabular.Schema{Columns: []tabular.Column{
	{Name: "payment_ref", Aliases: []string{"支付流水号", "流水号", "凭证号"}, Required: true},
	{Name: "fund_code", Aliases: []string{"资金编码", "资金代码"}, Required: true},
	{Name: "item_code", Aliases: []string{"项目编码", "补贴项目编码"}, Required: true},
	{Name: "period", Aliases: []string{"发放期间", "所属期"}, Required: true},
	{Name: "payee_id_number", Aliases: []string{"身份证号", "领款人身份证号", "公民身份号码"}, Required: true},
	{Name: "payee_name", Aliases: []string{"姓名", "领款人", "领款人姓名"}, Required: true},
	{Name: "bank", Aliases: []string{"开户行", "开户银行"}},
	{Name: "account_no", Aliases: []string{"银行账号", "一折通账号", "账号"}, Required: true},
	{Name: "account_holder", Aliases: []string{"户名", "账户名"}},
	{Name: "amount_yuan", Aliases: []string{"金额(元)", "金额", "发放金额"}, Required: true},
	{Name: "paid_on", Aliases: []string{"发放日期", "支付日期"}, Required: true},
	{Name: "region_code", Aliases: []string{"区划代码", "行政区划代码"}, Required: true},
}}

var paymentColumns = func() []string {
	out := make([]string, len(PaymentsSchema.Columns))
	for i, c := range PaymentsSchema.Columns {
		out[i] = c.Name
	}
	return out
}()

// PaymentsKind is the `payments` import and export: the payer is the finance account of the
// county of region_code, the payee's passbook is opened on first payment, payment_ref is the
// ledger reference (a row whose ref is booked is unchanged).
func PaymentsKind() exchange.Kind {
	return exchange.Kind{Name: "payments", Label: "资金发放", Schema: PaymentsSchema,
		ImportAction: auth.FundWrite, ExportAction: auth.FundRead,
		Begin: beginPayments, Export: exportPayments,
		Tables: []string{"ledger_transfers", "ledger_balances", "ledger_accounts"}}
}

// bankPrefix keeps an imported payment's bank in the transfer's purpose, so an export can
// give it back.
const bankPrefix = "代发银行: "

type payFund struct {
	id       int64
	region   string
	received string
	ok       bool // exists and the importer may see it
	items    map[string]int64
}

type payMember struct {
	household int64
	region    uint64
}

type payBook struct {
	id     int64
	region uint64
}

type payBal struct{ account, fund int64 }

type pendingPay struct {
	post  funds.Posting
	key   uint64 // packed payee ID number
	name  string
	regio uint64
	hh    int64
}

// paymentBatch validates each row in memory against what it preloaded (members, passbooks,
// booked references, balances as they are spent) and books in chunks through funds.Poster.
type paymentBatch struct {
	ctx     context.Context
	tx      *db.Tx
	p       *auth.Principal
	meta    exchange.Meta
	today   string
	now     string
	seed    maphash.Seed
	funds   map[string]*payFund
	regions map[string]bool
	finance map[string]int64
	members map[uint64]payMember
	books   map[uint64]payBook
	refs    map[uint64]int32 // hash of a reference → line of this file (0 = booked before)
	avail   map[payBal]int64
	pending []pendingPay
	broken  bool // a row was rejected and the file will not be kept: stop writing
}

// payChunk is how many rows are booked at once.
const payChunk = 8192

func beginPayments(ctx context.Context, tx *db.Tx, p *auth.Principal, meta exchange.Meta) (exchange.Batch, error) {
	b := &paymentBatch{ctx: ctx, tx: tx, p: p, meta: meta, today: db.Date(tx.Now), now: db.Time(tx.Now), seed: maphash.MakeSeed(),
		funds: map[string]*payFund{}, regions: map[string]bool{}, finance: map[string]int64{}, members: map[uint64]payMember{},
		books: map[uint64]payBook{}, refs: map[uint64]int32{}, avail: map[payBal]int64{}}
	if err := b.preload(); err != nil {
		return nil, err
	}
	return b, nil
}

func packRegion(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

func unpackRegion(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < 12 {
		s = strings.Repeat("0", 12-len(s)) + s
	}
	return s
}

func (b *paymentBatch) preload() error {
	rows, err := b.tx.QueryContext(b.ctx, `SELECT code FROM regions`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		b.regions[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Scanned in place (RawBytes): a million rows allocate next to nothing per row.
	var idNo, region sql.RawBytes
	var hh int64
	rows, err = b.tx.QueryContext(b.ctx, `SELECT id_number, household_id, region_code FROM members WHERE active = 1`)
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := rows.Scan(&idNo, &hh, &region); err != nil {
			rows.Close()
			return err
		}
		if k, ok := idcard.Pack(string(idNo)); ok {
			b.members[k] = payMember{household: hh, region: packRegion(string(region))}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = b.tx.QueryContext(b.ctx, `SELECT id, id_number, region_code FROM ledger_accounts WHERE kind = 'passbook'`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &idNo, &region); err != nil {
			rows.Close()
			return err
		}
		if k, ok := idcard.Pack(string(idNo)); ok {
			b.books[k] = payBook{id: id, region: packRegion(string(region))}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var ref sql.RawBytes
	rows, err = b.tx.QueryContext(b.ctx, `SELECT ref FROM ledger_transfers WHERE ref IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := rows.Scan(&ref); err != nil {
			rows.Close()
			return err
		}
		b.refs[maphash.Bytes(b.seed, ref)] = 0
	}
	rows.Close()
	return rows.Err()
}

func (b *paymentBatch) fund(code string) (*payFund, error) {
	if f, ok := b.funds[code]; ok {
		return f, nil
	}
	f := &payFund{items: map[string]int64{}}
	err := b.tx.QueryRowContext(b.ctx, `SELECT id, region_code, received_on FROM funds WHERE code = ?`, code).Scan(&f.id, &f.region, &f.received)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	f.ok = err == nil && funds.Covers(b.p, f.region)
	if f.ok {
		rows, err := b.tx.QueryContext(b.ctx, `SELECT id, code FROM fund_items WHERE fund_id = ?`, f.id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var c string
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return nil, err
			}
			f.items[c] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(b.funds) < 10_000 {
		b.funds[code] = f
	}
	return f, nil
}

func (b *paymentBatch) payer(county string) (int64, error) {
	if id, ok := b.finance[county]; ok {
		return id, nil
	}
	id, err := funds.FinanceAccount(b.ctx, b.tx, b.p.UserID, county)
	if err != nil {
		return 0, err
	}
	b.finance[county] = id
	return id, nil
}

func (b *paymentBatch) balance(k payBal) (int64, error) {
	if v, ok := b.avail[k]; ok {
		return v, nil
	}
	var v int64
	err := b.tx.QueryRowContext(b.ctx, `SELECT balance_fen FROM ledger_balances WHERE account_id = ? AND fund_id = ?`, k.account, k.fund).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	b.avail[k] = v
	return v, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

func (b *paymentBatch) Apply(row tabular.Row) (exchange.Outcome, error) {
	out, err := b.apply(row)
	var re *tabular.RowError
	if errors.As(err, &re) && !b.meta.ValidOnly {
		b.broken = true
	}
	return out, err
}

// payRow is one payments row validated on its own, before anything is looked up.
type payRow struct {
	ref, fund, item, period string
	key                     uint64 // packed payee ID number
	name, bank, acct        string
	holder                  string
	fen                     int64
	paidOn, region          string
}

// parsePayment validates what a row says by itself (no database): the import's checks up to
// the lookups, and the parse-only baseline of the benchmark.
func parsePayment(row tabular.Row, now time.Time) (payRow, *tabular.RowError) {
	x := payRow{ref: row.Get("payment_ref"), fund: row.Get("fund_code"), item: row.Get("item_code"), period: row.Get("period"),
		bank: row.Get("bank"), acct: normAccount(row.Get("account_no")), holder: row.Get("account_holder"), region: row.Get("region_code")}
	switch {
	case x.ref == "":
		return x, cellErr("payment_ref", "必填")
	case len(x.ref) > 64 || hasControl(x.ref):
		return x, cellErr("payment_ref", "支付流水号不超过 64 个字符且不含控制字符")
	case x.fund == "":
		return x, cellErr("fund_code", "必填")
	case x.item == "":
		return x, cellErr("item_code", "必填")
	case !funds.ValidPeriod(x.period):
		return x, cellErr("period", "发放期间应为 YYYY 或 YYYY-MM")
	}
	id, perr := idcard.Parse(row.Get("payee_id_number"), now)
	if perr != nil {
		return x, cellErr("payee_id_number", perr.Error())
	}
	x.key, _ = idcard.Pack(id.Number)
	var re *tabular.RowError
	if x.name, re = personName("payee_name", row.Get("payee_name")); re != nil {
		return x, re
	}
	if utf8.RuneCountInString(x.bank) > 100 || hasControl(x.bank) {
		return x, cellErr("bank", "开户行不超过 100 字")
	}
	if r := accountReason(x.acct); r != "" {
		return x, cellErr("account_no", r)
	}
	if x.holder == "" {
		x.holder = x.name
	} else if _, re := personName("account_holder", x.holder); re != nil {
		return x, re
	}
	if x.fen, re = yuan("amount_yuan", row.Get("amount_yuan")); re != nil {
		return x, re
	}
	d, derr := tabular.ParseDate(row.Get("paid_on"))
	if derr != nil {
		return x, cellErr("paid_on", "日期格式应为 YYYY-MM-DD")
	}
	x.paidOn = d.Format(db.DateLayout)
	if x.paidOn > db.Date(now) {
		return x, cellErr("paid_on", "发放日期不能晚于今天")
	}
	if !regioncode.Valid(x.region) {
		return x, cellErr("region_code", "区划代码 "+clip(x.region)+" 不存在")
	}
	return x, nil
}

func (b *paymentBatch) apply(row tabular.Row) (exchange.Outcome, error) {
	ref := row.Get("payment_ref")
	h := maphash.String(b.seed, ref)
	if line, ok := b.refs[h]; ok && ref != "" {
		if line > 0 {
			return 0, cellErr("payment_ref", "支付流水号与第 "+strconv.Itoa(int(line))+" 行重复")
		}
		var n int
		if err := b.tx.QueryRowContext(b.ctx, `SELECT COUNT(*) FROM ledger_transfers WHERE ref = ?`, ref).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return exchange.Unchanged, nil // booked before: the same file twice changes nothing
		}
	}
	x, re := parsePayment(row, b.tx.Now)
	if re != nil {
		return 0, re
	}
	if strings.HasPrefix(x.ref, "line:") {
		return 0, cellErr("payment_ref", "以 line: 开头的流水号留给发放计划,请换一个")
	}
	f, err := b.fund(x.fund)
	if err != nil {
		return 0, err
	}
	if !f.ok {
		return 0, cellErr("fund_code", "资金编码 "+clip(x.fund)+" 不存在或不在您的管辖范围内")
	}
	item, ok := f.items[x.item]
	if !ok {
		return 0, cellErr("item_code", "补贴项目 "+clip(x.item)+" 不属于资金 "+x.fund)
	}
	if x.paidOn < f.received {
		return 0, cellErr("paid_on", "发放日期早于资金到账日期 "+f.received)
	}
	switch region := x.region; {
	case !b.regions[region]:
		return 0, cellErr("region_code", "区划代码 "+region+" 不存在")
	case !b.p.InScope(region):
		return 0, cellErr("region_code", "区划 "+region+" 不在您的管辖范围内")
	case !regioncode.Within(region, f.region):
		return 0, cellErr("region_code", "区划 "+region+" 不在资金 "+x.fund+" 的区划内")
	}
	county := regioncode.CountyOf(x.region)
	if county == "" {
		return 0, cellErr("region_code", "须为县级或以下的区划(付款方为该县财政)")
	}
	payer, err := b.payer(county)
	if err != nil {
		return 0, err
	}
	k := payBal{payer, f.id}
	have, err := b.balance(k)
	if err != nil {
		return 0, err
	}
	if have < x.fen {
		return 0, cellErr("amount_yuan", "余额不足: 付款账户(区划 "+county+" 财政)在资金 "+x.fund+" 下余额 "+
			money.FormatYuan(have)+" 元, 本笔需 "+money.FormatYuan(x.fen)+" 元")
	}
	b.avail[k] = have - x.fen
	b.refs[h] = int32(row.Line)
	purpose := "导入发放"
	if x.bank != "" {
		purpose = bankPrefix + x.bank
	}
	pp := pendingPay{post: funds.Posting{FundID: f.id, From: payer, AmountFen: x.fen, OnDate: x.paidOn, Kind: "payment", Purpose: purpose,
		ItemID: item, Period: x.period, AccountNo: x.acct, AccountHolder: x.holder, Ref: x.ref}, key: x.key, name: x.name, regio: packRegion(x.region)}
	if m, ok := b.members[x.key]; ok {
		pp.hh, pp.regio = m.household, m.region
	}
	b.pending = append(b.pending, pp)
	if len(b.pending) >= payChunk && !b.broken {
		if err := b.book(); err != nil {
			return 0, err
		}
	}
	return exchange.Inserted, nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// book opens the passbooks the pending rows need and books them through one Poster.
func (b *paymentBatch) book() error {
	if len(b.pending) == 0 {
		return nil
	}
	if err := b.openBooks(); err != nil {
		return err
	}
	post := funds.NewPoster(b.ctx, b.tx, b.p.UserID)
	for i := range b.pending {
		pp := &b.pending[i]
		bk := b.books[pp.key]
		post.Known(bk.id, "passbook", unpackRegion(bk.region))
		pp.post.To = bk.id
		if err := post.Post(pp.post); err != nil {
			return err
		}
	}
	if _, err := post.Flush(); err != nil {
		return err
	}
	b.pending = b.pending[:0]
	return nil
}

// openBooks opens, many rows per statement, the passbooks of payees paid for the first time.
func (b *paymentBatch) openBooks() error {
	var fresh []*pendingPay
	want := map[uint64]bool{}
	for i := range b.pending {
		pp := &b.pending[i]
		if _, ok := b.books[pp.key]; !ok && !want[pp.key] {
			want[pp.key] = true
			fresh = append(fresh, pp)
		}
	}
	const per = 500
	for i := 0; i < len(fresh); i += per {
		part := fresh[i:min(i+per, len(fresh))]
		q := `INSERT INTO ledger_accounts (kind, name, region_code, household_id, id_number, created_by, created_at) VALUES `
		args := make([]any, 0, 6*len(part))
		for j, pp := range part {
			if j > 0 {
				q += ", "
			}
			q += "('passbook', ?, ?, ?, ?, ?, ?)"
			args = append(args, pp.name+"一折通", unpackRegion(pp.regio), db.NullID(pp.hh), idcard.Unpack(pp.key), b.p.UserID, b.now)
		}
		rows, err := b.tx.QueryContext(b.ctx, q+" RETURNING id, id_number", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var idNo string
			if err := rows.Scan(&id, &idNo); err != nil {
				rows.Close()
				return err
			}
			k, _ := idcard.Pack(idNo)
			reg := uint64(0)
			for _, pp := range part {
				if pp.key == k {
					reg = pp.regio
					break
				}
			}
			b.books[k] = payBook{id: id, region: reg}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (b *paymentBatch) Flush() error {
	if b.broken {
		return nil
	}
	return b.book()
}

// exportPayments writes the payments booked in the principal's scope (not reversed), in the
// columns of the import, so the file reads back unchanged. ID numbers are masked unless the
// role may export registry data.
func exportPayments(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.FundRead); err != nil {
		return err
	}
	cond, args := p.ScopeCond("t.region_code")
	rows, err := q.QueryContext(ctx, `SELECT t.ref, f.code, COALESCE(i.code, ''), t.period, COALESCE(a.id_number, ''), a.name, t.purpose,
		t.account_no, t.account_holder, t.amount_fen, t.on_date, t.region_code
		FROM ledger_transfers t JOIN funds f ON f.id = t.fund_id JOIN ledger_accounts a ON a.id = t.to_account
		LEFT JOIN fund_items i ON i.id = t.item_id
		WHERE `+cond+` AND t.kind = 'payment' AND t.ref IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_id = t.id) ORDER BY t.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	full := p.Can(auth.HouseholdExport)
	vals := make([]string, len(paymentColumns))
	for rows.Next() {
		var fen int64
		var name, purpose string
		if err := rows.Scan(&vals[0], &vals[1], &vals[2], &vals[3], &vals[4], &name, &purpose, &vals[7], &vals[8], &fen,
			&vals[10], &vals[11]); err != nil {
			return err
		}
		if !full {
			vals[4], vals[7] = idcard.Mask(vals[4]), funds.MaskAccount(vals[7])
		}
		vals[5] = strings.TrimSuffix(name, "一折通")
		vals[6] = ""
		if strings.HasPrefix(purpose, bankPrefix) {
			vals[6] = strings.TrimPrefix(purpose, bankPrefix)
		}
		vals[9] = money.FormatPlain(fen)
		if err := w.Write(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return nil
}

var _ = errs.Invalid
