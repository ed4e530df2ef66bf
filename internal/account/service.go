package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Service manages accounts, sessions and tokens.
type Service struct {
	DB *db.DB
	// Throttle counts failed sign-ins per username; AddrThrottle per client address, with a
	// higher limit, since a whole town office may sit behind one address.
	Throttle, AddrThrottle *Throttle
	// SessionTTL is the longest a session lives; IdleTTL ends it earlier when unused.
	SessionTTL, IdleTTL time.Duration
	cache               *sessionCache
}

// NewService returns the service with the defaults a government office expects: a working day
// of session, two hours idle, five wrong passwords lock a name or address for 15 minutes.
func NewService(d *db.DB) *Service {
	return &Service{DB: d, Throttle: NewThrottle(5, 15*time.Minute), AddrThrottle: NewThrottle(50, 15*time.Minute), SessionTTL: 12 * time.Hour, IdleTTL: 2 * time.Hour, cache: newSessionCache(10 * time.Second)}
}

func randomToken(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failing is not recoverable
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, hashToken(secret)
}

func hashToken(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

// Session is what a successful sign-in hands the browser.
type Session struct {
	Token string
	CSRF  string
	User  User
}

// authenticate checks a username and password for both ways of signing in. Failures are
// throttled and audited; the answer never says whether the username exists.
func (s *Service) authenticate(ctx context.Context, in Login, client string) (User, error) {
	now := s.DB.Clock()
	userKey, ipKey := "u:"+strings.ToLower(in.Username), "ip:"+client
	for _, c := range []struct {
		t *Throttle
		k string
	}{{s.Throttle, userKey}, {s.AddrThrottle, ipKey}} {
		if blocked, wait := c.t.Blocked(c.k, now); blocked {
			return User{}, errs.E(errs.Throttled, "登录失败次数过多,请 %d 分钟后再试", int(wait.Minutes())+1)
		}
	}
	u, hash, err := userForLogin(ctx, s.DB.Reader(), in.Username)
	if err != nil && errs.CodeOf(err) != errs.NotFound {
		return User{}, err
	}
	if err != nil {
		hash = dummyHash
	}
	if !VerifyPassword(hash, in.Password) || err != nil || u.Disabled {
		s.Throttle.Fail(userKey, now)
		s.AddrThrottle.Fail(ipKey, now)
		reason := "wrong_password"
		switch {
		case err != nil:
			reason = "unknown_user"
		case u.Disabled:
			reason = "disabled"
		}
		if aerr := s.DB.InTx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, audit.Actor{ID: u.ID, Name: in.Username}, audit.Change{
				Action: "auth.login_failed", EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10), RegionCode: u.ScopeCode,
				After: map[string]any{"username": in.Username, "reason": reason, "client": client},
			})
		}); aerr != nil {
			return User{}, aerr
		}
		if reason == "disabled" {
			return User{}, errs.E(errs.Unauthorized, "账号已停用,请联系管理员")
		}
		return User{}, errs.E(errs.Unauthorized, "用户名或密码错误")
	}
	s.Throttle.Reset(userKey)
	return u, nil
}

// Login checks a username and password and opens a session.
func (s *Service) Login(ctx context.Context, in Login, client string) (Session, error) {
	u, err := s.authenticate(ctx, in, client)
	if err != nil {
		return Session{}, err
	}
	token, id := randomToken("")
	csrf, _ := randomToken("")
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, u.ID, csrf, db.Time(tx.Now), db.Time(tx.Now.Add(s.SessionTTL)), db.Time(tx.Now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, db.Time(tx.Now), u.ID); err != nil {
			return err
		}
		t := tx.Now
		u.LastLoginAt = &t
		return audit.Record(ctx, tx, audit.Actor{ID: u.ID, Name: u.DisplayName + "(" + u.Username + ")"}, audit.Change{
			Action: "auth.login", EntityType: "user", EntityID: strconv.FormatInt(u.ID, 10), RegionCode: u.ScopeCode,
			After: map[string]any{"client": client, "session": id[:12]},
		})
	})
	return Session{Token: token, CSRF: csrf, User: u}, err
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, p *auth.Principal, token string) error {
	id := hashToken(token)
	s.cache.drop(id)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
			Action: "auth.logout", EntityType: "user", EntityID: strconv.FormatInt(p.UserID, 10), RegionCode: p.Scope,
			After: map[string]any{"session": id[:12]},
		})
	})
}

