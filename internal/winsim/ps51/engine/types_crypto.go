package engine

import (
	"bytes"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/ps51/value"
)

// Cryptography and streams: SHA256, HMACSHA256, Aes (CBC, PKCS#7), RNGCryptoServiceProvider,
// MemoryStream and GZipStream (.NET Framework 4.x System.Security.Cryptography and System.IO). The
// GZip bytes are Go's compress/gzip, not byte-identical to .NET's, but any gzip reader reads them.

func disposedError(name string) error {
	return dotnetError("System.ObjectDisposedException", "Cannot access a disposed object.\r\nObject name: '"+name+"'.")
}

// hashValue is SHA256 (from [Security.Cryptography.SHA256]::Create()) or HMACSHA256.
type hashValue struct {
	hmac     bool
	key      []byte
	h        hash.Hash
	final    []byte
	disposed bool
}

func (h *hashValue) TypeName() string {
	if h.hmac {
		return "System.Security.Cryptography.HMACSHA256"
	}
	return "System.Security.Cryptography.SHA256CryptoServiceProvider"
}
func (h *hashValue) TypeNames() []string {
	return []string{h.TypeName(), "System.Security.Cryptography.HashAlgorithm"}
}
func (h *hashValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "hash":
		if h.final == nil {
			return nil, true
		}
		return byteArray(h.final), true
	case "hashsize":
		return int32(256), true
	case "key":
		if h.hmac {
			return byteArray(h.key), true
		}
	}
	return nil, false
}
func (h *hashValue) ToString() string { return h.TypeName() }
func (h *hashValue) class() *class    { return hashClass }

func (h *hashValue) reset() {
	if h.hmac {
		h.h = hmac.New(sha256.New, h.key)
	} else {
		h.h = sha256.New()
	}
}

var hashClass = &class{name: "System.Security.Cryptography.HashAlgorithm",
	members: "CanReuseTransform CanTransformMultipleBlocks Hash HashSize InputBlockSize OutputBlockSize Key HashName Clear ComputeHash Dispose Initialize TransformBlock TransformFinalBlock",
	setters: map[string]setter{"key": func(_ *Session, self any, v any) error {
		h := as[*hashValue](self)
		if !h.hmac {
			return notImpl("setting Key of a hash algorithm")
		}
		b, err := toBytes(v)
		if err != nil {
			return err
		}
		h.key = b
		h.reset()
		return nil
	}},
	methods: map[string]method{
		"computehash": func(_ *Session, self any, args []any) (any, error) {
			h := as[*hashValue](self)
			if h.disposed {
				return nil, disposedError(h.TypeName())
			}
			if len(args) != 1 && len(args) != 3 {
				return nil, overload("ComputeHash", len(args))
			}
			in, err := byteArgs(args)
			if err != nil {
				return nil, err
			}
			h.reset()
			h.h.Write(in)
			h.final = h.h.Sum(nil)
			h.reset()
			return byteArray(h.final), nil
		},
		"transformblock": func(_ *Session, self any, args []any) (any, error) {
			h := as[*hashValue](self)
			if len(args) != 5 {
				return nil, overload("TransformBlock", len(args))
			}
			in, err := byteArgs(args)
			if err != nil {
				return nil, err
			}
			h.h.Write(in)
			if args[3] != nil {
				o, err := argInt(args, 4)
				if err != nil {
					return nil, err
				}
				if err := writeBytesInto(args[3], o, in); err != nil {
					return nil, err
				}
			}
			return int32(len(in)), nil //nolint:gosec // bounded by the array
		},
		"transformfinalblock": func(_ *Session, self any, args []any) (any, error) {
			h := as[*hashValue](self)
			if len(args) != 3 {
				return nil, overload("TransformFinalBlock", len(args))
			}
			in, err := byteArgs(args)
			if err != nil {
				return nil, err
			}
			h.h.Write(in)
			h.final = h.h.Sum(nil)
			h.reset()
			return byteArray(append([]byte{}, in...)), nil
		},
		"dispose": func(_ *Session, self any, _ []any) (any, error) {
			as[*hashValue](self).disposed = true
			return nil, nil
		},
		"clear": func(_ *Session, self any, _ []any) (any, error) {
			as[*hashValue](self).disposed = true
			return nil, nil
		},
		"initialize": func(_ *Session, self any, _ []any) (any, error) {
			as[*hashValue](self).reset()
			return nil, nil
		},
	}}

