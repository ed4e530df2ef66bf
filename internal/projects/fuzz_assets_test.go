package projects

import (
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// FuzzDistributeInput feeds arbitrary bodies through the distribution's decoding and the
// service: never a panic, only invalid or conflict errors, a refused body writes nothing, and
// an accepted one pays out exactly the income to entitled households.
func FuzzDistributeInput(f *testing.F) {
	f.Add(`{"version":1,"lines":[{"household_id":1,"amount_yuan":"3.34"},{"household_id":2,"amount_yuan":"3.33"},{"household_id":3,"amount_yuan":"3.33"}]}`)
	f.Add(`{"version":1,"on_date":"2026-07-10","lines":[{"household_id":1,"amount_yuan":"10"}]}`)
	f.Add(`{"version":1,"lines":[{"household_id":1,"amount_yuan":"5"},{"household_id":1,"amount_yuan":"5"}]}`)
	f.Add(`{"version":1,"lines":[{"household_id":4,"amount_yuan":"10.00"}]}`)
	f.Add(`{"version":1,"lines":[{"household_id":2,"amount_yuan":"-10"}]}`)
	f.Add(`{"version":1,"lines":[{"household_id":2,"amount_yuan":"9.999"},{"household_id":3,"amount_yuan":"0.001"}]}`)
	f.Add(`{"version":2,"lines":[{"household_id":1,"amount_yuan":"10"}]}`)
	f.Add(`{"version":1,"on_date":"2099-01-01","lines":[]}`)
	f.Add(`{"version":1,"lines":[{"household_id":1,"amount_yuan":"1e3"}],"extra":1}`)
	f.Add(`{"lines":null}`)
	f.Add(`[]`)
	f.Add(`{"version":1,"lines":[{"household_id":9223372036854775807,"amount_yuan":"9223372036854775807"}]}`)

	fx := newFixture(f)
	ctx := fx.Ctx
	var income Income
	var fin *auth.Principal
	fresh := func() { // an asset of households 1-3 of village A with 10 yuan recorded
		a := newAsset(fx, villageA, 3)
		income = incomeOf(fx, a.ID, "10")
	}
	f.Fuzz(func(t *testing.T, body string) {
		fx.t, fx.T = t, t
		if fin == nil {
			fin = fx.County(auth.Finance)
			fresh()
		}
		var in DistributeInput
		if err := httpx.DecodeReader(strings.NewReader(body), &in); err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.TooLarge {
				t.Fatalf("decode error %v (%s)", err, c)
			}
			return
		}
		out, err := fx.S.Distribute(ctx, fin, income.ID, in)
		paid := fx.count(`SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE fund_id = ? AND kind = 'payment'`, income.FundID)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict {
				t.Fatalf("distribute %s: %v", body, err)
			}
			if paid != 0 || fx.count(`SELECT COUNT(*) FROM asset_incomes WHERE id = ? AND status = 'recorded' AND version = 1`, income.ID) != 1 {
				t.Fatalf("refused body %s wrote: paid %d", body, paid)
			}
			return
		}
		if paid != income.AmountFen || out.Status != "distributed" || len(out.Lines) != len(in.Lines) {
			t.Fatalf("accepted body %s: paid %d of %d, %+v", body, paid, income.AmountFen, out)
		}
		for _, l := range out.Lines {
			if l.HouseholdID < 1 || l.HouseholdID > 3 || l.TransferID == nil || l.AmountFen <= 0 {
				t.Fatalf("accepted body %s: line %+v", body, l)
			}
		}
		fresh()
	})
}