// SessionPrincipal returns the principal and CSRF token of a live session.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (*auth.Principal, string, error) {
	id := hashToken(token)
	now := s.DB.Clock().UTC()
	if c, ok := s.cache.get(id, now); ok {
		return c.p, c.csrf, nil
	}
	p, csrf, expires, seen, err := sessionPrincipal(ctx, s.DB.Reader(), id)
	if err != nil {
		return nil, "", err
	}
	if now.After(db.ParseTime(expires)) || now.Sub(db.ParseTime(seen)) > s.IdleTTL {
		return nil, "", errs.E(errs.Unauthorized, "登录已过期,请重新登录")
	}
	if now.Sub(db.ParseTime(seen)) > time.Minute {
		// Keeping the idle clock is bookkeeping, not a change of record: not audited.
		if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, db.Time(tx.Now), id)
			return err
		}); err != nil {
			return nil, "", err
		}
	}
	s.cache.put(id, cached{p: p, csrf: csrf, at: now})
	return p, csrf, nil
}

// TokenPrincipal returns the principal of a live API token.
func (s *Service) TokenPrincipal(ctx context.Context, secret string) (*auth.Principal, error) {
	id := "t:" + hashToken(secret)
	now := s.DB.Clock().UTC()
	if c, ok := s.cache.get(id, now); ok {
		return c.p, nil
	}
	p, expires, revoked, used, err := tokenPrincipal(ctx, s.DB.Reader(), hashToken(secret))
	if err != nil {
		return nil, err
	}
	if revoked.Valid || now.After(db.ParseTime(expires)) {
		return nil, errs.E(errs.Unauthorized, "API 令牌已吊销或过期")
	}
	if !used.Valid || now.Sub(db.ParseTime(used.String)) > time.Minute {
		if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, db.Time(tx.Now), p.TokenID)
			return err
		}); err != nil {
			return nil, err
		}
	}
	s.cache.put(id, cached{p: p, at: now})
	return p, nil
}

// CSRFMatches compares tokens in constant time.
func CSRFMatches(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// requireUserScope checks the principal may manage users in the given region.
func requireUserScope(p *auth.Principal, action auth.Action, scope string) error {
	if err := p.Require(action); err != nil {
		return err
	}
	if !p.InScope(scope) {
		return errs.E(errs.Forbidden, "用户的管辖区划 %s 不在您的范围内", scope)
	}
	return nil
}

// GetUser returns one user in the principal's scope.
func (s *Service) GetUser(ctx context.Context, p *auth.Principal, id int64) (User, error) {
	u, err := getUser(ctx, s.DB.Reader(), id)
	if err != nil {
		return u, err
	}
	if p.UserID == id {
		return u, nil
	}
	return u, requireUserScope(p, auth.UserRead, u.ScopeCode)
}

// ListUsers pages through users in the principal's scope.
func (s *Service) ListUsers(ctx context.Context, p *auth.Principal, search string, after int64, limit int) ([]User, error) {
	if err := p.Require(auth.UserRead); err != nil {
		return nil, err
	}
	scope := p.Scope
	if p.Root {
		scope = "100000000000"
	}
	return listUsers(ctx, s.DB.Reader(), scope, search, after, limit)
}

// CreateUser adds an account inside the principal's scope.
func (s *Service) CreateUser(ctx context.Context, p *auth.Principal, in NewUser) (u User, err error) {
	defer errs.Wrap(&err, "CreateUser(%s)", in.Username)
	if err := p.Require(auth.UserWrite); err != nil {
		return u, err
	}
	nu, err := Prepare(in)
	if err != nil {
		return u, err
	}
	if err := requireUserScope(p, auth.UserWrite, in.ScopeCode); err != nil {
		return u, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err = Insert(ctx, tx, audit.ActorOf(p), nu)
		return err
	})
	return u, err
}