func sha256Type() *typeInfo {
	return &typeInfo{fullName: "System.Security.Cryptography.SHA256", statics: "Create",
		methods: map[string]staticMethod{"create": func(_ *Session, args []any) (any, error) {
			if len(args) != 0 {
				return nil, notImpl("SHA256.Create(name)")
			}
			h := &hashValue{}
			h.reset()
			return h, nil
		}}}
}

func hmacSHA256Type() *typeInfo {
	return &typeInfo{fullName: "System.Security.Cryptography.HMACSHA256", ctor: func(_ *Session, args []any) (any, error) {
		h := &hashValue{hmac: true}
		switch len(args) {
		case 0:
			h.key = make([]byte, 64)
			_, _ = rand.Read(h.key)
		case 1:
			b, err := toBytes(args[0])
			if err != nil {
				return nil, err
			}
			h.key = b
		default:
			return nil, overload("new", len(args))
		}
		h.reset()
		return h, nil
	}}
}

// aesValue is [Security.Cryptography.Aes]::Create(): AES with CBC and PKCS#7 padding (the defaults;
// other modes are not modelled).
type aesValue struct {
	key, iv []byte
}

func (a *aesValue) TypeName() string { return "System.Security.Cryptography.AesCryptoServiceProvider" }
func (a *aesValue) TypeNames() []string {
	return []string{a.TypeName(), "System.Security.Cryptography.Aes", "System.Security.Cryptography.SymmetricAlgorithm"}
}
func (a *aesValue) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "key":
		return byteArray(a.key), true
	case "iv":
		return byteArray(a.iv), true
	case "keysize":
		return int32(len(a.key) * 8), true //nolint:gosec // 128..256
	case "blocksize":
		return int32(128), true
	case "mode":
		return "CBC", true
	case "padding":
		return "PKCS7", true
	}
	return nil, false
}
func (a *aesValue) ToString() string { return a.TypeName() }
func (a *aesValue) class() *class    { return aesClass }

var aesClass = &class{name: "System.Security.Cryptography.Aes",
	members: "BlockSize FeedbackSize IV Key KeySize LegalBlockSizes LegalKeySizes Mode Padding Clear CreateDecryptor CreateEncryptor Dispose GenerateIV GenerateKey ValidKeySize",
	setters: map[string]setter{
		"key": func(_ *Session, self any, v any) error {
			b, err := toBytes(v)
			if err != nil {
				return err
			}
			if len(b) != 16 && len(b) != 24 && len(b) != 32 {
				return dotnetError("System.Security.Cryptography.CryptographicException", "Specified key is not a valid size for this algorithm.")
			}
			as[*aesValue](self).key = b
			return nil
		},
		"iv": func(_ *Session, self any, v any) error {
			b, err := toBytes(v)
			if err != nil {
				return err
			}
			if len(b) != 16 {
				return dotnetError("System.Security.Cryptography.CryptographicException", "Specified initialization vector (IV) does not match the block size for this algorithm.")
			}
			as[*aesValue](self).iv = b
			return nil
		},
	},
	methods: map[string]method{
		"createdecryptor": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 0 {
				return nil, notImpl("Aes.CreateDecryptor(key, iv)")
			}
			a := as[*aesValue](self)
			return &aesTransform{key: a.key, iv: a.iv}, nil
		},
		"createencryptor": func(_ *Session, self any, args []any) (any, error) {
			if len(args) != 0 {
				return nil, notImpl("Aes.CreateEncryptor(key, iv)")
			}
			a := as[*aesValue](self)
			return &aesTransform{key: a.key, iv: a.iv, encrypt: true}, nil
		},
		"dispose": func(*Session, any, []any) (any, error) { return nil, nil },
		"clear":   func(*Session, any, []any) (any, error) { return nil, nil },
	}}

