package mask

import "testing"

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, name, phone string }{
		{"", "", ""},
		{"李", "*", "*"},
		{"李明", "李*", "**"},
		{" 张三明 ", "张*明", "***"},
		{"欧阳小明", "欧**明", "****"},
		{"13812345678", "1*********8", "138****5678"},
		{"1234567", "1*****7", "*******"},
	} {
		if got := Name(c.in); got != c.name {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.name)
		}
		if got := Phone(c.in); got != c.phone {
			t.Errorf("Phone(%q) = %q, want %q", c.in, got, c.phone)
		}
	}
}