// PreparedUser is a validated new account with its password already hashed: hashing is
// slow on purpose, so it happens before the transaction that inserts the row.
type PreparedUser struct {
	in   NewUser
	hash string
}

// Prepare validates a new account and hashes its password.
func Prepare(in NewUser) (PreparedUser, error) {
	if err := in.validate(); err != nil {
		return PreparedUser{}, err
	}
	hash, err := HashPassword(in.Password)
	return PreparedUser{in: in, hash: hash}, err
}

// Insert adds a prepared account inside the caller's transaction, with its audit event. The
// caller has checked who may create it: the user console, or the helpers' office opening a
// field-app account for a helper.
func Insert(ctx context.Context, tx *db.Tx, actor audit.Actor, nu PreparedUser) (User, error) {
	in := nu.in
	ok, err := regionExists(ctx, tx, in.ScopeCode)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, errs.Field("scope_code", "区划 "+in.ScopeCode+" 不存在")
	}
	id, err := tx.InsertID(ctx, `INSERT INTO users (username, display_name, role, scope_code, password_hash, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`, in.Username, in.DisplayName, in.Role, in.ScopeCode, nu.hash, db.Time(tx.Now), db.Time(tx.Now))
	if err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return User{}, &errs.Error{Code: errs.Conflict, Message: "用户名 " + in.Username + " 已被使用", Fields: map[string]string{"username": "已被使用"}}
		}
		return User{}, err
	}
	u, err := getUser(ctx, tx, id)
	if err != nil {
		return u, err
	}
	return u, audit.Record(ctx, tx, actor, audit.Change{Action: "user.create", EntityType: "user", EntityID: strconv.FormatInt(id, 10),
		RegionCode: u.ScopeCode, After: u.auditView()})
}

// UpdateUser changes role, scope, name or disabled state. Disabling ends the user's sessions.
func (s *Service) UpdateUser(ctx context.Context, p *auth.Principal, id int64, patch UserPatch) (u User, err error) {
	defer errs.Wrap(&err, "UpdateUser(%d)", id)
	if err := p.Require(auth.UserWrite); err != nil {
		return u, err
	}
	if err := patch.validate(); err != nil {
		return u, err
	}
	if id == p.UserID && (patch.Role != nil || patch.ScopeCode != nil || patch.Disabled != nil) {
		return u, errs.E(errs.Forbidden, "不能修改自己的角色、管辖区划或停用自己")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := requireUserScope(p, auth.UserWrite, before.ScopeCode); err != nil {
			return err
		}
		after := before
		if patch.DisplayName != nil {
			after.DisplayName = *patch.DisplayName
		}
		if patch.Role != nil {
			after.Role = *patch.Role
		}
		if patch.ScopeCode != nil {
			if err := requireUserScope(p, auth.UserWrite, *patch.ScopeCode); err != nil {
				return err
			}
			ok, err := regionExists(ctx, tx, *patch.ScopeCode)
			if err != nil {
				return err
			}
			if !ok {
				return errs.Field("scope_code", "区划 "+*patch.ScopeCode+" 不存在")
			}
			after.ScopeCode = *patch.ScopeCode
		}
		if patch.Disabled != nil {
			after.Disabled = *patch.Disabled
		}
		disabled := 0
		if after.Disabled {
			disabled = 1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, role = ?, scope_code = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			after.DisplayName, after.Role, after.ScopeCode, disabled, db.Time(tx.Now), id); err != nil {
			return err
		}
		permissionChange := after.Role != before.Role || after.ScopeCode != before.ScopeCode || after.Disabled != before.Disabled
		if permissionChange {
			// A changed role or scope must not live on in sessions opened under the old one.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		if u, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		action := "user.update"
		if permissionChange {
			action = "user.permission_change"
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "user", EntityID: strconv.FormatInt(id, 10),
			RegionCode: u.ScopeCode, Before: before.auditView(), After: u.auditView()})
	})
	if err == nil {
		s.cache.dropUser(id)
	}
	return u, err
}