func aesType() *typeInfo {
	return &typeInfo{fullName: "System.Security.Cryptography.Aes", statics: "Create",
		methods: map[string]staticMethod{"create": func(_ *Session, args []any) (any, error) {
			if len(args) != 0 {
				return nil, notImpl("Aes.Create(name)")
			}
			a := &aesValue{key: make([]byte, 32), iv: make([]byte, 16)}
			_, _ = rand.Read(a.key)
			_, _ = rand.Read(a.iv)
			return a, nil
		}}}
}

type aesTransform struct {
	key, iv []byte
	encrypt bool
}

func (t *aesTransform) TypeName() string            { return "System.Security.Cryptography.CryptoAPITransform" }
func (t *aesTransform) Property(string) (any, bool) { return nil, false }
func (t *aesTransform) ToString() string            { return t.TypeName() }
func (t *aesTransform) class() *class               { return aesTransformClass }

var aesTransformClass = &class{name: "System.Security.Cryptography.ICryptoTransform",
	members: "CanReuseTransform CanTransformMultipleBlocks InputBlockSize OutputBlockSize Dispose TransformBlock TransformFinalBlock",
	methods: map[string]method{
		"transformfinalblock": func(_ *Session, self any, args []any) (any, error) {
			t := as[*aesTransform](self)
			if len(args) != 3 {
				return nil, overload("TransformFinalBlock", len(args))
			}
			in, err := byteArgs(args)
			if err != nil {
				return nil, err
			}
			blk, err := aes.NewCipher(t.key)
			if err != nil {
				return nil, dotnetError("System.Security.Cryptography.CryptographicException", "Specified key is not a valid size for this algorithm.")
			}
			if t.encrypt {
				pad := 16 - len(in)%16
				p := append(append([]byte{}, in...), bytes.Repeat([]byte{byte(pad)}, pad)...)
				out := make([]byte, len(p))
				cipher.NewCBCEncrypter(blk, t.iv).CryptBlocks(out, p)
				return byteArray(out), nil
			}
			if len(in)%16 != 0 {
				return nil, dotnetError("System.Security.Cryptography.CryptographicException", "The input data is not a complete block.")
			}
			out := make([]byte, len(in))
			cipher.NewCBCDecrypter(blk, t.iv).CryptBlocks(out, in)
			if len(out) == 0 {
				return byteArray(nil), nil
			}
			pad := int(out[len(out)-1])
			if pad < 1 || pad > 16 || pad > len(out) || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
				return nil, dotnetError("System.Security.Cryptography.CryptographicException", "Padding is invalid and cannot be removed.")
			}
			return byteArray(out[:len(out)-pad]), nil
		},
		"dispose": func(*Session, any, []any) (any, error) { return nil, nil },
	}}

type rngValue struct{}

func (r *rngValue) TypeName() string {
	return "System.Security.Cryptography.RNGCryptoServiceProvider"
}
func (r *rngValue) Property(string) (any, bool) { return nil, false }
func (r *rngValue) ToString() string            { return r.TypeName() }
func (r *rngValue) class() *class {
	return &class{name: r.TypeName(), members: "Dispose GetBytes GetNonZeroBytes", methods: map[string]method{
		"getbytes": func(_ *Session, _ any, args []any) (any, error) {
			if len(args) != 1 {
				return nil, overload("GetBytes", len(args))
			}
			ta, ok := args[0].(*value.TypedArray)
			if !ok || ta.Elem != "System.Byte" {
				return nil, dotnetError("System.ArgumentNullException", "Value cannot be null.\r\nParameter name: data")
			}
			b := make([]byte, len(ta.Values))
			_, _ = rand.Read(b)
			for i, c := range b {
				ta.Values[i] = c
			}
			return nil, nil
		},
		"dispose": func(*Session, any, []any) (any, error) { return nil, nil },
	}}
}

func rngType() *typeInfo {
	return &typeInfo{fullName: "System.Security.Cryptography.RNGCryptoServiceProvider",
		ctor: func(*Session, []any) (any, error) { return &rngValue{}, nil }}
}

// memoryStream is System.IO.MemoryStream.
type memoryStream struct {
	buf    []byte
	pos    int
	closed bool
}

