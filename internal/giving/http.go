package giving

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/disclosure"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
	"sunshine/internal/registry"
)

// PublicBodyLimit bounds the body of a public pledge.
const PublicBodyLimit = 8 << 10

// Routes registers the console and public routes of the donation platform.
func (s *Service) Routes(rt *httpx.Router) {
	s.init()
	rt.Handle("GET /api/v1/social/summary", auth.SocialRead, func(w http.ResponseWriter, r *http.Request) error {
		out, err := s.Summary(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		httpx.Write(w, http.StatusOK, out)
		return nil
	})
	rt.Handle("GET /api/v1/donors", auth.SocialRead, s.handleDonors)
	rt.Handle("POST /api/v1/donors", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateDonor))
	rt.Handle("GET /api/v1/donors/{id}", auth.SocialRead, httpx.ByID(s.Donor))
	rt.Handle("GET /api/v1/needs", auth.SocialRead, s.handleNeeds)
	rt.Handle("POST /api/v1/needs", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateNeed))
	rt.Handle("GET /api/v1/needs/{id}", auth.SocialRead, httpx.ByID(s.Need))
	rt.Handle("POST /api/v1/needs/{id}/close", auth.SocialWrite, httpx.WithID(http.StatusOK, s.CloseNeed))
	rt.Handle("GET /api/v1/pledges", auth.SocialRead, s.handlePledges)
	rt.Handle("POST /api/v1/pledges", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreatePledge))
	rt.Handle("POST /api/v1/pledges/{id}/cancel", auth.SocialWrite, httpx.WithID(http.StatusOK, s.CancelPledge))
	rt.Handle("GET /api/v1/donations", auth.SocialRead, s.handleDonations)
	rt.Handle("POST /api/v1/donations", auth.SocialWrite, httpx.WithBody(http.StatusCreated, s.CreateDonation))
	rt.Handle("GET /api/v1/donations/{id}", auth.SocialRead, httpx.ByID(s.Donation))
	rt.Handle("POST /api/v1/donations/{id}/disburse", auth.SocialWrite, httpx.WithID(http.StatusOK, s.Disburse))
	rt.Handle("POST /api/v1/donations/{id}/deliveries", auth.SocialWrite, s.handleDeliver)
	rt.Handle("GET /api/v1/donations/{id}/deliveries/{did}/receipt", auth.SocialRead, s.handleReceipt)

	rt.HandlePublic("GET /api/v1/public/needs", func(w http.ResponseWriter, r *http.Request) error {
		b, err := s.PublicNeedsJSON(r.Context(), r.URL.Query().Get("region"), r.URL.Query().Get("status"))
		if err != nil {
			return err
		}
		disclosure.WriteCached(w, b)
		return nil
	})
	rt.HandlePublic("GET /api/v1/public/donations", func(w http.ResponseWriter, r *http.Request) error {
		b, err := s.PublicDonationsJSON(r.Context(), r.URL.Query().Get("region"))
		if err != nil {
			return err
		}
		disclosure.WriteCached(w, b)
		return nil
	})
	rt.HandlePublic("GET /api/v1/public/donations/{receipt}", func(w http.ResponseWriter, r *http.Request) error {
		out, err := s.PublicTrace(r.Context(), mask.Client(remoteHost(r)), r.PathValue("receipt"), r.URL.Query().Get("key"))
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.Write(w, http.StatusOK, out)
		return nil
	})
	rt.HandlePublic("POST /api/v1/public/pledges", s.handlePublicPledge)
	rt.HandlePublic("GET /api/v1/public/open/needs.csv", func(w http.ResponseWriter, r *http.Request) error {
		return writeCSV(w, r, "needs", "微心愿", s.NeedsCSV)
	})
	rt.HandlePublic("GET /api/v1/public/open/donations.csv", func(w http.ResponseWriter, r *http.Request) error {
		return writeCSV(w, r, "donations", "爱心捐赠", s.DonationsCSV)
	})
}

// writeCSV builds a public file in memory (the public lists are bounded), so an error still
// answers as JSON, and sends it named like the open data catalogue's files.
func writeCSV(w http.ResponseWriter, r *http.Request, ascii, title string, build func(context.Context, io.Writer, string) error) error {
	region := r.URL.Query().Get("region")
	var b bytes.Buffer
	if err := build(r.Context(), &b, region); err != nil {
		return err
	}
	disclosure.WriteCSV(w, ascii+"-"+region+".csv", title+"-"+region+".csv", b.Bytes())
	return nil
}

// remoteHost is the client's address as the connection shows it (forwarding headers are not
// trusted: anyone can write them).
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Service) handlePublicPledge(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errs.E(errs.Unsupported, "请求体须为 JSON (Content-Type: application/json)")
	}
	if r.ContentLength > PublicBodyLimit {
		return errs.E(errs.TooLarge, "请求体超过 %d 字节上限", PublicBodyLimit)
	}
	var in PublicPledgeInput
	if err := httpx.DecodeReader(http.MaxBytesReader(w, r.Body, PublicBodyLimit), &in); err != nil {
		return err
	}
	out, err := s.PublicPledge(r.Context(), mask.Client(remoteHost(r)), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, out)
	return nil
}

