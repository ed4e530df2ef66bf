// Package account keeps who can sign in: users with a role and a region scope, password
// hashes, browser sessions with CSRF tokens, API tokens for other systems, and login throttling.
package account

import (
	"time"
	"unicode"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// User is an account as the API shows it (never the password hash).
type User struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Role        auth.Role  `json:"role"`
	ScopeCode   string     `json:"scope_code"`
	ScopeName   string     `json:"scope_name"`
	Disabled    bool       `json:"disabled"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
}

// auditView is what the audit trail keeps of a user: no secrets, no volatile fields.
func (u User) auditView() map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role, "scope_code": u.ScopeCode, "disabled": u.Disabled}
}

// NewUser is the input to create an account.
type NewUser struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	ScopeCode   string    `json:"scope_code"`
	Password    string    `json:"password"`
}

// UserPatch changes some fields of an account; nil means unchanged.
type UserPatch struct {
	DisplayName *string    `json:"display_name"`
	Role        *auth.Role `json:"role"`
	ScopeCode   *string    `json:"scope_code"`
	Disabled    *bool      `json:"disabled"`
}

// PasswordChange sets a password; OldPassword is required when users change their own.
type PasswordChange struct {
	Password    string `json:"password"`
	OldPassword string `json:"old_password"`
}

// Token is an API token as listed (the secret is shown once, at creation).
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewToken is the input to create an API token.
type NewToken struct {
	Name        string `json:"name"`
	ExpiresDays int    `json:"expires_days"`
}

// CreatedToken carries the secret, once.
type CreatedToken struct {
	Token  Token  `json:"token"`
	Secret string `json:"secret"`
}

// Login is the sign-in form.
type Login struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// CheckPassword enforces the password rule: at least 10 characters from at least three of
// lower case, upper case, digits and symbols.
func CheckPassword(p string) string {
	if utf8.RuneCountInString(p) < 10 {
		return "密码至少 10 位"
	}
	if len(p) > 128 {
		return "密码不能超过 128 个字节"
	}
	var lower, upper, digit, other int
	for _, c := range p {
		switch {
		case unicode.IsLower(c):
			lower = 1
		case unicode.IsUpper(c):
			upper = 1
		case unicode.IsDigit(c):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	return ""
}

func (n *NewUser) validate() error {
	v := errs.Validation{}
	if !validUsername(n.Username) {
		v.Add("username", "用户名须为 3-32 位小写字母、数字或 _ . -")
	}
	if l := utf8.RuneCountInString(n.DisplayName); l < 1 || l > 50 {
		v.Add("display_name", "姓名须为 1-50 个字符")
	}
	if !n.Role.Valid() {
		v.Add("role", "未知角色")
	}
	if !regioncode.Valid(n.ScopeCode) {
		v.Add("scope_code", "区划代码须为 12 位数字")
	}
	if r := CheckPassword(n.Password); r != "" {
		v.Add("password", r)
	}
	return v.Err()
}

func (p *UserPatch) validate() error {
	v := errs.Validation{}
	if p.DisplayName != nil {
		if l := utf8.RuneCountInString(*p.DisplayName); l < 1 || l > 50 {
			v.Add("display_name", "姓名须为 1-50 个字符")
		}
	}
	if p.Role != nil && !p.Role.Valid() {
		v.Add("role", "未知角色")
	}
	if p.ScopeCode != nil && !regioncode.Valid(*p.ScopeCode) {
		v.Add("scope_code", "区划代码须为 12 位数字")
	}
	return v.Err()
}
