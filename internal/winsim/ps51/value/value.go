package value

// The value model. A PowerShell value is a Go value of one of these types:
//
//	nil            $null
//	bool           [bool]            System.Boolean
//	Char           [char]            System.Char
//	uint8          [byte]            System.Byte
//	int32          [int]             System.Int32
//	int64          [long]            System.Int64
//	float64        [double]          System.Double
//	Decimal        [decimal]         System.Decimal (see decimal.go: limited arithmetic)
//	string         [string]          System.String
//	Array          [object[]]        System.Object[]
//	*TypedArray    [string[]], [int[]], [byte[]], ...
//	*Hashtable     [hashtable] and [ordered] (System.Collections.Specialized.OrderedDictionary)
//	*PSObject      [pscustomobject]  System.Management.Automation.PSCustomObject
//	Enum           a value of a .NET enum type (EnumType)
//	DateTime       [datetime]        System.DateTime
//	Object         any host object the interpreter defines (services, files, List[string], ...)
//
// Go int is accepted at the entry points and treated as int32 when it fits, else int64, so that callers
// may write literals; no function returns a Go int.

// Char is a [char] (System.Char). .NET chars are UTF-16 code units; a Char holds a rune, and runes
// outside the Basic Multilingual Plane (which .NET holds as two chars) are not distinguished.
type Char rune

// Array is a PowerShell object[] (System.Object[]), the type of @(...), of the comma operator and of
// ConvertFrom-Json's arrays.
type Array []any

// Object is a value the future interpreter supplies: a host object such as a ServiceController, a
// FileInfo or a List[string]. The value layer needs only these three things of it.
type Object interface {
	// TypeName is the full .NET type name, e.g. "System.ServiceProcess.ServiceController".
	TypeName() string
	// Property gets a property by name, case-insensitively; false when there is none.
	Property(name string) (any, bool)
	// ToString is the object's .NET ToString() (used by [string] casts, -f, -join and string +).
	ToString() string
}

// Enumerable is an Object that PowerShell enumerates like an array (IEnumerable/IList): List[T],
// ArrayList, a typed array. Operators treat it as a collection (comparison filtering, -contains, -join,
// array +, ConvertTo-Json arrays).
type Enumerable interface {
	Object
	Items() []any
}

// TypeNamesOf is implemented by objects whose -is test succeeds for more than one type name (base
// classes and interfaces), e.g. a FileInfo is also a System.IO.FileSystemInfo.
type TypeNamesOf interface {
	TypeNames() []string
}

// TypedArray is a one-dimensional array of a given element type, e.g. [string[]] (Elem
// "System.String"). Its items hold values of that element type (or nil for reference element types).
type TypedArray struct {
	Elem   string
	Values Array
}

// TypeName implements Object: e.g. "System.String[]".
func (a *TypedArray) TypeName() string { return a.Elem + "[]" }

// Property implements Object: Count and Length.
func (a *TypedArray) Property(name string) (any, bool) { return arrayProperty(a.Values, name) }

// ToString implements Object: .NET's Array.ToString() is the type name.
func (a *TypedArray) ToString() string { return a.TypeName() }

// Items implements Enumerable.
func (a *TypedArray) Items() []any { return a.Values }

func arrayProperty(items []any, name string) (any, bool) {
	switch foldKey(name) {
	case "COUNT", "LENGTH":
		return int32(len(items)), true //nolint:gosec // arrays are far below 2^31 elements
	case "LONGLENGTH":
		return int64(len(items)), true
	case "RANK":
		return int32(1), true
	}
	return nil, false
}

// List returns the elements of v when PowerShell treats v as a collection (object[], a typed array, an
// Enumerable host object), and false otherwise. Strings and hashtables are not collections here: a
// hashtable is a single object to the comparison operators (about_Hash_Tables).
func List(v any) ([]any, bool) {
	switch x := v.(type) {
	case Array:
		return x, true
	case *TypedArray:
		return x.Values, true
	case Enumerable:
		return x.Items(), true
	}
	return nil, false
}

// norm maps Go int (a convenience for callers) onto int32 or int64; other values pass unchanged.
func norm(v any) any {
	if i, ok := v.(int); ok {
		if i >= -1<<31 && i <= 1<<31-1 {
			return int32(i)
		}
		return int64(i)
	}
	return v
}

// TypeName is the full .NET type name of v, as $v.GetType().FullName gives it; "" for $null.
func TypeName(v any) string {
	switch x := norm(v).(type) {
	case nil:
		return ""
	case bool:
		return "System.Boolean"
	case Char:
		return "System.Char"
	case uint8:
		return "System.Byte"
	case int32:
		return "System.Int32"
	case int64:
		return "System.Int64"
	case float64:
		return "System.Double"
	case Decimal:
		return "System.Decimal"
	case string:
		return "System.String"
	case Array:
		return "System.Object[]"
	case Enum:
		return x.Type.Name
	case DateTime:
		return "System.DateTime"
	case Object:
		return x.TypeName()
	}
	return "System.Object"
}