// listPage is a console list page: httpx's list (items, next) with the cursor also as next_after,
// the name the contract with the console gave it.
type listPage[T any] struct {
	httpx.List[T]
	NextAfter *string `json:"next_after"`
}

// listed answers a console list page.
func listed[T any](w http.ResponseWriter, limit int, rows []T, err error, id func(T) int64) error {
	if err != nil {
		return err
	}
	l := httpx.NewList(rows, limit, func(v T) string { return strconv.FormatInt(id(v), 10) })
	httpx.Write(w, http.StatusOK, listPage[T]{List: l, NextAfter: l.Next})
	return nil
}

func page(r *http.Request) (httpx.Page, int64, error) {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return pg, 0, err
	}
	after, err := pg.AfterID()
	return pg, after, err
}

func (s *Service) handleDonors(w http.ResponseWriter, r *http.Request) error {
	pg, after, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.Donors(r.Context(), auth.From(r.Context()), DonorFilter{Region: q.Get("region"), Kind: q.Get("kind"), Q: q.Get("q"), After: after, Limit: pg.Limit})
	return listed(w, pg.Limit, rows, err, func(d Donor) int64 { return d.ID })
}

func (s *Service) handleNeeds(w http.ResponseWriter, r *http.Request) error {
	pg, after, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.Needs(r.Context(), auth.From(r.Context()), NeedFilter{Region: q.Get("region"), Status: q.Get("status"), Kind: q.Get("kind"), After: after, Limit: pg.Limit})
	return listed(w, pg.Limit, rows, err, func(n Need) int64 { return n.ID })
}

func (s *Service) handlePledges(w http.ResponseWriter, r *http.Request) error {
	pg, after, err := page(r)
	if err != nil {
		return err
	}
	need, err := httpx.QueryInt(r, "need")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.Pledges(r.Context(), auth.From(r.Context()), PledgeFilter{Region: q.Get("region"), Status: q.Get("status"), Need: need, After: after, Limit: pg.Limit})
	return listed(w, pg.Limit, rows, err, func(p Pledge) int64 { return p.ID })
}

func (s *Service) handleDonations(w http.ResponseWriter, r *http.Request) error {
	pg, after, err := page(r)
	if err != nil {
		return err
	}
	donor, err := httpx.QueryInt(r, "donor")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rows, err := s.Donations(r.Context(), auth.From(r.Context()), DonationFilter{Region: q.Get("region"), Kind: q.Get("kind"), Donor: donor, After: after, Limit: pg.Limit})
	return listed(w, pg.Limit, rows, err, func(d Donation) int64 { return d.ID })
}

// ParseDeliveryForm reads the fields of a delivery form (multipart or urlencoded values).
func ParseDeliveryForm(get func(string) string) (DeliveryInput, error) {
	in := DeliveryInput{DeliveredOn: strings.TrimSpace(get("delivered_on")), SignedBy: get("signed_by")}
	v := errs.Validation{}
	var err error
	if in.HouseholdID, err = strconv.ParseInt(strings.TrimSpace(get("household_id")), 10, 64); err != nil || in.HouseholdID <= 0 {
		v.Add("household_id", "应为正整数")
	}
	if in.Quantity, err = strconv.ParseInt(strings.TrimSpace(get("quantity")), 10, 64); err != nil || in.Quantity <= 0 {
		v.Add("quantity", "应为正整数")
	}
	return in, v.Err()
}

func (s *Service) handleDeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	// role and scope first: a caller who may not deliver learns nothing from reading the upload
	p := auth.From(r.Context())
	if err := p.Require(auth.SocialWrite); err != nil {
		return err
	}
	if _, err := getDonation(r.Context(), s.DB.Reader(), p, id); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, registry.MaxAttachment+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return errs.E(errs.TooLarge, "附件超过 %d MB", registry.MaxAttachment>>20)
		}
		return errs.Field("receipt", "请以 multipart/form-data 提交(字段 household_id、quantity、delivered_on、signed_by,可附签收单 receipt)")
	}
	defer r.MultipartForm.RemoveAll()
	in, err := ParseDeliveryForm(r.FormValue)
	if err != nil {
		return err
	}
	var file *registry.Attachment
	var data []byte
	if f, hdr, err := r.FormFile("receipt"); err == nil {
		defer f.Close()
		a, b, err := registry.ReadFile(hdr.Filename, f, registry.MaxAttachment)
		if err != nil {
			return err
		}
		file, data = &a, b
	} else if err != http.ErrMissingFile {
		return errs.Field("receipt", "签收单读取失败")
	}
	out, err := s.CreateDelivery(r.Context(), p, id, in, file, data)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, out)
	return nil
}

func (s *Service) handleReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	did, err := httpx.PathID(r, "did")
	if err != nil {
		return err
	}
	a, data, err := s.DeliveryReceipt(r.Context(), auth.From(r.Context()), id, did)
	if err != nil {
		return err
	}
	registry.ServeFile(w, a, data)
	return nil
}
