package selfquery

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Captcha is an arithmetic question drawn as an SVG image (glyphs as jittered paths among
// noise: there is no text in it for a script to read) and the token that proves the answer.
type Captcha struct {
	Image     string `json:"image"` // data:image/svg+xml;base64,…
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// challenge is a question, its answer and its token (the answer is never sent).
type challenge struct {
	question string // like "7+5=?" (glyph keys)
	answer   int
	token    string
	expires  time.Time
}

// NewCaptcha makes a captcha good for TokenTTL.
func (s *Service) NewCaptcha(ctx context.Context) (Captcha, error) {
	c, _, err := s.NewCaptchaWithAnswer(ctx)
	return c, err
}

// NewCaptchaWithAnswer is NewCaptcha with its answer, for tests of other packages (the app's
// end-to-end tests) that must pass the captcha. Never send the answer to a client.
func (s *Service) NewCaptchaWithAnswer(ctx context.Context) (Captcha, string, error) {
	secret, err := s.installSecret(ctx)
	if err != nil {
		return Captcha{}, "", err
	}
	c, err := newChallenge(secret, s.DB.Clock())
	if err != nil {
		return Captcha{}, "", err
	}
	svg, w, h := drawSVG(c.question)
	return Captcha{Image: "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg)), Width: w, Height: h,
		Token: c.token, ExpiresAt: db.Time(c.expires)}, strconv.Itoa(c.answer), nil
}

func newChallenge(secret []byte, now time.Time) (challenge, error) {
	var a, b, ans int
	var op string
	switch mrand.IntN(3) {
	case 0:
		a, b, op = 1+mrand.IntN(20), 1+mrand.IntN(9), "+"
		ans = a + b
	case 1:
		a, b, op = 10+mrand.IntN(11), 1+mrand.IntN(9), "-"
		ans = a - b
	default:
		a, b, op = 2+mrand.IntN(8), 2+mrand.IntN(8), "x"
		ans = a * b
	}
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return challenge{}, err
	}
	exp := now.Add(TokenTTL).Truncate(time.Second)
	t := token{expiry: exp.Unix(), nonce: nonce}
	t.mac = t.sign(secret, strconv.Itoa(ans))
	return challenge{question: fmt.Sprintf("%d%s%d=?", a, op, b), answer: ans, token: t.String(), expires: exp}, nil
}

// token is "<expiry unix seconds>.<nonce, 16 bytes>.<mac, 32 bytes>" (base64url without
// padding); mac = HMAC-SHA256(secret, "captcha|answer|expiry|nonce").
type token struct {
	expiry int64
	nonce  [16]byte
	mac    [32]byte
}

const maxTokenLen = 128

var b64 = base64.RawURLEncoding

func (t token) String() string {
	return strconv.FormatInt(t.expiry, 10) + "." + b64.EncodeToString(t.nonce[:]) + "." + b64.EncodeToString(t.mac[:])
}

func (t token) sign(secret []byte, answer string) [32]byte {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "captcha|%s|%d|%s", answer, t.expiry, b64.EncodeToString(t.nonce[:]))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// parseToken reads a token; it reports false for anything not shaped exactly like one.
func parseToken(s string) (token, bool) {
	var t token
	if len(s) > maxTokenLen {
		return t, false
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[0]) > 12 {
		return t, false
	}
	for _, c := range parts[0] {
		if c < '0' || c > '9' {
			return t, false
		}
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || exp <= 0 {
		return t, false
	}
	n, err := b64.DecodeString(parts[1])
	if err != nil || len(n) != len(t.nonce) {
		return t, false
	}
	m, err := b64.DecodeString(parts[2])
	if err != nil || len(m) != len(t.mac) {
		return t, false
	}
	t.expiry = exp
	copy(t.nonce[:], n)
	copy(t.mac[:], m)
	// The encoding must be canonical, so one nonce has one spelling (the spent-nonce table is
	// keyed by it).
	if t.String() != s {
		return token{}, false
	}
	return t, true
}

// normAnswer reads an answer: 1 to 3 digits, spaces around ignored.
func normAnswer(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 3 {
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	n, _ := strconv.Atoi(s)
	return strconv.Itoa(n), true
}

var (
	errCaptchaWrong   = errs.Field("captcha_answer", "验证码答案不正确,请重新获取验证码")
	errCaptchaExpired = errs.Field("captcha_token", "验证码已过期,请重新获取")
	errCaptchaUsed    = errs.Field("captcha_token", "验证码已使用,请重新获取")
	errCaptchaBad     = errs.Field("captcha_token", "验证码无效,请重新获取")
)

// ---- drawing ----

type pt struct{ x, y float64 }

// glyphs are strokes on a 10×16 grid.
var glyphs = map[rune][][]pt{
	'0': {{{2, 0}, {8, 0}, {10, 3}, {10, 13}, {8, 16}, {2, 16}, {0, 13}, {0, 3}, {2, 0}}},
	'1': {{{2, 4}, {6, 0}, {6, 16}}, {{2, 16}, {10, 16}}},
	'2': {{{0, 3}, {3, 0}, {8, 0}, {10, 3}, {10, 6}, {0, 16}, {10, 16}}},
	'3': {{{0, 1}, {10, 1}, {5, 7}, {9, 9}, {10, 12}, {8, 16}, {2, 16}, {0, 14}}},
	'4': {{{7, 16}, {7, 0}, {0, 11}, {10, 11}}},
	'5': {{{10, 0}, {1, 0}, {0, 7}, {7, 6}, {10, 9}, {10, 13}, {7, 16}, {0, 16}}},
	'6': {{{9, 0}, {4, 0}, {0, 6}, {0, 13}, {3, 16}, {8, 16}, {10, 13}, {10, 9}, {7, 7}, {3, 7}, {0, 10}}},
	'7': {{{0, 0}, {10, 0}, {4, 16}}},
	'8': {{{5, 7}, {1, 5}, {1, 2}, {3, 0}, {7, 0}, {9, 2}, {9, 5}, {5, 7}, {0, 10}, {0, 14}, {2, 16}, {8, 16}, {10, 14}, {10, 10}, {5, 7}}},
	'9': {{{10, 6}, {7, 9}, {2, 9}, {0, 6}, {0, 3}, {2, 0}, {8, 0}, {10, 3}, {10, 10}, {6, 16}, {1, 16}}},
	'+': {{{5, 3}, {5, 13}}, {{0, 8}, {10, 8}}},
	'-': {{{0, 8}, {10, 8}}},
	'x': {{{1, 4}, {9, 12}}, {{9, 4}, {1, 12}}},
	'=': {{{0, 5}, {10, 5}}, {{0, 11}, {10, 11}}},
	'?': {{{1, 3}, {3, 0}, {8, 0}, {10, 3}, {10, 5}, {5, 9}, {5, 11}}, {{5, 14}, {5, 16}}},
}

var inks = []string{"#1f3a93", "#8e1b1b", "#1d5e2f", "#5b2c83", "#7a4b00", "#0f4c5c"}

func jitter(r float64) float64 { return (mrand.Float64()*2 - 1) * r }

// svgBuf writes SVG without fmt (a captcha is drawn on every public GET).
type svgBuf []byte

func (b *svgBuf) s(v string) *svgBuf { *b = append(*b, v...); return b }

func (b *svgBuf) f(v float64) *svgBuf { *b = strconv.AppendFloat(*b, v, 'f', 1, 64); return b }

func (b *svgBuf) i(v int) *svgBuf { *b = strconv.AppendInt(*b, int64(v), 10); return b }

// drawSVG draws the question: each glyph scaled, turned a little and its points shaken, in a
// dark ink, over noise curves and dots in lighter inks.
func drawSVG(q string) (string, int, int) {
	const scale, step, top = 2.0, 28.0, 10.0
	w, h := int(24+step*float64(len([]rune(q)))), 52
	fw, fh := float64(w), float64(h)
	b := make(svgBuf, 0, 4096)
	b.s(`<svg xmlns="http://www.w3.org/2000/svg" width="`).i(w).s(`" height="`).i(h).s(`" viewBox="0 0 `).i(w).s(" ").i(h).s(`">`)
	b.s(`<rect width="`).i(w).s(`" height="`).i(h).s(`" fill="#f4f1e8"/>`)
	for range 4 {
		b.s(`<path d="M`).f(mrand.Float64() * 10).s(" ").f(mrand.Float64() * fh).
			s(" C").f(mrand.Float64() * fw).s(" ").f(mrand.Float64() * fh).
			s(" ").f(mrand.Float64() * fw).s(" ").f(mrand.Float64() * fh).
			s(" ").f(fw - mrand.Float64()*10).s(" ").f(mrand.Float64() * fh).
			s(`" stroke="#b9b2a0" stroke-width="`).f(0.8 + mrand.Float64()).s(`" fill="none"/>`)
	}
	for i, r := range []rune(q) {
		ox, oy := 12+step*float64(i)+jitter(2), top+jitter(3)
		sin, cos := math.Sincos(jitter(0.22))
		b.s(`<path d="`)
		for _, stroke := range glyphs[r] {
			for j, p := range stroke {
				x, y := (p.x-5+jitter(0.6))*scale, (p.y-8+jitter(0.6))*scale
				x, y = x*cos-y*sin+ox+5*scale, x*sin+y*cos+oy+8*scale
				if j == 0 {
					b.s("M")
				} else {
					b.s("L")
				}
				b.f(x).s(" ").f(y)
			}
		}
		b.s(`" stroke="`).s(inks[mrand.IntN(len(inks))]).s(`" stroke-width="`).f(2.2 + mrand.Float64()*0.8).
			s(`" stroke-linecap="round" stroke-linejoin="round" fill="none"/>`)
	}
	for range 24 {
		b.s(`<circle cx="`).f(mrand.Float64() * fw).s(`" cy="`).f(mrand.Float64() * fh).s(`" r="`).f(0.6 + mrand.Float64()*1.2).
			s(`" fill="rgb(`).i(100 + mrand.IntN(120)).s(",").i(100 + mrand.IntN(120)).s(",").i(100 + mrand.IntN(120)).s(`)"/>`)
	}
	for range 2 {
		b.s(`<path d="M`).f(mrand.Float64() * fw / 3).s(" ").f(mrand.Float64() * fh).s(" L").f(fw*2/3 + mrand.Float64()*fw/3).s(" ").f(mrand.Float64() * fh).
			s(`" stroke="`).s(inks[mrand.IntN(len(inks))]).s(`" stroke-width="1.2" fill="none"/>`)
	}
	b.s(`</svg>`)
	return string(b), w, h
}
