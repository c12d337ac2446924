package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DateTimeKind is System.DateTimeKind.
type DateTimeKind int

// The kinds, with .NET's values.
const (
	Unspecified DateTimeKind = 0
	UTC         DateTimeKind = 1
	Local       DateTimeKind = 2
)

// ticksPerSecond and friends are .NET's tick units (a tick is 100 ns).
const (
	ticksPerMillisecond = int64(10_000)
	ticksPerSecond      = 1000 * ticksPerMillisecond
	// unixEpochTicks is new DateTime(1970, 1, 1).Ticks.
	unixEpochTicks = int64(621_355_968_000_000_000)
	maxTicks       = int64(3_155_378_975_999_999_999)
)

// DateTime is a System.DateTime: Ticks since 0001-01-01T00:00:00 in the value's own clock, its Kind,
// and, because the value layer has no time zone database, Offset: the host's UTC offset (in ticks) that
// applies to this instant, used when a Local or Unspecified value is converted to UTC
// (ToUniversalTime treats Unspecified as Local, as .NET does) and by the "o" format's offset. The
// interpreter sets Offset from the simulated host's time zone; it is zero for UTC values.
type DateTime struct {
	Ticks  int64
	Kind   DateTimeKind
	Offset int64
}

// FromTime converts a Go time to a DateTime of the given kind. For Local, the time's zone offset
// becomes Offset and Ticks are local clock ticks; for UTC the time is taken in UTC.
func FromTime(t time.Time, kind DateTimeKind) DateTime {
	if kind == UTC {
		t = t.UTC()
	}
	_, off := t.Zone()
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	ticks := wall.Unix()*ticksPerSecond + int64(wall.Nanosecond())/100 + unixEpochTicks
	d := DateTime{Ticks: ticks, Kind: kind}
	if kind != UTC {
		d.Offset = int64(off) * ticksPerSecond
	}
	return d
}

// Time converts to a Go time in UTC (Local and Unspecified values shifted by Offset).
func (d DateTime) Time() time.Time {
	u := d.ToUniversalTime()
	t := u.Ticks - unixEpochTicks
	return time.Unix(t/ticksPerSecond, (t%ticksPerSecond)*100).UTC()
}

// ToUniversalTime is .ToUniversalTime(): a UTC value is unchanged; others are shifted by Offset.
func (d DateTime) ToUniversalTime() DateTime {
	if d.Kind == UTC {
		return d
	}
	return DateTime{Ticks: d.Ticks - d.Offset, Kind: UTC}
}

// ToLocalTime is .ToLocalTime() given the host's offset for that instant.
func (d DateTime) ToLocalTime(offset int64) DateTime {
	if d.Kind == Local {
		return d
	}
	u := d.ToUniversalTime()
	return DateTime{Ticks: u.Ticks + offset, Kind: Local, Offset: offset}
}

// AddTicks returns the value moved by n ticks; an out-of-range result is an error with .NET's message.
func (d DateTime) AddTicks(n int64) (DateTime, error) {
	t := d.Ticks + n
	if (n > 0 && t < d.Ticks) || t < 0 || t > maxTicks {
		return DateTime{}, &RuntimeError{ID: "ArgumentOutOfRangeException",
			Message: "The added or subtracted value results in an un-representable DateTime.\r\nParameter name: value"}
	}
	d.Ticks = t
	return d, nil
}

// AddSeconds is .AddSeconds(v). .NET Framework rounds the argument to whole milliseconds
// (DateTime.Add(value, scale) adds 0.5 away from zero and truncates). inferred: .NET Framework 4.x
// reference behaviour; .NET Core 3.0+ no longer rounds.
func (d DateTime) AddSeconds(v float64) (DateTime, error) { return d.addScaled(v, 1000) }

// AddMilliseconds is .AddMilliseconds(v), rounded to whole milliseconds like AddSeconds.
func (d DateTime) AddMilliseconds(v float64) (DateTime, error) { return d.addScaled(v, 1) }

// AddDays is .AddDays(v), rounded to whole milliseconds like AddSeconds.
func (d DateTime) AddDays(v float64) (DateTime, error) { return d.addScaled(v, 86_400_000) }

