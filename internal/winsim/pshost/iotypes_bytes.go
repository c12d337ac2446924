package pshost

import (
	"fmt"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// bytesToPS is a byte[] as the engine holds it.
func bytesToPS(b []byte) *value.TypedArray {
	out := make(value.Array, len(b))
	for i, x := range b {
		out[i] = x
	}
	return &value.TypedArray{Elem: "System.Byte", Values: out}
}

// psBytes reads a byte[] argument: a typed byte array, or an array whose elements convert to bytes.
func psBytes(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case nil:
		return nil, fmt.Errorf("a null byte array")
	}
	items, ok := value.List(v)
	if !ok {
		return nil, fmt.Errorf("a %s is not a byte array", value.TypeName(v))
	}
	out := make([]byte, len(items))
	for i, it := range items {
		b, err := value.ToByte(it)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = b
	}
	return out, nil
}

// sessionEnv is the process environment of the session ($env:), for %VAR% expansion.
func sessionEnv(s *engine.Session) map[string]string {
	if s == nil {
		return nil
	}
	return s.Env()
}
