package selfquery

import (
	"mime"
	"net"
	"net/http"

	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// Routes registers the public captcha and the own-household query (no sign-in).
func (s *Service) Routes(rt *httpx.Router) {
	rt.HandlePublic("GET /api/v1/public/captcha", s.handleCaptcha)
	rt.HandlePublic("POST /api/v1/public/household-query", s.handleQuery)
}

func (s *Service) handleCaptcha(w http.ResponseWriter, r *http.Request) error {
	c, err := s.NewCaptcha(r.Context())
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, c)
	return nil
}

func (s *Service) handleQuery(w http.ResponseWriter, r *http.Request) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errs.E(errs.Unsupported, "请求体须为 JSON (Content-Type: application/json)")
	}
	if r.ContentLength > BodyLimit {
		return errs.E(errs.TooLarge, "请求体超过 %d 字节上限", BodyLimit)
	}
	var in QueryInput
	if err := httpx.DecodeReader(http.MaxBytesReader(w, r.Body, BodyLimit), &in); err != nil {
		return err
	}
	res, err := s.Query(r.Context(), remoteHost(r), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, res)
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
