package disclosure

import (
	"mime"
	"net"
	"net/http"
	"strconv"

	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/mask"
)

// Routes registers the public disclosure API (no sign-in).
func (s *Service) Routes(rt *httpx.Router) {
	s.init()
	rt.HandlePublic("GET /api/v1/public/regions/{code}", s.handleRegion)
	rt.HandlePublic("GET /api/v1/public/regions/{code}/households", s.handleHouseholds)
	rt.HandlePublic("GET /api/v1/public/regions/{code}/funds", s.handleFunds)
	rt.HandlePublic("POST /api/v1/public/notices/{id}/objections", s.handleObject)
	// open data (opendata.go): the catalogue and the CSV files
	rt.HandlePublic("GET /api/v1/public/open", s.handleCatalogue)
	rt.HandlePublic("GET /api/v1/public/open/households.csv", s.handleOpenCSV("households"))
	rt.HandlePublic("GET /api/v1/public/open/projects.csv", s.handleOpenCSV("projects"))
	rt.HandlePublic("GET /api/v1/public/open/funds.csv", s.handleOpenCSV("funds"))
	rt.HandlePublic("GET /api/v1/public/open/notices.csv", s.handleOpenCSV("notices"))
}

// WriteCached sends an encoded public answer; browsers and proxies may keep it as long as the
// server does. Every public package answers its cached pages through it.
func WriteCached(w http.ResponseWriter, b []byte) {
	writePublic(w, "application/json; charset=utf-8", "", b)
}

// WriteCSV sends a public CSV file as a download named name, with ascii for clients that
// ignore filename* (see Attachment), kept as long as the JSON.
func WriteCSV(w http.ResponseWriter, ascii, name string, b []byte) {
	writePublic(w, "text/csv; charset=utf-8", Attachment(ascii, name), b)
}

func writePublic(w http.ResponseWriter, contentType, disposition string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(CacheTTL.Seconds())))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Service) handleRegion(w http.ResponseWriter, r *http.Request) error {
	b, err := s.RegionPageJSON(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	WriteCached(w, b)
	return nil
}

func (s *Service) handleHouseholds(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	b, err := s.HouseholdsJSON(r.Context(), r.PathValue("code"), pg.After, pg.Limit)
	if err != nil {
		return err
	}
	WriteCached(w, b)
	return nil
}

func (s *Service) handleFunds(w http.ResponseWriter, r *http.Request) error {
	b, err := s.FundsJSON(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	WriteCached(w, b)
	return nil
}

// PublicBodyLimit bounds a public objection's body (1000 characters of content fit well).
const PublicBodyLimit = 16 << 10

func (s *Service) handleObject(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errs.E(errs.Unsupported, "请求体须为 JSON (Content-Type: application/json)")
	}
	if r.ContentLength > PublicBodyLimit {
		return errs.E(errs.TooLarge, "请求体超过 %d 字节上限", PublicBodyLimit)
	}
	var in ObjectionInput
	if err := httpx.DecodeReader(http.MaxBytesReader(w, r.Body, PublicBodyLimit), &in); err != nil {
		return err
	}
	out, err := s.Object(r.Context(), mask.Client(remoteHost(r)), id, in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, out)
	return nil
}

// remoteHost is the client's address as the connection shows it (forwarding headers are not
// trusted: anyone can write them), as oversight's public complaints.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
