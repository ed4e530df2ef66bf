package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/funds"
)

// FundsSummary is what Funds loaded.
type FundsSummary struct {
	Funds     int
	Transfers int
	Payments  int
}

// demoFund is one fund of the demo with the share of households its first item pays.
type demoFund struct {
	code, name, level, category, doc string
	region                           string // "" = the city
	perCounty                        bool   // one fund per county (higher-level money sent to the county)
	viaCity                          bool
	items                            []funds.ItemInput
	share                            int // percent of registered households paid
	types                            []string
}

// Funds gives the demo city's fund pages something to show: a central fund through city
// finance paid to most households, a provincial subsidy sent straight to each county (filed by
// all but one county, so one shows 未报备), a city housing subsidy, a donation, money resting at
// village accounts for months (滞留), and one payment reversed. Dates run through this year up to
// last month. It does nothing when funds exist.
func Funds(ctx context.Context, s *funds.Service) (FundsSummary, error) {
	var sum FundsSummary
	var n int
	if err := s.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM funds`).Scan(&n); err != nil || n > 0 {
		return sum, err
	}
	var cityCode string
	if err := s.DB.Reader().QueryRowContext(ctx, `SELECT code FROM regions WHERE level = 'city' ORDER BY code LIMIT 1`).Scan(&cityCode); err != nil {
		return sum, err
	}
	counties, err := strs(ctx, s.DB.Reader(), `SELECT DISTINCT substr(region_code, 1, 6) || '000000' FROM households ORDER BY 1`)
	if err != nil || len(counties) == 0 {
		return sum, err
	}
	now := s.DB.Clock().In(db.Shanghai)
	year := now.Year()
	last := int(now.Month()) - 1 // pay up to last month
	if last < 4 {
		year, last = year-1, 12
	}
	on := func(month, day int) string {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, db.Shanghai).Format(db.DateLayout)
	}
	catalogue := []demoFund{
		{code: fmt.Sprintf("ZY-%d-XJ", year), name: "中央财政衔接推进乡村振兴补助资金", level: "central", category: "fiscal", viaCity: true,
			doc: fmt.Sprintf("财农〔%d〕12号", year), share: 70,
			items: []funds.ItemInput{{Code: "cyjb", Name: "产业发展奖补", Basis: "household", StandardYuan: "2000"}, {Code: "yljh", Name: "雨露计划", Basis: "person", StandardYuan: "1500"}}},
		{code: fmt.Sprintf("SJ-%d-DB", year), name: "省级低保提标补助资金", level: "province", category: "subsidy", perCounty: true,
			doc: fmt.Sprintf("苏财社〔%d〕27号", year), share: 100, types: []string{"dibao", "tekun"},
			items: []funds.ItemInput{{Code: "dbtb", Name: "低保提标补助", Basis: "person", StandardYuan: "300"}}},
		{code: fmt.Sprintf("SZ-%d-ZF", year), name: "市级农村住房保障补贴", level: "city", category: "subsidy", viaCity: true,
			doc: fmt.Sprintf("盐财建〔%d〕5号", year), share: 8,
			items: []funds.ItemInput{{Code: "wfgz", Name: "危房改造补助", Basis: "household", StandardYuan: "20000"}}},
		{code: fmt.Sprintf("CS-%d-ZX", year), name: "市慈善总会爱心助学捐赠", level: "social", category: "donation", viaCity: true,
			doc: "盐慈〔" + fmt.Sprint(year) + "〕3号", share: 10,
			items: []funds.ItemInput{{Code: "zx", Name: "爱心助学金", Basis: "household", StandardYuan: "1000"}}},
	}
	r := rand.New(rand.NewPCG(7, 2026))
	op := &auth.Principal{Username: "demo", Name: "演示数据", Role: auth.Finance, Scope: cityCode, Root: true}
	hhs, err := fundHouseholds(ctx, s.DB)
	if err != nil {
		return sum, err
	}
	passbooks := map[int64]int64{} // household → passbook account, opened by the first fund paying it
	for _, c := range catalogue {
		regions := []string{cityCode}
		if c.perCounty {
			regions = counties
		}
		for ci, region := range regions {
			code := c.code
			if c.perCounty {
				code += "-" + region[:6]
			}
			fd, err := s.CreateFund(ctx, op, funds.FundInput{Code: code, Name: c.name, SourceLevel: c.level, Category: c.category, Year: year,
				DocNo: c.doc, AmountYuan: fmt.Sprint(fundSize(c, hhs, region)), Purpose: "精准扶贫: " + c.items[0].Name, RegionCode: region,
				ViaCity: c.viaCity, ReceivedOn: on(2, 10), Deadline: on(11, 30), Items: c.items})
			if err != nil {
				return sum, fmt.Errorf("demo fund %s: %w", code, err)
			}
			sum.Funds++
			if !c.viaCity && ci > 0 { // every county but the first has filed its provincial money
				if _, err := s.FileFund(ctx, op, fd.ID, funds.FilingInput{FiledOn: on(2, 20), DocNo: fmt.Sprintf("%s财报〔%d〕%d号", region[4:6], year, ci)}); err != nil {
					return sum, err
				}
			}
			t, p, err := payFund(ctx, s.DB, r, fd, c, hhs, region, counties, on, last, passbooks)
			if err != nil {
				return sum, fmt.Errorf("demo fund %s: %w", code, err)
			}
			sum.Transfers += t
			sum.Payments += p
		}
	}
	return sum, nil
}

type fundHousehold struct {
	id                          int64
	region, typ, head, idNumber string
	bank, account               string
	members                     int
}

func fundHouseholds(ctx context.Context, d *db.DB) ([]fundHousehold, error) {
	rows, err := d.Reader().QueryContext(ctx, `SELECT h.id, h.region_code, h.household_type, h.head_name, h.head_id_number, h.bank, h.account_no,
		(SELECT COUNT(*) FROM members m WHERE m.household_id = h.id AND m.active = 1)
		FROM households h WHERE h.status = 'registered' AND h.account_no <> '' ORDER BY h.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fundHousehold
	for rows.Next() {
		var h fundHousehold
		if err := rows.Scan(&h.id, &h.region, &h.typ, &h.head, &h.idNumber, &h.bank, &h.account, &h.members); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// eligible reports whether the fund pays the household (every n-th of the right type).
func (c demoFund) eligible(h fundHousehold) bool {
	if len(c.types) > 0 && !contains(c.types, h.typ) {
		return false
	}
	return int(h.id%100) < c.share
}

// fundSize is what the fund's payments need plus a quarter more (money still on its way).
func fundSize(c demoFund, hhs []fundHousehold, region string) int64 {
	var fen int64
	for _, h := range hhs {
		if within(h.region, region) && c.eligible(h) {
			fen += payFen(c, h) * payTimes(c)
		}
	}
	return (fen*5/4)/100 + 100000
}

func within(code, region string) bool {
	p := region
	for len(p) > 0 && p[len(p)-1] == '0' {
		p = p[:len(p)-1]
	}
	return len(code) >= len(p) && code[:len(p)] == p
}

func payFen(c demoFund, h fundHousehold) int64 {
	var std int64
	fmt.Sscan(c.items[0].StandardYuan, &std)
	if c.items[0].Basis == "person" {
		return std * 100 * int64(max(h.members, 1))
	}
	return std * 100
}

// payTimes: the provincial subsidy is paid quarterly, the rest once.
func payTimes(c demoFund) int64 {
	if c.perCounty {
		return 3
	}
	return 1
}

// payFund allocates the fund down to county finance and pays its households' passbooks in one
// transaction with one audit event, the way a bulk import books.
func payFund(ctx context.Context, d *db.DB, r *rand.Rand, fd funds.Fund, c demoFund, hhs []fundHousehold, region string,
	counties []string, on func(int, int) string, last int, passbooks map[int64]int64) (transfers, payments int, err error) {
	opened := map[int64]int64{} // rolled back with the transaction on failure
	err = d.InTx(ctx, func(tx *db.Tx) error {
		p := funds.NewPoster(ctx, tx, 0)
		need := map[string]int64{}
		for _, h := range hhs {
			if within(h.region, region) && c.eligible(h) {
				need[h.region[:6]+"000000"] += payFen(c, h) * payTimes(c)
			}
		}
		top, err := funds.FinanceAccount(ctx, tx, 0, region)
		if err != nil {
			return err
		}
		var issued int64
		for _, v := range need {
			issued += v
		}
		issued += (fd.AmountFen - issued) / 2 // half of the rest is allocated too and rests at the top
		if err := p.Post(funds.Posting{FundID: fd.ID, From: fd.SourceAccount, To: top, AmountFen: issued, OnDate: on(2, 15), Kind: "allocate",
			DocNo: fd.DocNo, Purpose: "资金到账拨付"}); err != nil {
			return err
		}
		countyAcct := map[string]int64{}
		for _, cc := range counties {
			if need[cc] == 0 {
				continue
			}
			acct := top
			if cc != region {
				if acct, err = funds.FinanceAccount(ctx, tx, 0, cc); err != nil {
					return err
				}
				if err := p.Post(funds.Posting{FundID: fd.ID, From: top, To: acct, AmountFen: need[cc], OnDate: on(3, 1), Kind: "transfer",
					DocNo: fd.DocNo, Purpose: "市级下达县区"}); err != nil {
					return err
				}
			}
			countyAcct[cc] = acct
		}
		item := fd.Items[0].ID
		var reverse funds.Posting
		for i, h := range hhs {
			if !within(h.region, region) || !c.eligible(h) {
				continue
			}
			pb, ok := passbooks[h.id]
			if !ok {
				if pb, err = funds.PassbookAccount(ctx, tx, 0, funds.Payee{IDNumber: h.idNumber, Name: h.head, RegionCode: h.region, HouseholdID: h.id}); err != nil {
					return err
				}
				opened[h.id] = pb
			}
			p.Known(pb, "passbook", h.region)
			for k := range payTimes(c) {
				month := min(last, 4+int(k)*3+r.IntN(3))
				pay := funds.Posting{FundID: fd.ID, From: countyAcct[h.region[:6]+"000000"], To: pb, AmountFen: payFen(c, h),
					OnDate: on(month, 5+r.IntN(20)), Kind: "payment", DocNo: fd.DocNo, Purpose: c.items[0].Name, ItemID: item,
					Period: fmt.Sprintf("%s-%02d", on(1, 1)[:4], month), AccountNo: h.account, AccountHolder: h.head,
					Ref: fmt.Sprintf("demo:%d:%d:%d", fd.ID, h.id, k)}
				if err := p.Post(pay); err != nil {
					return err
				}
				payments++
				if i == 0 && k == 0 {
					reverse = pay
				}
			}
		}
		// Village accounts of the first villages got project money in spring and still hold it.
		villages, err := strs(ctx, tx, `SELECT code FROM regions WHERE level = 'village' AND code LIKE ? ORDER BY code LIMIT 3`, region[:6]+"%")
		if err != nil {
			return err
		}
		for _, v := range villages {
			var acct int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE kind = 'village' AND region_code = ?`, v).Scan(&acct)
			if errors.Is(err, sql.ErrNoRows) {
				acct, err = tx.InsertID(ctx, `INSERT INTO ledger_accounts (kind, name, region_code, created_by, created_at)
					SELECT 'village', name || '村集体', code, 0, ? FROM regions WHERE code = ? RETURNING id`, db.Time(tx.Now), v)
			}
			if err != nil {
				return err
			}
			if err := p.Post(funds.Posting{FundID: fd.ID, From: top, To: acct, AmountFen: 5000000, OnDate: on(3, 20), Kind: "transfer",
				DocNo: fd.DocNo, Purpose: "村级产业项目资金"}); err != nil {
				break // the fund is small: no project money this time
			}
		}
		transfers = p.Postings()
		if _, err := p.Flush(); err != nil {
			return err
		}
		if reverse.Ref != "" { // one payment went to the wrong passbook and was reversed
			var id int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE ref = ?`, reverse.Ref).Scan(&id); err != nil {
				return err
			}
			rp := funds.NewPoster(ctx, tx, 0)
			if err := rp.Post(funds.Posting{FundID: fd.ID, From: reverse.To, To: reverse.From, AmountFen: reverse.AmountFen,
				OnDate: reverse.OnDate, Kind: "reversal", DocNo: reverse.DocNo, Purpose: "冲销: 重复发放", ItemID: item, Period: reverse.Period,
				AccountNo: reverse.AccountNo, AccountHolder: reverse.AccountHolder, ReversesID: id}); err != nil {
				return err
			}
			if _, err := rp.Flush(); err != nil {
				return err
			}
			transfers++
		}
		return audit.Record(ctx, tx, audit.System, audit.Change{Action: "demo.load", EntityType: "fund", EntityID: fmt.Sprint(fd.ID),
			RegionCode: region, After: map[string]any{"fund": fd.Code, "transfers": transfers, "payments": payments}})
	})
	if err == nil {
		maps.Copy(passbooks, opened)
	}
	return transfers, payments, err
}

func strs(ctx context.Context, q db.Queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
