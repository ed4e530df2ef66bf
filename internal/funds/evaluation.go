package funds

import (
	"bytes"
	"context"
	"io"
	"math"
	"strconv"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// Evaluation is the performance evaluation (绩效评价) of a year's funds within a region.
type Evaluation struct {
	Year       int       `json:"year"`
	RegionCode string    `json:"region_code"`
	Rows       []EvalRow `json:"rows"`
}

// EvalRow evaluates one fund within the region: what arrived there (issued), what reached
// passbooks there (paid, reversals excluded), how fast and how directly.
type EvalRow struct {
	FundID            int64   `json:"fund_id"`
	FundCode          string  `json:"fund_code"`
	FundName          string  `json:"fund_name"`
	RegionCode        string  `json:"region_code"`
	RegionName        string  `json:"region_name"`
	AmountFen         int64   `json:"amount_fen"`
	IssuedFen         int64   `json:"issued_fen"`
	PaidFen           int64   `json:"paid_fen"`
	DisbursementRate  float64 `json:"disbursement_rate"` // paid / issued, 0..1
	ScheduleRate      float64 `json:"schedule_rate"`     // share of received_on→deadline gone by today
	Behind            bool    `json:"behind"`
	AvgDaysToPassbook float64 `json:"avg_days_to_passbook"`
	DirectShare       float64 `json:"direct_share"` // share of paid through plans and bank batches
	HouseholdsReached int     `json:"households_reached"`
	FailedRate        float64 `json:"failed_rate"` // failed bank batch lines / all batch lines
	Score             int     `json:"score"`
}

// BehindMargin: a fund is behind when its disbursement trails the linear schedule by more
// than this share.
const BehindMargin = 0.10

// Score weights (sum 100): disbursement, timeliness against the schedule, direct payment,
// bank batch lines paid at the first attempt.
const (
	weightDisbursed = 40
	weightOnTime    = 30
	weightDirect    = 15
	weightNotFailed = 15
)

// Evaluate evaluates the funds of a year (default: this year) the caller may read, within
// region (default: the caller's scope; root: each fund's own region).
func (s *Service) Evaluate(ctx context.Context, p *auth.Principal, year int, region string) (Evaluation, error) {
	if err := p.Require(auth.FundRead); err != nil {
		return Evaluation{}, err
	}
	today := s.today()
	if year == 0 {
		year, _ = strconv.Atoi(today[:4])
	}
	if year < 2000 || year > 2099 {
		return Evaluation{}, errs.Field("year", "年度应为 2000-2099")
	}
	if region != "" && !regioncode.Valid(region) {
		return Evaluation{}, errs.Field("region", "区划代码须为 12 位数字")
	}
	if region != "" && !p.InScope(region) {
		return Evaluation{}, errs.E(errs.Forbidden, "区划 %s 不在您的管辖范围内", region)
	}
	if region == "" && !p.Root {
		region = p.Scope
	}
	q := s.DB.Reader()
	list, err := listFunds(ctx, q, p, FundFilter{Year: year})
	if err != nil {
		return Evaluation{}, err
	}
	out := Evaluation{Year: year, RegionCode: region, Rows: []EvalRow{}}
	var codes []string
	for _, f := range list {
		r := region
		if r == "" {
			r = f.RegionCode
		}
		// a fund of a sibling region pays nothing into this one
		if !regioncode.Within(f.RegionCode, r) && !regioncode.Within(r, f.RegionCode) {
			continue
		}
		row, err := s.evalFund(ctx, q, f, r, today)
		if err != nil {
			return Evaluation{}, err
		}
		out.Rows = append(out.Rows, row)
		codes = append(codes, r)
	}
	names, err := regionNames(ctx, q, codes)
	if err != nil {
		return Evaluation{}, err
	}
	for i := range out.Rows {
		out.Rows[i].RegionName = names[out.Rows[i].RegionCode]
	}
	return out, nil
}

func (s *Service) evalFund(ctx context.Context, q db.Queryer, f Fund, region, today string) (EvalRow, error) {
	row := EvalRow{FundID: f.ID, FundCode: f.Code, FundName: f.Name, RegionCode: region, AmountFen: f.AmountFen}
	lo, hi := regioncode.Range(region)
	if regioncode.Within(f.RegionCode, region) {
		row.IssuedFen = f.IssuedFen
	} else { // a fund above the region: what arrived in the region from outside it
		flows, _, err := fundFlows(ctx, q, f.ID)
		if err != nil {
			return row, err
		}
		var ids []int64
		for _, fl := range flows {
			ids = append(ids, fl.from)
			if fl.to != 0 {
				ids = append(ids, fl.to)
			}
		}
		accts, err := fundAccounts(ctx, q, f.ID, ids)
		if err != nil {
			return row, err
		}
		for _, fl := range flows {
			to := fl.region
			if fl.kind != "payment" {
				if a, ok := accts[fl.to]; ok {
					to = a.region
				}
			}
			from := ""
			if a, ok := accts[fl.from]; ok {
				from = a.region
			}
			if regioncode.Within(to, region) && !regioncode.Within(from, region) {
				row.IssuedFen += fl.amount
			}
		}
	}
	days, err := paidByDate(ctx, q, f.ID, "t.region_code BETWEEN ? AND ?", []any{lo, hi})
	if err != nil {
		return row, err
	}
	received, _ := time.Parse(db.DateLayout, f.ReceivedOn)
	var direct, count, dayTotal int64
	for _, d := range days {
		row.PaidFen += d.amount
		direct += d.direct
		count += d.count
		if t, err := time.Parse(db.DateLayout, d.date); err == nil {
			dayTotal += d.count * int64(t.Sub(received).Hours()/24)
		}
	}
	if count > 0 {
		row.AvgDaysToPassbook = round(float64(dayTotal)/float64(count), 1)
	}
	hh, err := villageHouseholds(ctx, q, f.ID, "t.region_code BETWEEN ? AND ?", []any{lo, hi})
	if err != nil {
		return row, err
	}
	for _, n := range hh {
		row.HouseholdsReached += n
	}
	all, failed, err := batchLineCounts(ctx, q, f.ID, "l.region_code BETWEEN ? AND ?", []any{lo, hi})
	if err != nil {
		return row, err
	}
	row.DisbursementRate = round(ratio(row.PaidFen, row.IssuedFen), 4)
	row.ScheduleRate = round(scheduleShare(f.ReceivedOn, f.Deadline, today), 4)
	row.Behind = row.DisbursementRate < row.ScheduleRate-BehindMargin
	row.DirectShare = round(ratio(direct, row.PaidFen), 4)
	row.FailedRate = round(ratio(failed, all), 4)
	onTime := 1.0
	if row.ScheduleRate > 0 {
		onTime = math.Min(1, row.DisbursementRate/row.ScheduleRate)
	}
	row.Score = int(math.Round(weightDisbursed*row.DisbursementRate + weightOnTime*onTime + weightDirect*row.DirectShare +
		weightNotFailed*(1-row.FailedRate)))
	return row, nil
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// EvaluationColumns are the columns of the evaluation export (绩效评价表).
var EvaluationColumns = []string{"资金编码", "资金名称", "区划代码", "区划名称", "资金总额(元)", "到达本区划(元)", "发放到户(元)",
	"发放率", "序时进度", "进度滞后", "平均到户天数", "直达占比", "受益户数", "发放失败率", "综合得分"}

// ExportEvaluation writes the evaluation as CSV or XLSX.
func (s *Service) ExportEvaluation(ctx context.Context, p *auth.Principal, year int, region, format string, w io.Writer) error {
	if format != "csv" && format != "xlsx" {
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	ev, err := s.Evaluate(ctx, p, year, region)
	if err != nil {
		return err
	}
	var tw *tabular.Writer
	if format == "xlsx" {
		tw, err = tabular.NewXLSXWriter(w, "绩效评价表", EvaluationColumns)
	} else {
		tw, err = tabular.NewCSVWriter(w, EvaluationColumns)
	}
	if err != nil {
		return err
	}
	pct := func(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }
	for _, r := range ev.Rows {
		behind := "否"
		if r.Behind {
			behind = "是"
		}
		if err := tw.Write([]string{r.FundCode, r.FundName, r.RegionCode, r.RegionName, money.FormatPlain(r.AmountFen),
			money.FormatPlain(r.IssuedFen), money.FormatPlain(r.PaidFen), pct(r.DisbursementRate), pct(r.ScheduleRate), behind,
			strconv.FormatFloat(r.AvgDaysToPassbook, 'f', 1, 64), pct(r.DirectShare), strconv.Itoa(r.HouseholdsReached),
			pct(r.FailedRate), strconv.Itoa(r.Score)}); err != nil {
			return err
		}
	}
	return tw.Close()
}

// evaluationFile renders the export in memory (a year's funds are a few hundred rows), so
// a refusal is still an error status.
func (s *Service) evaluationFile(ctx context.Context, p *auth.Principal, year int, region, format string) ([]byte, error) {
	var b bytes.Buffer
	err := s.ExportEvaluation(ctx, p, year, region, format, &b)
	return b.Bytes(), err
}
