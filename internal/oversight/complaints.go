package oversight

import (
	"crypto/rand"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Complaint statuses: received → assigned → replied → closed. received and assigned are
// pending (未办结): the deadline runs against them.
const (
	ComplaintReceived = "received"
	ComplaintAssigned = "assigned"
	ComplaintReplied  = "replied"
	ComplaintClosed   = "closed"
)

var complaintStatuses = []string{ComplaintReceived, ComplaintAssigned, ComplaintReplied, ComplaintClosed}

// Channels a complaint arrives by.
const (
	ChannelPortal  = "portal"  // the public portal (网站/手机)
	ChannelKiosk   = "kiosk"   // the town service centre terminal (便民服务终端)
	ChannelField   = "field"   // taken down by a helper in the field app
	ChannelHotline = "hotline" // entered by staff from the hotline (12317 / 监督电话)
	ChannelStaff   = "staff"   // entered by staff (letters, visits in person)
)

// ComplaintCategories are the matters a complaint may concern, with their Chinese labels.
var ComplaintCategories = map[string]string{
	"funds":          "资金发放",
	"identification": "识别认定",
	"project":        "项目建设",
	"conduct":        "干部作风",
	"visit":          "帮扶走访",
	"other":          "其他",
}

// categoryDepartment is the office a new complaint of a category is routed to until the
// complaint desk assigns it.
var categoryDepartment = map[string]auth.Role{
	"funds":          auth.Finance,
	"identification": auth.PovertyOffice,
	"project":        auth.Department,
	"conduct":        auth.Discipline,
	"visit":          auth.PovertyOffice,
	"other":          auth.PovertyOffice,
}

// Satisfaction ratings a complainant may give to the reply.
var satisfactions = []string{"satisfied", "basic", "unsatisfied"}

// entityTypes are what a complaint may be about, besides "" (nothing named).
var entityTypes = []string{"household", "village", "project", "fund", "person", "other"}

// DefaultComplaintDays is the handling deadline in working days from receipt (办理时限).
const DefaultComplaintDays = 15

// Limits of complaint text (counted in characters, not bytes).
const (
	maxSubject   = 100
	maxContent   = 2000
	maxName      = 50
	maxEntityRef = 100
	maxReply     = 4000
	// PublicBodyLimit bounds the body of a public complaint request.
	PublicBodyLimit = 16 << 10
)

// ---- tracking codes ----

// trackingAlphabet has no 0/O, 1/I/L: nothing a complainant could misread when copying it.
const trackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// trackingLen is the number of random characters of a code: 31^12 ≈ 2^59.
const trackingLen = 12

// newTrackingCode draws a code uniformly from crypto/rand (rejection sampling, no modulo bias),
// in its stored (normalised) form.
func newTrackingCode() (string, error) {
	const n = len(trackingAlphabet)
	const limit = 256 - 256%n
	out := make([]byte, 0, trackingLen)
	var buf [32]byte
	for len(out) < trackingLen {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < trackingLen {
				out = append(out, trackingAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// FormatTrackingCode shows a stored code grouped for reading: TS-7KQ4-9XWM-2PHD.
func FormatTrackingCode(code string) string {
	if len(code) != trackingLen {
		return code
	}
	return "TS-" + code[:4] + "-" + code[4:8] + "-" + code[8:]
}

// ParseTrackingCode reads a code as a complainant may type it — with or without the TS- prefix,
// dashes and spaces, in any case — and returns its stored form; ok is false for anything that
// cannot be a code.
func ParseTrackingCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	b := make([]byte, 0, 16)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ' || c == '\t':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	if len(b) == trackingLen+2 && b[0] == 'T' && b[1] == 'S' {
		b = b[2:]
	}
	if len(b) != trackingLen {
		return "", false
	}
	for _, c := range b {
		if strings.IndexByte(trackingAlphabet, c) < 0 {
			return "", false
		}
	}
	return string(b), true
}

// ---- input ----

// ComplaintInput is a complaint as lodged, by the public or by staff.
type ComplaintInput struct {
	Channel    string `json:"channel"`
	Anonymous  bool   `json:"anonymous"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Category   string `json:"category"`
	RegionCode string `json:"region_code"`
	Subject    string `json:"subject"`
	Content    string `json:"content"`
	EntityType string `json:"entity_type,omitempty"`
	EntityRef  string `json:"entity_ref,omitempty"`
	// ClientID is the UUID the field app gives a complaint when it is taken down on the phone
	// (channel field only): sending it again answers the complaint already stored.
	ClientID string `json:"client_id,omitempty"`
}

// PublicComplaintInput is the body of POST /public/complaints (no entity_type: the public
// names what they mean in entity_ref).
type PublicComplaintInput struct {
	Channel    string `json:"channel"`
	Anonymous  bool   `json:"anonymous"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Category   string `json:"category"`
	RegionCode string `json:"region_code"`
	Subject    string `json:"subject"`
	Content    string `json:"content"`
	EntityRef  string `json:"entity_ref,omitempty"`
}

func (in PublicComplaintInput) complaint() ComplaintInput {
	return ComplaintInput{Channel: in.Channel, Anonymous: in.Anonymous, Name: in.Name, Phone: in.Phone, Category: in.Category,
		RegionCode: in.RegionCode, Subject: in.Subject, Content: in.Content, EntityRef: in.EntityRef}
}

// normalize trims the text fields and drops the complainant's details of an anonymous
// complaint (they are never stored, whatever was sent).
func (in *ComplaintInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Subject = strings.TrimSpace(in.Subject)
	in.Content = strings.TrimSpace(in.Content)
	in.EntityRef = strings.TrimSpace(in.EntityRef)
	in.Category = strings.TrimSpace(in.Category)
	if in.Anonymous {
		in.Name, in.Phone = "", ""
	}
}

// validate checks a complaint's fields (after normalize); channels lists the channels this
// way of lodging accepts. HTML and script are kept as the text they are: the console and the
// portal escape it on output and never render it as markup.
func (in *ComplaintInput) validate(channels []string) error {
	v := errs.Validation{}
	if !slices.Contains(channels, in.Channel) {
		v.Add("channel", "应为 "+strings.Join(channels, "、"))
	}
	if _, ok := ComplaintCategories[in.Category]; !ok {
		v.Add("category", "应为 funds、identification、project、conduct、visit 或 other")
	}
	if !regioncode.Valid(in.RegionCode) {
		v.Add("region_code", "区划代码须为 12 位数字")
	}
	checkText(v, "subject", in.Subject, 2, maxSubject)
	checkText(v, "content", in.Content, 5, maxContent)
	checkText(v, "entity_ref", in.EntityRef, 0, maxEntityRef)
	if in.EntityType != "" && !slices.Contains(entityTypes, in.EntityType) {
		v.Add("entity_type", "应为 household、village、project、fund、person 或 other")
	}
	if !in.Anonymous {
		checkText(v, "name", in.Name, 1, maxName)
		if in.Name == "" {
			v.Add("name", "实名举报须填写姓名")
		}
		if !validPhone(in.Phone) {
			v.Add("phone", "实名举报须填写联系电话(手机 11 位或座机号码)")
		}
	}
	return v.Err()
}

// checkText requires valid UTF-8 without control characters (line breaks and tabs allowed)
// and a length in characters within [lo, hi].
func checkText(v errs.Validation, field, s string, lo, hi int) {
	if !utf8.ValidString(s) {
		v.Add(field, "含有无效字符")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			v.Add(field, "含有控制字符")
			return
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n < lo && lo == 1:
		v.Add(field, "必填")
	case n < lo:
		v.Add(field, "至少 "+strconv.Itoa(lo)+" 个字")
	case n > hi:
		v.Add(field, "不能超过 "+strconv.Itoa(hi)+" 个字")
	}
}

// validPhone accepts a mobile number (11 digits starting with 1) or a landline (digits and one
// dash, 7 to 13 digits).
func validPhone(s string) bool {
	digits, dashes := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i > 0 && i < len(s)-1:
			dashes++
		default:
			return false
		}
	}
	if dashes == 0 && digits == 11 && s[0] == '1' {
		return true
	}
	return dashes <= 1 && digits >= 7 && digits <= 13
}

// matterKey identifies the matter a complaint is about, so the first, second and third
// complaints on one matter are counted: region + category + what it names (the entity
// reference, or failing that the subject), trimmed, lower-case, without spaces.
func matterKey(region, category, entityRef, subject string) string {
	ref := entityRef
	if strings.TrimSpace(ref) == "" {
		ref = subject
	}
	var b strings.Builder
	for _, r := range strings.ToLower(ref) {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return region + "|" + category + "|" + b.String()
}

// ---- masking ----

// complaintDepartments are the roles a complaint can be assigned to: those that handle them.
func validComplaintDepartment(r auth.Role) bool {
	return r.Valid() && (&auth.Principal{Role: r}).Can(auth.ComplaintHandle)
}
