package runner

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/wincontainers/wincontainers/internal/powershell"
	"github.com/wincontainers/wincontainers/internal/steps"
)

// Uploader pushes a file to the host (air-gapped hosts: the engine archive, the LCOW boot files).
type Uploader interface {
	Upload(ctx context.Context, src io.Reader, size int64, sha256Hex, dest string, onProgress func(powershell.Progress)) error
}

var _ Uploader = (*ScriptRunner)(nil)

// uploadLineBytes is the raw size of one base64 line on stdin. WinRM clients cut stdin into Sends of
// about MaxEnvelopeSize-1000 bytes (masterzen: 152,600), so each Send carries a couple of lines; the
// receiving script decodes and hashes line by line, never holding the file in memory.
const uploadLineBytes = 57 * 1024

// Upload streams src to dest through the receive-file script, in one process per file: base64 lines
// on stdin after the script. The host verifies the SHA-256 before the file appears at dest; the local
// side verifies the same hash of what it actually read, so a short or changed source fails too.
func (r *ScriptRunner) Upload(ctx context.Context, src io.Reader, size int64, sha256Hex, dest string, onProgress func(powershell.Progress)) error {
	want := strings.ToLower(sha256Hex)
	if len(want) != 64 {
		return fmt.Errorf("upload %s: a SHA-256 of 64 hex characters is required, got %q", dest, sha256Hex)
	}
	pr, pw := io.Pipe()
	local := sha256.New()
	var read int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, uploadLineBytes)
		enc := make([]byte, base64.StdEncoding.EncodedLen(uploadLineBytes)+1)
		for {
			n, err := io.ReadFull(src, buf)
			if n > 0 {
				local.Write(buf[:n])
				read += int64(n)
				m := base64.StdEncoding.EncodedLen(n)
				base64.StdEncoding.Encode(enc, buf[:n])
				enc[m] = '\n'
				if _, werr := pw.Write(enc[:m+1]); werr != nil {
					return
				}
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				_ = pw.Close()
				return
			}
			if err != nil {
				_ = pw.CloseWithError(fmt.Errorf("reading the upload source: %w", err))
				return
			}
		}
	}()
	_, err := r.RunWithData(ctx, "receive-file", steps.ReceiveFile{Path: dest, SHA256: want, Size: size}, pr, onProgress)
	_ = pr.Close() // unblocks the writer if the host stopped reading early
	<-done
	if err != nil {
		return fmt.Errorf("upload %s: %w", dest, err)
	}
	if got := hex.EncodeToString(local.Sum(nil)); got != want || (size > 0 && read != size) {
		return fmt.Errorf("upload %s: the local source read %d bytes with SHA-256 %s, expected %d bytes with %s", dest, read, got, size, want)
	}
	return nil
}
