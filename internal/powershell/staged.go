package powershell

// The staged channel: library scripts for transports that cannot send stdin, such as Packer's WinRM
// communicator (packer-plugin-sdk's Start ignores RemoteCmd.Stdin and logs the command line).
//
// Such a transport can still upload a file, so the script body could travel as a file. But its upload,
// winrmcp, itself writes the file with cmd.exe commands `echo <base64> >> "%TEMP%\winrmcp-<uuid>.tmp"`,
// and Windows can log those command lines (process creation auditing, Sysmon) as it can log ours: a
// plain staged file would put the base64 of the parameters, secrets included, on command lines after
// all. So the staged body is encrypted with a one-time key the host makes:
//
//  1. The command line is the usual `powershell.exe ... -EncodedCommand`, whose decoded text is two
//     generated assignments, `$WcIn = 'C:\Windows\Temp\wincontainers-<16 hex>.in'` and
//     `$WcWait = <seconds>`, then bootstrap-staged.ps1. The path is random hex, never user data.
//  2. That process makes a 64-byte key (RNGCryptoServiceProvider) and prints it, first, as the stdout
//     line `##wincontainers:key <base64>`. It travels only in the WinRM response, never on a command
//     line, and lives only in this process's memory.
//  3. The controller frames the script exactly as for stdin (Stdin), encrypts the frame with
//     AES-256-CBC under key[0:32] and a random IV, appends HMAC-SHA256 under key[32:64] of IV and
//     ciphertext, and uploads IV || ciphertext || MAC to $WcIn with the transport's upload.
//  4. The process polls until it can read the whole file: winrmcp writes it through
//     [IO.File]::OpenWrite, which holds it with FileShare.None until it is complete, so
//     [IO.File]::ReadAllBytes fails with a sharing violation until then. It deletes the file before
//     anything else, checks the MAC, decrypts, checks the frame, and runs the body as one script
//     block, exactly as the stdin bootstrap does: `exit $LASTEXITCODE` keeps 0, 3010 and failures.
//     Its own failures (nothing arrived within $WcWait seconds, a changed or truncated file) exit 2
//     with a `wincontainers:` line on stderr, as the stdin bootstrap's do.
//
// A file the host never reads (it restarted between the upload and the read) stays in C:\Windows\Temp,
// sealed under a key that existed only in the process that ended.
//
// Why not `cmd /c powershell ... < file & del file`: the file would stay on disk while the script
// runs (through a restart, even), and the exit code would be del's unless cmd's delayed expansion
// carried it; PowerShell reading and deleting the file itself keeps both exact.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	// StagedBootstrapMarker identifies the staged bootstrap after -EncodedCommand is decoded.
	StagedBootstrapMarker = "# wincontainers:bootstrap-staged/1"
	// KeyPrefix starts the staged bootstrap's first stdout line, which carries the one-time key.
	KeyPrefix = "##wincontainers:key "
	// StagedKeySize is the key's length: 32 bytes for AES-256, 32 for HMAC-SHA256.
	StagedKeySize = 64
	// StagedDir is where staged scripts are written. Packer's own provisioners use it too
	// (c:/Windows/Temp/script-<uuid>.ps1); winrmcp's restore takes the path literally.
	StagedDir = `C:\Windows\Temp`
	// DefaultStagedWait is how long the host waits for the staged file after printing the key.
	DefaultStagedWait = 5 * time.Minute
)

var stagedPath = regexp.MustCompile(`^C:\\Windows\\Temp\\wincontainers-[0-9a-f]{16}\.in$`)

// StagedBootstrap returns the staged bootstrap's text (without its generated prelude).
func (l *Library) StagedBootstrap() string { return l.staged }

// NewStagedPath returns a fresh random path for one staged script.
func NewStagedPath() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a staged script path: %w", err)
	}
	return StagedDir + `\wincontainers-` + hex.EncodeToString(b[:]) + ".in", nil
}

