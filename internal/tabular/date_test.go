package tabular

import (
	"errors"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestParseDate(t *testing.T) {
	ok := map[string]string{
		"2024-02-29":                "2024-02-29",
		"2024/2/9":                  "2024-02-09",
		"2024-12-31":                "2024-12-31",
		" 20240131 ":                "2024-01-31",
		"45123":                     "2023-07-16",
		"45123.75":                  "2023-07-16",
		"10000":                     "1927-05-18",
		"2024-01-31 00:00:00":       "2024-01-31",
		"2024-01-31T08:30:00Z":      "2024-01-31",
		"2024-01-31 08:30":          "2024-01-31",
		"2024/01/31 23:59:59.5":     "2024-01-31",
		"2024-01-31T08:30:00+08:00": "2024-01-31",
		"1900-01-01":                "1900-01-01",
	}
	for in, want := range ok {
		got, err := ParseDate(in)
		if err != nil || got.Format("2006-01-02") != want || got.Hour() != 0 || got.Location().String() != "UTC" {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	// Agree with excelize on the serial epoch over the whole accepted range.
	for n := 10000; n <= 99999; n += 997 {
		s := strconv.Itoa(n)
		want, err := excelize.ExcelDateToTime(float64(n), false)
		got, err2 := ParseDate(s)
		if err != nil || err2 != nil || !got.Equal(want) {
			t.Fatalf("serial %d: got %v %v, excelize %v %v", n, got, err2, want, err)
		}
	}
	for _, in := range []string{
		"", "2023-02-29", "2023-02-30", "2023-13-01", "2023-00-10", "2023-01-00", "20230230",
		"2023", "4512", "451234", "2023-1", "2023-01-01-01", "23-01-01", "2023-001-01",
		"2023.01.01", "2023年1月1日", "2023-01-01 25:00", "2023-01-01 12", "2023-01-01 aa:bb",
		"45123.x", "1899-12-31", "２０２３-01-01", "2023/01-01", "-45123",
	} {
		_, err := ParseDate(in)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeDate {
			t.Errorf("ParseDate(%q) error = %v, want date error", in, err)
		}
	}
}
