package crosscheck

import (
	"testing"
	"unicode/utf8"
)

// Whatever a template, a dataset or a dispatch note puts in a text, what reaches the phone has
// no ID number left in it, whole or masked.
func FuzzWithoutIDNumbers(f *testing.F) {
	for _, s := range []string{"成员 张三(320921********1234) 名下登记小型汽车", "身份证号 32092119900307001X 在车辆中",
		"32092119900307001()X", "(（)）", "********************", "", "苏J12345,2025-06-01,80000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := WithoutIDNumbers(in)
		if idNumberPattern.MatchString(out) {
			t.Fatalf("WithoutIDNumbers(%q) = %q still holds an ID number", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("WithoutIDNumbers(%q) = %q is not valid UTF-8", in, out)
		}
		if len(out) > len(in) || out != WithoutIDNumbers(out) {
			t.Fatalf("WithoutIDNumbers(%q) = %q: longer, or not stable", in, out)
		}
	})
}
