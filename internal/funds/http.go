package funds

import (
	"net/http"
	"strconv"

	"sunshine/internal/auth"
	"sunshine/internal/httpx"
)

// Routes registers the fund and ledger endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/funds", auth.FundRead, s.handleFunds)
	rt.Handle("POST /api/v1/funds", auth.FundWrite, httpx.WithBody(http.StatusCreated, s.CreateFund))
	rt.Handle("GET /api/v1/funds/{id}", auth.FundRead, httpx.ByID(s.Fund))
	rt.Handle("POST /api/v1/funds/{id}/filing", auth.FundWrite, httpx.WithID(http.StatusOK, s.FileFund))
	rt.Handle("GET /api/v1/ledger/accounts", auth.FundRead, s.handleAccounts)
	rt.Handle("POST /api/v1/ledger/accounts", auth.FundWrite, httpx.WithBody(http.StatusCreated, s.OpenAccount))
	rt.Handle("GET /api/v1/ledger/accounts/{id}", auth.FundRead, httpx.ByID(s.Account))
	rt.Handle("GET /api/v1/ledger/transfers", auth.FundRead, s.handleTransfers)
	rt.Handle("POST /api/v1/ledger/transfers", auth.FundWrite, httpx.WithBody(http.StatusCreated, s.Transfer))
	rt.Handle("GET /api/v1/ledger/transfers/{id}", auth.FundRead, httpx.ByID(s.TransferByID))
	rt.Handle("POST /api/v1/ledger/transfers/{id}/reverse", auth.FundWrite, httpx.WithID(http.StatusCreated, s.Reverse))
	// tracing and evaluation (trace.go, statement.go, idle.go, evaluation.go)
	rt.Handle("GET /api/v1/funds/{id}/trace", auth.FundRead, httpx.ByID(s.Trace))
	rt.Handle("GET /api/v1/funds/{id}/progress", auth.FundRead, s.handleProgress)
	rt.Handle("GET /api/v1/households/{id}/statement", auth.FundRead, httpx.ByID(s.Statement))
	rt.Handle("GET /api/v1/ledger/idle", auth.FundRead, s.handleIdle)
	rt.Handle("GET /api/v1/funds/evaluation", auth.FundRead, s.handleEvaluation)
	rt.Handle("GET /api/v1/funds/evaluation/export", auth.FundRead, s.handleEvaluationExport)
}

func (s *Service) handleFunds(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := httpx.QueryInt(r, "year")
	if err != nil {
		return err
	}
	list, err := s.Funds(r.Context(), auth.From(r.Context()), FundFilter{Year: int(year), Category: q.Get("category"),
		SourceLevel: q.Get("source_level"), Query: q.Get("q"), Unfiled: q.Get("unfiled") == "1"})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.List[Fund]{Items: list})
	return nil
}

func (s *Service) handleAccounts(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.Accounts(r.Context(), auth.From(r.Context()), AccountFilter{Kind: q.Get("kind"), Region: q.Get("region"),
		Query: q.Get("q"), After: after, Limit: page.Limit})
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(a Account) string { return strconv.FormatInt(a.ID, 10) }))
	return nil
}

func (s *Service) handleTransfers(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	before, err := page.AfterID()
	if err != nil {
		return err
	}
	f := TransferFilter{Before: before, Limit: page.Limit, Kind: r.URL.Query().Get("kind"),
		FromDate: r.URL.Query().Get("from"), ToDate: r.URL.Query().Get("to")}
	if f.FundID, err = httpx.QueryInt(r, "fund"); err != nil {
		return err
	}
	if f.AccountID, err = httpx.QueryInt(r, "account"); err != nil {
		return err
	}
	list, err := s.Transfers(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(list, page.Limit, func(t Transfer) string { return strconv.FormatInt(t.ID, 10) }))
	return nil
}