func (m *memoryStream) TypeName() string { return "System.IO.MemoryStream" }
func (m *memoryStream) TypeNames() []string {
	return []string{m.TypeName(), "System.IO.Stream"}
}
func (m *memoryStream) Property(name string) (any, bool) {
	switch strings.ToLower(name) {
	case "length":
		return int64(len(m.buf)), true
	case "position":
		return int64(m.pos), true
	case "canread", "canseek", "canwrite":
		return !m.closed, true
	}
	return nil, false
}
func (m *memoryStream) ToString() string { return m.TypeName() }
func (m *memoryStream) class() *class    { return memoryStreamClass }

func (m *memoryStream) Write(p []byte) (int, error) {
	if m.closed {
		return 0, disposedError("")
	}
	end := m.pos + len(p)
	if end > len(m.buf) {
		m.buf = append(m.buf, make([]byte, end-len(m.buf))...)
	}
	copy(m.buf[m.pos:], p)
	m.pos = end
	return len(p), nil
}

func (m *memoryStream) Read(p []byte) (int, error) {
	if m.pos >= len(m.buf) {
		return 0, io.EOF
	}
	n := copy(p, m.buf[m.pos:])
	m.pos += n
	return n, nil
}

// streamWrite implements Write(byte[] buffer, int offset, int count) for a Go writer.
func streamWrite(w io.Writer, args []any) (any, error) {
	if len(args) != 3 {
		return nil, overload("Write", len(args))
	}
	in, err := byteArgs(args)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(in); err != nil {
		return nil, fmt.Errorf("writing the stream: %w", err)
	}
	return nil, nil
}

// streamRead implements Read(byte[] buffer, int offset, int count).
func streamRead(r io.Reader, args []any) (any, error) {
	if len(args) != 3 {
		return nil, overload("Read", len(args))
	}
	off, err := argInt(args, 1)
	if err != nil {
		return nil, err
	}
	n, err := argInt(args, 2)
	if err != nil {
		return nil, err
	}
	if n < 0 || off < 0 {
		return nil, argOutOfRange("count", "Non-negative number required.")
	}
	buf := make([]byte, n)
	k, rerr := io.ReadFull(r, buf)
	if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
		return nil, dotnetError("System.IO.InvalidDataException", rerr.Error())
	}
	if err := writeBytesInto(args[0], off, buf[:k]); err != nil {
		return nil, err
	}
	return int32(k), nil //nolint:gosec // bounded by count
}

var memoryStreamClass = &class{name: "System.IO.MemoryStream",
	members: "CanRead CanSeek CanTimeout CanWrite Capacity Length Position ReadTimeout WriteTimeout Close CopyTo CopyToAsync Dispose Flush Read ReadByte Seek SetLength ToArray Write WriteByte WriteTo GetBuffer",
	methods: map[string]method{
		"write": func(_ *Session, self any, args []any) (any, error) { return streamWrite(as[*memoryStream](self), args) },
		"read":  func(_ *Session, self any, args []any) (any, error) { return streamRead(as[*memoryStream](self), args) },
		"toarray": func(_ *Session, self any, _ []any) (any, error) {
			return byteArray(append([]byte{}, as[*memoryStream](self).buf...)), nil
		},
		"dispose": func(_ *Session, self any, _ []any) (any, error) {
			as[*memoryStream](self).closed = true
			return nil, nil
		},
		"close": func(_ *Session, self any, _ []any) (any, error) {
			as[*memoryStream](self).closed = true
			return nil, nil
		},
		"flush": func(*Session, any, []any) (any, error) { return nil, nil },
		"seek": func(_ *Session, self any, args []any) (any, error) {
			m := as[*memoryStream](self)
			off, err := value.ToInt64(args0(args))
			if err != nil {
				return nil, err
			}
			origin := int64(0)
			if len(args) > 1 {
				if e, ok := args[1].(value.Enum); ok {
					origin = e.Value
				}
			}
			switch origin {
			case 1:
				off += int64(m.pos)
			case 2:
				off += int64(len(m.buf))
			}
			m.pos = int(off)
			return off, nil
		},
	},
	setters: map[string]setter{"position": func(_ *Session, self any, v any) error {
		n, err := value.ToInt64(v)
		if err != nil {
			return err
		}
		as[*memoryStream](self).pos = int(n)
		return nil
	}}}