// SetPassword resets a user's password (admins in scope) or changes one's own (with the old
// password). All of the user's sessions end.
func (s *Service) SetPassword(ctx context.Context, p *auth.Principal, id int64, in PasswordChange) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	if r := CheckPassword(in.Password); r != "" {
		return errs.Field("password", r)
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		action := "user.password_reset"
		if id == p.UserID && !p.Root {
			_, old, err := userForLogin(ctx, tx, u.Username)
			if err != nil {
				return err
			}
			if !VerifyPassword(old, in.OldPassword) {
				return errs.Field("old_password", "原密码不正确")
			}
			action = "user.password_change"
		} else if err := requireUserScope(p, auth.UserWrite, u.ScopeCode); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, db.Time(tx.Now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "user", EntityID: strconv.FormatInt(id, 10), RegionCode: u.ScopeCode})
	})
	if err == nil {
		s.cache.dropUser(id)
	}
	return err
}

// ListTokens lists a user's API tokens.
func (s *Service) ListTokens(ctx context.Context, p *auth.Principal, userID int64) ([]Token, error) {
	u, err := getUser(ctx, s.DB.Reader(), userID)
	if err != nil {
		return nil, err
	}
	if err := requireUserScope(p, auth.UserWrite, u.ScopeCode); err != nil {
		return nil, err
	}
	return listTokens(ctx, s.DB.Reader(), userID)
}

// CreateToken issues an API token acting as the user; the secret is returned once.
func (s *Service) CreateToken(ctx context.Context, p *auth.Principal, userID int64, in NewToken) (CreatedToken, error) {
	var out CreatedToken
	v := errs.Validation{}
	if n := len([]rune(in.Name)); n < 1 || n > 50 {
		v.Add("name", "名称须为 1-50 个字符")
	}
	if in.ExpiresDays < 1 || in.ExpiresDays > 366 {
		v.Add("expires_days", "有效期须为 1-366 天")
	}
	if err := v.Err(); err != nil {
		return out, err
	}
	secret, hash := randomToken("sst_")
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := requireUserScope(p, auth.UserWrite, u.ScopeCode); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			userID, in.Name, hash, db.Time(tx.Now), db.Time(tx.Now.AddDate(0, 0, in.ExpiresDays)))
		if err != nil {
			return err
		}
		if out.Token, err = getToken(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "token.create", EntityType: "api_token", EntityID: strconv.FormatInt(id, 10),
			RegionCode: u.ScopeCode, After: map[string]any{"user_id": userID, "name": in.Name, "expires_at": db.Time(out.Token.ExpiresAt)}})
	})
	out.Secret = secret
	return out, err
}

// RevokeToken ends an API token; the row stays, marked revoked.
func (s *Service) RevokeToken(ctx context.Context, p *auth.Principal, id int64) error {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, err := getToken(ctx, tx, id)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, t.UserID)
		if err != nil {
			return err
		}
		if err := requireUserScope(p, auth.UserWrite, u.ScopeCode); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return errs.E(errs.Conflict, "令牌已吊销")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, db.Time(tx.Now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "token.revoke", EntityType: "api_token", EntityID: strconv.FormatInt(id, 10),
			RegionCode: u.ScopeCode, Before: map[string]any{"user_id": t.UserID, "name": t.Name}})
	})
	if err == nil {
		s.cache.dropToken(id)
	}
	return err
}

// IDByUsername finds a user's id (command line).
func (s *Service) IDByUsername(ctx context.Context, username string) (int64, error) {
	u, _, err := userForLogin(ctx, s.DB.Reader(), username)
	return u.ID, err
}

// FlushCache forgets cached sessions and tokens (tests that move the clock).
func (s *Service) FlushCache() { s.cache = newSessionCache(s.cache.ttl) }