func (d DateTime) addScaled(v float64, scale float64) (DateTime, error) {
	ms := v * scale
	if ms >= 0 {
		ms += 0.5
	} else {
		ms -= 0.5
	}
	if math.IsNaN(ms) || ms <= -315537897600000 || ms >= 315537897600000 {
		return DateTime{}, &RuntimeError{ID: "ArgumentOutOfRangeException",
			Message: "Value to add was out of range.\r\nParameter name: value"}
	}
	return d.AddTicks(int64(ms) * ticksPerMillisecond)
}

// Compare orders two DateTimes by Ticks alone, ignoring Kind, as DateTime.CompareTo does.
func (d DateTime) Compare(o DateTime) int {
	switch {
	case d.Ticks < o.Ticks:
		return -1
	case d.Ticks > o.Ticks:
		return 1
	}
	return 0
}

// civil splits the ticks into calendar fields.
func (d DateTime) civil() time.Time {
	t := d.Ticks - unixEpochTicks
	sec := t / ticksPerSecond
	rem := t % ticksPerSecond
	if rem < 0 {
		rem += ticksPerSecond
		sec--
	}
	return time.Unix(sec, rem*100).UTC()
}

// TypeName implements Object.
func (d DateTime) TypeName() string { return "System.DateTime" }

// Property implements Object: the properties the scripts read.
func (d DateTime) Property(name string) (any, bool) {
	c := d.civil()
	switch foldKey(name) {
	case "TICKS":
		return d.Ticks, true
	case "KIND":
		return Enum{Type: dateTimeKindType(), Value: int64(d.Kind)}, true
	case "YEAR":
		return int32(c.Year()), true //nolint:gosec // years are 1..9999
	case "MONTH":
		return int32(c.Month()), true
	case "DAY":
		return int32(c.Day()), true //nolint:gosec // days are 1..31
	case "HOUR":
		return int32(c.Hour()), true //nolint:gosec // hours are 0..23
	case "MINUTE":
		return int32(c.Minute()), true //nolint:gosec // minutes are 0..59
	case "SECOND":
		return int32(c.Second()), true //nolint:gosec // seconds are 0..59
	case "MILLISECOND":
		return int32(c.Nanosecond() / 1e6), true //nolint:gosec // 0..999
	}
	return nil, false
}

func dateTimeKindType() *EnumType {
	return &EnumType{Name: "System.DateTimeKind", Members: []EnumMember{{"Unspecified", 0}, {"Utc", 1}, {"Local", 2}}}
}

// ToString implements Object: DateTime.ToString() in the current culture, en-US "G"
// ("M/d/yyyy h:mm:ss tt"). This is what -f's {0} and .ToString() give; PowerShell's own [string]
// conversion uses the invariant culture instead (see ToString in tostring.go).
func (d DateTime) ToString() string {
	s, err := d.Format("G")
	if err != nil {
		return ""
	}
	return s
}