func memoryStreamType() *typeInfo {
	return &typeInfo{fullName: "System.IO.MemoryStream", ctor: func(_ *Session, args []any) (any, error) {
		m := &memoryStream{}
		if len(args) == 1 {
			if _, ok := value.List(args[0]); ok {
				b, err := toBytes(args[0])
				if err != nil {
					return nil, err
				}
				m.buf = b
			}
		}
		return m, nil
	}}
}

// gzipStream is System.IO.Compression.GZipStream over a MemoryStream.
type gzipStream struct {
	base     *memoryStream
	compress bool
	w        *gzip.Writer
	r        *gzip.Reader
	closed   bool
}

func (g *gzipStream) TypeName() string            { return "System.IO.Compression.GZipStream" }
func (g *gzipStream) Property(string) (any, bool) { return nil, false }
func (g *gzipStream) ToString() string            { return g.TypeName() }
func (g *gzipStream) class() *class               { return gzipClass }

func (g *gzipStream) close() error {
	if g.closed {
		return nil
	}
	g.closed = true
	if g.w != nil {
		if err := g.w.Close(); err != nil {
			return fmt.Errorf("closing the gzip stream: %w", err)
		}
	}
	return nil
}

func (g *gzipStream) reader() (io.Reader, error) {
	if g.r == nil {
		r, err := gzip.NewReader(g.base)
		if err != nil {
			return nil, dotnetError("System.IO.InvalidDataException", "The magic number in GZip header is not correct. Make sure you are passing in a GZip stream.")
		}
		g.r = r
	}
	return g.r, nil
}

var gzipClass = &class{name: "System.IO.Compression.GZipStream",
	members: "BaseStream CanRead CanSeek CanWrite Length Position Close CopyTo Dispose Flush Read ReadByte Seek SetLength Write WriteByte",
	methods: map[string]method{
		"write": func(_ *Session, self any, args []any) (any, error) {
			g := as[*gzipStream](self)
			if !g.compress {
				return nil, dotnetError("System.InvalidOperationException", "Writing to the compression stream is not supported.")
			}
			return streamWrite(g.w, args)
		},
		"read": func(_ *Session, self any, args []any) (any, error) {
			g := as[*gzipStream](self)
			if g.compress {
				return nil, dotnetError("System.InvalidOperationException", "Reading from the compression stream is not supported.")
			}
			r, err := g.reader()
			if err != nil {
				return nil, err
			}
			return streamRead(r, args)
		},
		"copyto": func(_ *Session, self any, args []any) (any, error) {
			g := as[*gzipStream](self)
			dst, ok := args0(args).(*memoryStream)
			if !ok {
				return nil, notImpl("GZipStream.CopyTo a %s", value.TypeName(args0(args)))
			}
			r, err := g.reader()
			if err != nil {
				return nil, err
			}
			if _, err := io.Copy(dst, r); err != nil {
				return nil, dotnetError("System.IO.InvalidDataException", err.Error())
			}
			return nil, nil
		},
		"dispose": func(_ *Session, self any, _ []any) (any, error) { return nil, as[*gzipStream](self).close() },
		"close":   func(_ *Session, self any, _ []any) (any, error) { return nil, as[*gzipStream](self).close() },
		"flush":   func(*Session, any, []any) (any, error) { return nil, nil },
	}}

func gzipType() *typeInfo {
	return &typeInfo{fullName: "System.IO.Compression.GZipStream", ctor: func(_ *Session, args []any) (any, error) {
		if len(args) < 2 || len(args) > 3 {
			return nil, overload("new", len(args))
		}
		base, ok := args[0].(*memoryStream)
		if !ok {
			return nil, notImpl("a GZipStream over a %s", value.TypeName(args[0]))
		}
		mode := strings.ToLower(value.ToString(args[1]))
		g := &gzipStream{base: base}
		switch mode {
		case "compress", "1":
			g.compress = true
			g.w = gzip.NewWriter(base)
		case "decompress", "0":
		default:
			return nil, notImpl("the compression mode %s", mode)
		}
		return g, nil
	}}
}
