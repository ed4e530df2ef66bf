package oversight

import "time"

// Working days (工作日) for complaint deadlines: Monday to Friday, less the public holidays,
// plus the weekend days worked in exchange (调休上班). The table is data: add a year's lines
// when the State Council publishes its arrangement (国务院办公厅关于部分节假日安排的通知);
// a year without lines counts weekdays only.
var (
	// holidays are days off that fall on a weekday or weekend (listing the weekend ones too
	// keeps the table readable against the notice).
	holidays = dateSet(
		// 2026: 元旦 1.1–1.3; 春节 2.15–2.23; 清明 4.4–4.6; 劳动节 5.1–5.5; 端午 6.19–6.21;
		// 中秋 9.25–9.27; 国庆 10.1–10.7.
		"2026-01-01", "2026-01-02", "2026-01-03",
		"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06",
		"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
		"2026-06-19", "2026-06-20", "2026-06-21",
		"2026-09-25", "2026-09-26", "2026-09-27",
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
	)
	// makeupDays are Saturdays and Sundays that are working days.
	makeupDays = dateSet(
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	)
)

func dateSet(days ...string) map[string]bool {
	m := make(map[string]bool, len(days))
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			panic("workdays: bad date " + d)
		}
		m[d] = true
	}
	return m
}

// IsWorkday reports whether the calendar day of t (its year, month and day as given) is a
// working day.
func IsWorkday(t time.Time) bool {
	d := t.Format(time.DateOnly)
	if makeupDays[d] {
		return true
	}
	if holidays[d] {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the date (YYYY-MM-DD) that is n working days after the date day: the day
// itself never counts, so a complaint received on a Friday with n = 1 is due the next working
// day. n ≤ 0 gives day back. day must be YYYY-MM-DD.
func AddWorkdays(day string, n int) (string, error) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", err
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if IsWorkday(t) {
			n--
		}
	}
	return t.Format(time.DateOnly), nil
}

// Workdays counts the working days after from up to and including to (0 when to ≤ from).
func Workdays(from, to string) (int, error) {
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return 0, err
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return 0, err
	}
	n := 0
	for a.Before(b) {
		a = a.AddDate(0, 0, 1)
		if IsWorkday(a) {
			n++
		}
	}
	return n, nil
}