// Format is DateTime.ToString(format) in the en-US culture (assumed current culture): the standard
// formats o/O, s, u, d, D, t, T, g, G, and the custom specifiers yyyy yy y MM M dd d HH H hh h mm m ss s
// f..fffffff F..FFFFFFF tt t K zzz zz z, quoted literals and backslash escapes (.NET "Standard date and
// time format strings" and "Custom date and time format strings"). Other specifiers (month and day
// names, era) are reported as unsupported.
func (d DateTime) Format(f string) (string, error) {
	if len(f) == 1 {
		switch f[0] {
		case 'o', 'O':
			return d.Format("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK")
		case 's':
			return d.Format("yyyy'-'MM'-'dd'T'HH':'mm':'ss")
		case 'u':
			return d.ToUniversalTime().Format("yyyy'-'MM'-'dd HH':'mm':'ss'Z'")
		case 'd':
			return d.Format("M/d/yyyy")
		case 't':
			return d.Format("h:mm tt")
		case 'T':
			return d.Format("h:mm:ss tt")
		case 'g':
			return d.Format("M/d/yyyy h:mm tt")
		case 'G':
			return d.Format("M/d/yyyy h:mm:ss tt")
		}
		return "", &RuntimeError{ID: "FormatException", Message: "Input string was not in a correct format."}
	}
	c := d.civil()
	var b strings.Builder
	rs := []rune(f)
	for i := 0; i < len(rs); {
		ch := rs[i]
		n := 1
		for i+n < len(rs) && rs[i+n] == ch {
			n++
		}
		switch ch {
		case 'y':
			y := c.Year()
			switch n {
			case 1:
				b.WriteString(strconv.Itoa(y % 100))
			case 2:
				fmt.Fprintf(&b, "%02d", y%100)
			default:
				fmt.Fprintf(&b, "%0*d", n, y)
			}
		case 'M':
			if n > 2 {
				return "", unsupportedFormat(f, "MMM")
			}
			pad(&b, int(c.Month()), n)
		case 'd':
			if n > 2 {
				return "", unsupportedFormat(f, "ddd")
			}
			pad(&b, c.Day(), n)
		case 'H':
			pad(&b, c.Hour(), min(n, 2))
		case 'h':
			h := c.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(&b, h, min(n, 2))
		case 'm':
			pad(&b, c.Minute(), min(n, 2))
		case 's':
			pad(&b, c.Second(), min(n, 2))
		case 'f', 'F':
			if n > 7 {
				return "", &RuntimeError{ID: "FormatException", Message: "Input string was not in a correct format."}
			}
			frac := fmt.Sprintf("%07d", (d.Ticks%ticksPerSecond+ticksPerSecond)%ticksPerSecond)[:n]
			if ch == 'F' {
				frac = strings.TrimRight(frac, "0")
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if c.Hour() >= 12 {
				ampm = "PM"
			}
			if n == 1 {
				ampm = ampm[:1]
			}
			b.WriteString(ampm)
		case 'K':
			for range n {
				b.WriteString(d.kindSuffix())
			}
		case 'z':
			off := d.Offset
			if d.Kind == UTC {
				off = 0
			}
			sign := "+"
			if off < 0 {
				sign, off = "-", -off
			}
			hh, mm := off/(3600*ticksPerSecond), off/(60*ticksPerSecond)%60
			switch n {
			case 1:
				fmt.Fprintf(&b, "%s%d", sign, hh)
			case 2:
				fmt.Fprintf(&b, "%s%02d", sign, hh)
			default:
				fmt.Fprintf(&b, "%s%02d:%02d", sign, hh, mm)
			}
		case '\'', '"':
			j := i + 1
			for j < len(rs) && rs[j] != ch {
				j++
			}
			if j >= len(rs) {
				return "", &RuntimeError{ID: "FormatException", Message: fmt.Sprintf(
					"Cannot find a matching quote character for the character '%c'.", ch)}
			}
			b.WriteString(string(rs[i+1 : j]))
			i = j + 1
			continue
		case '\\':
			if i+1 < len(rs) {
				b.WriteRune(rs[i+1])
			}
			i += 2
			continue
		case 'g', 'E':
			return "", unsupportedFormat(f, string(ch))
		default:
			for range n {
				b.WriteRune(ch)
			}
		}
		i += n
	}
	return b.String(), nil
}

func (d DateTime) kindSuffix() string {
	switch d.Kind {
	case UTC:
		return "Z"
	case Local:
		off := d.Offset
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		return fmt.Sprintf("%s%02d:%02d", sign, off/(3600*ticksPerSecond), off/(60*ticksPerSecond)%60)
	}
	return ""
}

func pad(b *strings.Builder, v, n int) {
	if n >= 2 {
		fmt.Fprintf(b, "%02d", v)
		return
	}
	b.WriteString(strconv.Itoa(v))
}

func unsupportedFormat(f, spec string) error {
	return &NotModelledError{What: fmt.Sprintf("date/time format specifier %q (in %q)", spec, f)}
}

// invariantString is PowerShell's [string] conversion of a DateTime: the invariant culture's "G"
// pattern, "MM/dd/yyyy HH:mm:ss" (inferred: LanguagePrimitives converts with
// CultureInfo.InvariantCulture; "$(Get-Date)" shows e.g. 01/13/2012 20:06:16 in 5.1).
func (d DateTime) invariantString() string {
	s, err := d.Format("MM/dd/yyyy HH:mm:ss")
	if err != nil {
		return ""
	}
	return s
}
