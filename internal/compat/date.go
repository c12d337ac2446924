package compat

import (
	"fmt"
	"time"
)

// Date is a calendar day (UTC). The zero Date means "not published" or "not applicable".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D builds a Date.
func D(year int, month time.Month, day int) Date { return Date{Year: year, Month: month, Day: day} }

// DateOf returns the calendar day of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether the date is unknown or not applicable.
func (d Date) IsZero() bool { return d.Year == 0 }

// Before reports whether d is strictly before o. A zero date is never before anything.
func (d Date) Before(o Date) bool {
	if d.IsZero() || o.IsZero() {
		return false
	}
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// String formats the date as YYYY-MM-DD, or "" when zero.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}