// MaxStale is how many stale staged paths one staged command line carries for deletion.
const MaxStale = 8

// StagedCommandLine is the command that runs the staged bootstrap for a script staged at path (from
// NewStagedPath), waiting up to wait for it. It carries no script text and no parameter. stale are the
// paths of earlier staged scripts whose bootstrap may never have read them (a restart or a lost
// connection ended the command after the upload): the bootstrap deletes them before it waits (at most
// MaxStale; each must be a path NewStagedPath makes).
func StagedCommandLine(l *Library, path string, wait time.Duration, stale ...string) (string, error) {
	if !stagedPath.MatchString(path) {
		return "", fmt.Errorf("staged script path %q is not one NewStagedPath makes", path)
	}
	if len(stale) > MaxStale {
		return "", fmt.Errorf("%d stale staged paths, at most %d per command", len(stale), MaxStale)
	}
	quoted := make([]string, 0, len(stale))
	for _, p := range stale {
		if !stagedPath.MatchString(p) {
			return "", fmt.Errorf("stale staged path %q is not one NewStagedPath makes", p)
		}
		quoted = append(quoted, "'"+p+"'")
	}
	if wait <= 0 {
		wait = DefaultStagedWait
	}
	secs := int64((wait + time.Second - 1) / time.Second)
	text := "$WcIn = '" + path + "'\n$WcWait = " + strconv.FormatInt(secs, 10) + "\n$WcStale = @(" + strings.Join(quoted, ",") + ")\n" + l.staged
	return CommandLine(text), nil
}

// SealStaged encrypts a stdin frame (Stdin) for the staged bootstrap under its one-time key:
// IV || AES-256-CBC(PKCS#7) || HMAC-SHA256(IV || ciphertext).
func SealStaged(key, frame []byte) ([]byte, error) {
	if len(key) != StagedKeySize {
		return nil, fmt.Errorf("staged key: %d bytes, want %d", len(key), StagedKeySize)
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, fmt.Errorf("staged key: %w", err)
	}
	pad := aes.BlockSize - len(frame)%aes.BlockSize
	out := make([]byte, aes.BlockSize+len(frame)+pad, aes.BlockSize+len(frame)+pad+sha256.Size)
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		return nil, fmt.Errorf("staged IV: %w", err)
	}
	body := out[aes.BlockSize:]
	copy(body, frame)
	for i := len(frame); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(body, body)
	mac := hmac.New(sha256.New, key[32:])
	mac.Write(out)
	return mac.Sum(out), nil
}

// ErrStagedTampered is returned (wrapped) by OpenStaged for a blob that does not authenticate.
var ErrStagedTampered = errors.New("the staged script was changed or truncated")

// OpenStaged reverses SealStaged (the host's side; tests use it).
func OpenStaged(key, blob []byte) ([]byte, error) {
	if len(key) != StagedKeySize {
		return nil, fmt.Errorf("staged key: %d bytes, want %d", len(key), StagedKeySize)
	}
	n := len(blob) - aes.BlockSize - sha256.Size
	if n < aes.BlockSize || n%aes.BlockSize != 0 {
		return nil, ErrStagedTampered
	}
	mac := hmac.New(sha256.New, key[32:])
	mac.Write(blob[:aes.BlockSize+n])
	if !hmac.Equal(mac.Sum(nil), blob[aes.BlockSize+n:]) {
		return nil, ErrStagedTampered
	}
	block, err := aes.NewCipher(key[:32])
	if err != nil {
		return nil, fmt.Errorf("staged key: %w", err)
	}
	out := make([]byte, n)
	cipher.NewCBCDecrypter(block, blob[:aes.BlockSize]).CryptBlocks(out, blob[aes.BlockSize:aes.BlockSize+n])
	pad := int(out[n-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, ErrStagedTampered
	}
	for _, b := range out[n-pad:] {
		if int(b) != pad {
			return nil, ErrStagedTampered
		}
	}
	return out[:n-pad], nil
}
