package projects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/funds"
	"sunshine/internal/money"
)

// incomeAsset is what a distribution needs of an income and its asset.
type incomeAsset struct {
	Income
	Region    string
	AccountID int64
}

func loadIncomeAsset(ctx context.Context, q db.Queryer, id int64, today string) (incomeAsset, error) {
	in, region, err := getIncome(ctx, q, id, today)
	if err != nil {
		return incomeAsset{}, err
	}
	out := incomeAsset{Income: in, Region: region}
	var acct sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT account_id FROM assets WHERE id = ?`, in.AssetID).Scan(&acct); err != nil {
		return out, err
	}
	out.AccountID = acct.Int64
	return out, nil
}

// split divides amount over the shares: each line the floor of its proportional part, the
// remaining fen one each to the largest shares first (then the lower household id).
func split(amount int64, lines []ProposalLine) {
	var total int64
	for _, l := range lines {
		total += int64(l.Share)
	}
	if total == 0 {
		return
	}
	var given int64
	for i := range lines {
		// amount ≤ 1e12 and a total share ≤ households × 1000: compute without overflow
		q, r := amount/total, amount%total
		lines[i].AmountFen = q*int64(lines[i].Share) + r*int64(lines[i].Share)/total
		given += lines[i].AmountFen
	}
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := lines[order[a]], lines[order[b]]
		return x.Share > y.Share || x.Share == y.Share && x.HouseholdID < y.HouseholdID
	})
	for k := 0; given < amount; k = (k + 1) % len(order) {
		lines[order[k]].AmountFen++
		given++
	}
}

// Proposal splits an income over the entitled households that can be paid, by their shares,
// for the distribution screen to start from.
func (s *Service) Proposal(ctx context.Context, p *auth.Principal, incomeID int64) (Proposal, error) {
	if err := p.Require(auth.ProjectRead); err != nil {
		return Proposal{}, err
	}
	q := s.DB.Reader()
	ia, err := loadIncomeAsset(ctx, q, incomeID, s.today())
	if err != nil {
		return Proposal{}, err
	}
	if !p.InScope(ia.Region) {
		return Proposal{}, errNoIncome
	}
	ent, err := entitledOf(ctx, q, ia.AssetID)
	if err != nil {
		return Proposal{}, err
	}
	out := Proposal{IncomeID: incomeID, AmountFen: ia.AmountFen, Lines: []ProposalLine{}, NotPayable: []Entitled{}}
	for _, e := range ent {
		if !e.Payable {
			out.NotPayable = append(out.NotPayable, e)
			continue
		}
		out.Lines = append(out.Lines, ProposalLine{HouseholdID: e.HouseholdID, HouseholdHead: e.HouseholdHead, Share: e.Share})
	}
	split(ia.AmountFen, out.Lines)
	return out, nil
}

// distributors are the roles that distribute asset income (扶贫办, 财政).
var distributors = []auth.Role{auth.PovertyOffice, auth.Finance}

// payee is an entitled household's head as the passbook payment names them.
type payee struct {
	share     int
	head      string
	idNumber  string
	accountNo string
	region    string
}

// Distribute pays an income out to the entitled households' passbooks: the amounts must add
// up to the income exactly; every line is booked as a ledger payment (item SY, period = the
// year) from the asset's account, or none is.
func (s *Service) Distribute(ctx context.Context, p *auth.Principal, incomeID int64, in DistributeInput) (Income, error) {
	if err := p.Require(auth.ProjectSign); err != nil {
		return Income{}, err
	}
	today := s.today()
	var out Income
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ia, err := loadIncomeAsset(ctx, tx, incomeID, today)
		if err != nil {
			return err
		}
		if !p.InScope(ia.Region) {
			return errNoIncome
		}
		if err := p.RequireIn(auth.ProjectSign, ia.Region); err != nil {
			return err
		}
		// the input's shape first: a screen learns what is missing before who may do it
		v := errs.Validation{}
		if in.Version <= 0 {
			v.Add("version", "缺少版本号")
		}
		if len(in.Lines) == 0 {
			v.Add("lines", "请填写分配明细")
		} else if len(in.Lines) > 10000 {
			v.Add("lines", "分配明细过多")
		}
		onDate := readDate(v, "on_date", in.OnDate)
		if strings.TrimSpace(in.OnDate) == "" {
			onDate = today
		}
		if onDate > today {
			v.Add("on_date", "分配日期不能晚于今天")
		} else if onDate != "" && onDate < ia.ReceivedOn {
			v.Add("on_date", "分配日期不能早于收益到账日期 "+ia.ReceivedOn)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if !p.Root && !slices.Contains(distributors, p.Role) {
			return errs.E(errs.Forbidden, "资产收益应由扶贫办或财政部门分配")
		}
		if ia.Status == "distributed" {
			on := ""
			if ia.DistributedOn != nil {
				on = *ia.DistributedOn
			}
			return errs.E(errs.Conflict, "该收益已于 %s 分配,不能重复分配", on)
		}
		if in.Version != ia.Version {
			return errStale
		}
		if ia.AccountID == 0 {
			return errs.E(errs.Conflict, "资产没有收益账户")
		}
		payees, err := entitledPayees(ctx, tx, ia.AssetID)
		if err != nil {
			return err
		}
		amounts := make([]int64, len(in.Lines))
		seen := map[int64]int{}
		var sum int64
		for i, l := range in.Lines {
			f := "lines[" + strconv.Itoa(i) + "]."
			py, ok := payees[l.HouseholdID]
			if !ok {
				v.Add(f+"household_id", fmt.Sprintf("农户 %d 不是该资产的收益对象", l.HouseholdID))
			} else if j, dup := seen[l.HouseholdID]; dup {
				v.Add(f+"household_id", fmt.Sprintf("农户 %d 与第 %d 行重复", l.HouseholdID, j+1))
			} else if py.accountNo == "" || py.idNumber == "" {
				v.Add(f+"household_id", fmt.Sprintf("农户 %d(户主 %s)没有一折通账号,无法发放", l.HouseholdID, py.head))
			}
			seen[l.HouseholdID] = i
			fen, err := money.ParseYuan(strings.TrimSpace(l.AmountYuan))
			switch {
			case err != nil:
				v.Add(f+"amount_yuan", err.Error())
			case fen <= 0:
				v.Add(f+"amount_yuan", "金额须大于 0")
			case fen > funds.MaxFundFen:
				v.Add(f+"amount_yuan", "金额超出合理范围")
			default:
				amounts[i] = fen
				sum += fen
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sum != ia.AmountFen {
			return errs.Field("lines", fmt.Sprintf("分配合计 %s 元与收益 %s 元不符,须全额分配", money.FormatYuan(sum), money.FormatYuan(ia.AmountFen)))
		}
		// claim the income first: a concurrent distribution waits here and then finds it taken
		res, err := tx.ExecContext(ctx, `UPDATE asset_incomes SET status = 'distributed', distributed_on = ?, version = version + 1
			WHERE id = ? AND version = ? AND status = 'recorded'`, onDate, incomeID, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		var item int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM fund_items WHERE fund_id = ? AND code = ?`, ia.FundID, funds.IncomeItemCode).Scan(&item); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.Conflict, "收益资金 %s 缺少补贴项目 %s", ia.FundCode, funds.IncomeItemCode)
			}
			return err
		}
		post := funds.NewPoster(ctx, tx, p.UserID)
		period := strconv.Itoa(ia.Year)
		for i, l := range in.Lines {
			py := payees[l.HouseholdID]
			book, err := funds.PassbookAccount(ctx, tx, p.UserID, funds.Payee{IDNumber: py.idNumber, Name: py.head, RegionCode: py.region, HouseholdID: l.HouseholdID})
			if err != nil {
				return err
			}
			if err := post.Post(funds.Posting{FundID: ia.FundID, From: ia.AccountID, To: book, AmountFen: amounts[i], OnDate: onDate,
				Kind: "payment", Purpose: "资产收益分配", ItemID: item, Period: period, AccountNo: py.accountNo, AccountHolder: py.head,
				Ref: fmt.Sprintf("asset-income-%d-%d", incomeID, l.HouseholdID)}); err != nil {
				return err
			}
		}
		ids, err := post.Flush()
		if err != nil {
			return err
		}
		if len(ids) != len(in.Lines) { // a long list is bulk-loaded: read the ids back by reference
			ids = make([]int64, len(in.Lines))
			for i, l := range in.Lines {
				if err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_transfers WHERE ref = ?`,
					fmt.Sprintf("asset-income-%d-%d", incomeID, l.HouseholdID)).Scan(&ids[i]); err != nil {
					return err
				}
			}
		}
		now := db.Time(tx.Now)
		for i, l := range in.Lines {
			py := payees[l.HouseholdID]
			if _, err := tx.ExecContext(ctx, `INSERT INTO asset_distributions (income_id, household_id, payee_id_number, payee_name, amount_fen,
				transfer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, incomeID, l.HouseholdID, py.idNumber, py.head, amounts[i], ids[i], now); err != nil {
				return err
			}
		}
		if out, _, err = getIncome(ctx, tx, incomeID, today); err != nil {
			return err
		}
		return record(ctx, tx, p, "asset.distribute", "asset_income", incomeID, ia.Region,
			map[string]any{"status": ia.Status, "version": ia.Version}, out)
	})
	return out, err
}

// entitledPayees are an asset's entitled households with what their payment needs.
func entitledPayees(ctx context.Context, q db.Queryer, asset int64) (map[int64]payee, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.household_id, b.share, h.head_name, h.head_id_number, h.account_no, h.region_code
		FROM asset_beneficiaries b JOIN households h ON h.id = b.household_id WHERE b.asset_id = ?`, asset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]payee{}
	for rows.Next() {
		var id int64
		var py payee
		if err := rows.Scan(&id, &py.share, &py.head, &py.idNumber, &py.accountNo, &py.region); err != nil {
			return nil, err
		}
		py.accountNo = strings.TrimSpace(py.accountNo)
		out[id] = py
	}
	return out, rows.Err()
}
