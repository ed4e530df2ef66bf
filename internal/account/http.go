package account

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// CookieName is the session cookie.
const CookieName = "sunshine_session"

// CSRFHeader carries the session's CSRF token on every browser write.
const CSRFHeader = "X-CSRF-Token"

// Me is what the console needs to know about the signed-in user.
type Me struct {
	User        User          `json:"user"`
	Permissions []auth.Action `json:"permissions"`
	CSRFToken   string        `json:"csrf_token,omitempty"`
}

// RoleInfo describes a role for the console.
type RoleInfo struct {
	Role        auth.Role     `json:"role"`
	Label       string        `json:"label"`
	Permissions []auth.Action `json:"permissions"`
}

// Routes registers sign-in, user and token endpoints.
func (s *Service) Routes(rt *httpx.Router) {
	rt.HandlePublic("POST /api/v1/auth/login", s.handleLogin)
	rt.HandlePublic("POST /api/v1/field/login", s.handleFieldLogin)
	rt.Handle("POST /api/v1/auth/logout", "", s.handleLogout)
	rt.Handle("GET /api/v1/auth/me", "", s.handleMe)
	rt.Handle("GET /api/v1/roles", "", s.handleRoles)
	rt.Handle("GET /api/v1/users", auth.UserRead, s.handleListUsers)
	rt.Handle("POST /api/v1/users", auth.UserWrite, s.handleCreateUser)
	rt.Handle("GET /api/v1/users/{id}", auth.UserRead, s.handleGetUser)
	rt.Handle("PATCH /api/v1/users/{id}", auth.UserWrite, s.handleUpdateUser)
	// Everyone may change their own password; the service checks scope for resets of others.
	rt.Handle("POST /api/v1/users/{id}/password", "", s.handlePassword)
	rt.Handle("GET /api/v1/users/{id}/tokens", auth.UserWrite, s.handleListTokens)
	rt.Handle("POST /api/v1/users/{id}/tokens", auth.UserWrite, s.handleCreateToken)
	rt.Handle("DELETE /api/v1/tokens/{id}", auth.UserWrite, s.handleRevokeToken)
}

// Middleware puts the request's principal (from an API token or a session cookie) into the
// context and enforces CSRF and same-origin on cookie-authenticated writes. Requests without
// valid credentials continue anonymously; protected routes then answer 401.
func (s *Service) Middleware(log func(error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				httpx.Write(w, http.StatusUnauthorized, httpx.ErrorBody{Code: errs.Unauthorized, Message: "Authorization 头须为 Bearer 令牌"})
				return
			}
			p, err := s.TokenPrincipal(ctx, strings.TrimSpace(secret))
			if err != nil {
				writeErr(w, log, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.With(ctx, p)))
			return
		}
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		p, csrf, err := s.SessionPrincipal(ctx, c.Value)
		if err != nil {
			if errs.CodeOf(err) != errs.Unauthorized {
				writeErr(w, log, err)
				return
			}
			// A stale cookie: clear it and continue as nobody.
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
			next.ServeHTTP(w, r)
			return
		}
		if unsafe(r.Method) {
			if !sameOrigin(r) {
				writeErr(w, log, errs.E(errs.Forbidden, "跨站请求被拒绝(Origin 与站点不符)"))
				return
			}
			if !CSRFMatches(csrf, r.Header.Get(CSRFHeader)) {
				writeErr(w, log, errs.E(errs.Forbidden, "缺少或错误的 CSRF 令牌,请刷新页面后重试"))
				return
			}
		}
		ctx = auth.With(ctx, p)
		ctx = withSession(ctx, c.Value, csrf)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func writeErr(w http.ResponseWriter, log func(error), err error) {
	e, ok := errs.As(err)
	if !ok {
		log(err)
		e = &errs.Error{Code: errs.Internal, Message: "服务器内部错误"}
	}
	httpx.Write(w, httpx.StatusOf(e), httpx.ErrorBody{Code: e.Code, Message: e.Message, Fields: e.Fields})
}

func unsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// sameOrigin accepts requests without an Origin header (older clients, same-origin GET-like
// navigations) and those whose Origin host is the request's host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

type sessionKey struct{}

type sessionInfo struct{ token, csrf string }

func withSession(ctx context.Context, token, csrf string) context.Context {
	return context.WithValue(ctx, sessionKey{}, sessionInfo{token, csrf})
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) error {
	var in Login
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Username == "" || in.Password == "" {
		return errs.E(errs.Invalid, "请输入用户名和密码")
	}
	sess, err := s.Login(r.Context(), in, clientAddr(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil, Expires: time.Now().Add(s.SessionTTL),
	})
	httpx.Write(w, http.StatusOK, Me{User: sess.User, Permissions: auth.Permissions(sess.User.Role), CSRFToken: sess.CSRF})
	return nil
}

func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) error {
	si, ok := r.Context().Value(sessionKey{}).(sessionInfo)
	if !ok {
		return errs.E(errs.Invalid, "API 令牌没有会话可退出")
	}
	if err := s.Logout(r.Context(), auth.From(r.Context()), si.token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleMe(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	u, err := getUser(r.Context(), s.DB.Reader(), p.UserID)
	if err != nil {
		return err
	}
	si, _ := r.Context().Value(sessionKey{}).(sessionInfo)
	httpx.Write(w, http.StatusOK, Me{User: u, Permissions: auth.Permissions(p.Role), CSRFToken: si.csrf})
	return nil
}

func (s *Service) handleRoles(w http.ResponseWriter, r *http.Request) error {
	out := make([]RoleInfo, 0, len(auth.Roles))
	for _, role := range auth.Roles {
		out = append(out, RoleInfo{Role: role, Label: auth.RoleLabels[role], Permissions: auth.Permissions(role)})
	}
	httpx.Write(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Service) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := page.AfterID()
	if err != nil {
		return err
	}
	users, err := s.ListUsers(r.Context(), auth.From(r.Context()), r.URL.Query().Get("q"), after, page.Limit+1)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(users, page.Limit, func(u User) string { return strconv.FormatInt(u.ID, 10) }))
	return nil
}

func (s *Service) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in NewUser
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := s.CreateUser(r.Context(), auth.From(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, u)
	return nil
}

func (s *Service) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.GetUser(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, u)
	return nil
}

func (s *Service) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in UserPatch
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := s.UpdateUser(r.Context(), auth.From(r.Context()), id, in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, u)
	return nil
}

func (s *Service) handlePassword(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in PasswordChange
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := s.SetPassword(r.Context(), auth.From(r.Context()), id, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := s.ListTokens(r.Context(), auth.From(r.Context()), id)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, map[string]any{"items": ts})
	return nil
}

func (s *Service) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in NewToken
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := s.CreateToken(r.Context(), auth.From(r.Context()), id, in)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, t)
	return nil
}

func (s *Service) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.RevokeToken(r.Context(), auth.From(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
