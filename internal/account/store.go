package account

import (
	"context"
	"database/sql"
	"errors"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

const userColumns = `u.id, u.username, u.display_name, u.role, u.scope_code, COALESCE(r.name, ''), u.disabled, u.created_at, u.last_login_at`

const userFrom = ` FROM users u LEFT JOIN regions r ON r.code = u.scope_code`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created string
	var last sql.NullString
	var disabled int
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.ScopeCode, &u.ScopeName, &disabled, &created, &last); err != nil {
		return u, err
	}
	u.Disabled = disabled != 0
	u.CreatedAt = db.ParseTime(created)
	u.LastLoginAt = db.TimePtr(last)
	return u, nil
}

func getUser(ctx context.Context, q db.Queryer, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+` WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, "用户 %d 不存在", id)
	}
	return u, err
}

// userForLogin returns the user and password hash by username.
func userForLogin(ctx context.Context, q db.Queryer, username string) (User, string, error) {
	var hash string
	var u User
	var created string
	var last sql.NullString
	var disabled int
	err := q.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash`+userFrom+` WHERE u.username = ?`, username).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.ScopeCode, &u.ScopeName, &disabled, &created, &last, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", errs.E(errs.NotFound, "用户不存在")
	}
	u.Disabled = disabled != 0
	u.CreatedAt = db.ParseTime(created)
	u.LastLoginAt = db.TimePtr(last)
	return u, hash, err
}

func listUsers(ctx context.Context, q db.Queryer, scope, search string, after int64, limit int) ([]User, error) {
	lo, hi := regioncode.Range(scope)
	query := `SELECT ` + userColumns + userFrom + ` WHERE u.scope_code BETWEEN ? AND ? AND u.id > ?`
	args := []any{lo, hi, after}
	if search != "" {
		query += ` AND (u.username LIKE ? OR u.display_name LIKE ?)`
		args = append(args, "%"+search+"%", "%"+search+"%")
	}
	query += ` ORDER BY u.id LIMIT ?`
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func regionExists(ctx context.Context, q db.Queryer, code string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n)
	return n > 0, err
}

// sessionPrincipal loads the principal behind a session id, with its CSRF token and expiry.
func sessionPrincipal(ctx context.Context, q db.Queryer, id string) (*auth.Principal, string, string, string, error) {
	var p auth.Principal
	var csrf, expires, seen string
	var disabled int
	err := q.QueryRowContext(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.scope_code, u.disabled, s.csrf_token, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id).
		Scan(&p.UserID, &p.Username, &p.Name, &p.Role, &p.Scope, &disabled, &csrf, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) || disabled != 0 {
		return nil, "", "", "", errs.E(errs.Unauthorized, "登录已失效,请重新登录")
	}
	return &p, csrf, expires, seen, err
}

func tokenPrincipal(ctx context.Context, q db.Queryer, hash string) (*auth.Principal, string, sql.NullString, sql.NullString, error) {
	var p auth.Principal
	var expires string
	var revoked, used sql.NullString
	var disabled int
	err := q.QueryRowContext(ctx, `SELECT t.id, u.id, u.username, u.display_name, u.role, u.scope_code, u.disabled, t.expires_at, t.revoked_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash).
		Scan(&p.TokenID, &p.UserID, &p.Username, &p.Name, &p.Role, &p.Scope, &disabled, &expires, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) || disabled != 0 {
		return nil, "", revoked, used, errs.E(errs.Unauthorized, "API 令牌无效")
	}
	return &p, expires, revoked, used, err
}

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var created, expires string
	var revoked, used sql.NullString
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &expires, &revoked, &used); err != nil {
		return t, err
	}
	t.CreatedAt, t.ExpiresAt = db.ParseTime(created), db.ParseTime(expires)
	t.RevokedAt, t.LastUsedAt = db.TimePtr(revoked), db.TimePtr(used)
	return t, nil
}

const tokenColumns = `id, user_id, name, created_at, expires_at, revoked_at, last_used_at`

func listTokens(ctx context.Context, q db.Queryer, userID int64) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func getToken(ctx context.Context, q db.Queryer, id int64) (Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.E(errs.NotFound, "令牌 %d 不存在", id)
	}
	return t, err
}
