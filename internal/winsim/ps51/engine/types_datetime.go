package engine

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// [datetime] from strings and numbers, [datetime]::new, and date arithmetic with [TimeSpan]
// (about_Type_Conversion; .NET DateTime.Parse with the invariant culture, which PowerShell's casts use).

var dayOfWeekType = &value.EnumType{Name: "System.DayOfWeek", Members: enumMembers("Sunday Monday Tuesday Wednesday Thursday Friday Saturday")}

var (
	isoDate = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$`)
	usDate  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM|am|pm)?)?$`)
)

// parseDateTime is DateTime.Parse in the invariant culture for the forms scripts write: ISO 8601
// (with Z or an offset the result is Local time, as .NET gives it) and M/d/yyyy [h:mm[:ss] [AM|PM]];
// two-digit years are 1930-2029. Other forms fail loudly.
func (s *Session) parseDateTime(str string) (any, error) {
	t := strings.TrimSpace(str)
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	var y, mo, d, h, mi, sec, frac int
	zone := ""
	if m := isoDate.FindStringSubmatch(t); m != nil {
		y, mo, d, h, mi, sec = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])
		if m[7] != "" {
			frac = atoi((m[7] + "0000000")[:7])
		}
		zone = m[8]
	} else if m := usDate.FindStringSubmatch(t); m != nil {
		mo, d, y, h, mi, sec = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6])
		if len(m[3]) == 2 {
			if y < 30 {
				y += 2000
			} else {
				y += 1900
			}
		}
		switch strings.ToUpper(m[7]) {
		case "PM":
			if h < 12 {
				h += 12
			}
		case "AM":
			if h == 12 {
				h = 0
			}
		}
	} else {
		return nil, notImpl("parsing the date %q (only ISO 8601 and M/d/yyyy forms are modelled)", str)
	}
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return nil, &value.ConversionError{Value: str, Target: "System.DateTime", Reason: "String was not recognized as a valid DateTime."}
	}
	wall := time.Date(y, time.Month(mo), d, h, mi, sec, frac*100, time.UTC)
	local := s.Now()
	if zone == "" {
		dt := value.FromTime(wall, value.Unspecified)
		dt.Offset = local.Offset
		return dt, nil
	}
	off := 0
	if zone != "Z" {
		z := strings.ReplaceAll(zone[1:], ":", "")
		off = (atoi(z[:2])*60 + atoi(z[2:])) * 60
		if zone[0] == '-' {
			off = -off
		}
	}
	utc := value.FromTime(wall.Add(-time.Duration(off)*time.Second), value.UTC)
	return utc.ToLocalTime(local.Offset), nil
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (s *Session) convertDateTime(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return s.parseDateTime(x)
	case int32, int64:
		n, _ := value.ToInt64(x)
		return value.DateTime{Ticks: n}, nil
	}
	return value.Convert(v, "datetime")
}

// newDateTime is [datetime]::new(ticks) and (y, m, d[, h, mi, s[, ms]][, kind]).
func (s *Session) newDateTime(args []any) (any, error) {
	kind := value.Unspecified
	if n := len(args); n > 0 {
		if e, ok := args[n-1].(value.Enum); ok && e.Type.Name == "System.DateTimeKind" {
			kind = value.DateTimeKind(e.Value)
			args = args[:n-1]
		}
	}
	nums := make([]int, 0, 7)
	for _, a := range args {
		n, err := value.ToInt64(a)
		if err != nil {
			return nil, err
		}
		nums = append(nums, int(n))
	}
	switch len(nums) {
	case 1:
		return value.DateTime{Ticks: int64(nums[0]), Kind: kind}, nil
	case 3, 6, 7:
		for len(nums) < 7 {
			nums = append(nums, 0)
		}
		if nums[1] < 1 || nums[1] > 12 || nums[2] < 1 || nums[2] > daysIn(nums[0], nums[1]) || nums[3] > 23 || nums[4] > 59 || nums[5] > 59 {
			return nil, argOutOfRange("", "Year, Month, and Day parameters describe an un-representable DateTime.")
		}
		wall := time.Date(nums[0], time.Month(nums[1]), nums[2], nums[3], nums[4], nums[5], nums[6]*1e6, time.UTC)
		d := value.FromTime(wall, value.UTC)
		d.Kind = kind
		if kind != value.UTC {
			d.Offset = s.Now().Offset
		}
		return d, nil
	}
	return nil, overload("new", len(args))
}

// dateArith is DateTime - DateTime (a TimeSpan), DateTime ± TimeSpan and TimeSpan ± TimeSpan; ok is
// false when neither operand is a date or time span.
func dateArith(op string, l, r any) (any, bool, error) {
	switch a := l.(type) {
	case value.DateTime:
		switch b := r.(type) {
		case value.DateTime:
			if op == "-" {
				return timeSpan(a.Ticks - b.Ticks), true, nil
			}
		case timeSpan:
			n := int64(b)
			if op == "-" {
				n = -n
			}
			if op == "+" || op == "-" {
				d, err := a.AddTicks(n)
				return d, true, err
			}
		}
	case timeSpan:
		if b, ok := r.(timeSpan); ok {
			switch op {
			case "+":
				return a + b, true, nil
			case "-":
				return a - b, true, nil
			}
		}
	}
	return nil, false, nil
}

// parseTimeSpan is TimeSpan.Parse: [-]d, [-][d.]hh:mm[:ss[.fffffff]].
func parseTimeSpan(str string) (timeSpan, error) {
	t := strings.TrimSpace(str)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	bad := &value.ConversionError{Value: str, Target: "System.TimeSpan", Reason: "String was not recognized as a valid TimeSpan."}
	var days, h, m, sec, frac int64
	if !strings.Contains(t, ":") {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return 0, bad
		}
		days = n
	} else {
		if i := strings.IndexByte(t, '.'); i >= 0 && i < strings.IndexByte(t, ':') {
			n, err := strconv.ParseInt(t[:i], 10, 64)
			if err != nil {
				return 0, bad
			}
			days, t = n, t[i+1:]
		}
		parts := strings.Split(t, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return 0, bad
		}
		if len(parts) == 3 {
			if i := strings.IndexByte(parts[2], '.'); i >= 0 {
				f := (parts[2][i+1:] + "0000000")[:7]
				frac, _ = strconv.ParseInt(f, 10, 64)
				parts[2] = parts[2][:i]
			}
		}
		var vals [3]int64
		for i, p := range parts {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return 0, bad
			}
			vals[i] = n
		}
		h, m, sec = vals[0], vals[1], vals[2]
		if h > 23 || m > 59 || sec > 59 {
			return 0, &value.ConversionError{Value: str, Target: "System.TimeSpan", Reason: "The TimeSpan could not be parsed because at least one of the numeric components is out of range or contains too many digits."}
		}
	}
	ticks := ((days*24+h)*60+m)*60*ticksPerSecond + sec*ticksPerSecond + frac
	if neg {
		ticks = -ticks
	}
	return timeSpan(ticks), nil
}

func convertTimeSpan(v any) (any, error) {
	switch x := v.(type) {
	case timeSpan:
		return x, nil
	case string:
		return parseTimeSpan(x)
	case nil:
		return timeSpan(0), nil
	case int32, int64, uint8:
		n, _ := value.ToInt64(x)
		return timeSpan(n), nil
	}
	return nil, &value.ConversionError{Value: value.DotNetString(v), Source: value.TypeName(v), Target: "System.TimeSpan"}
}
