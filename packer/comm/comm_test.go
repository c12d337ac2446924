package comm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/wincontainers/wincontainers/internal/runner"
)

func TestStartThroughMockCommunicator(t *testing.T) {
	m := &packersdk.MockCommunicator{StartStdout: "out\r\n", StartStderr: "err\r\n", StartExitStatus: 3010}
	var stdout, stderr bytes.Buffer
	code, err := Adapter{Comm: m}.Start(context.Background(), "powershell.exe -EncodedCommand AAAA", &stdout, &stderr)
	if err != nil || code != 3010 || stdout.String() != "out\r\n" || stderr.String() != "err\r\n" {
		t.Fatalf("code %d err %v out %q err %q", code, err, stdout.String(), stderr.String())
	}
	if m.StartCmd.Command != "powershell.exe -EncodedCommand AAAA" || m.StartCmd.Stdin != nil {
		t.Errorf("command %q, stdin %v", m.StartCmd.Command, m.StartCmd.Stdin)
	}

	m = &packersdk.MockCommunicator{StartExitStatus: packersdk.CmdDisconnect}
	_, err = Adapter{Comm: m}.Start(context.Background(), "x", io.Discard, io.Discard)
	if !errors.Is(err, ErrDisconnected) || !runner.IsRetryable(err) {
		t.Errorf("CmdDisconnect: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m = &packersdk.MockCommunicator{}
	_, err = Adapter{Comm: m}.Start(ctx, "x", io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) || runner.IsRetryable(err) || m.StartCalled {
		t.Errorf("cancelled: %v (started %v)", err, m.StartCalled)
	}
}

// failingComm fails the way Packer's WinRM communicator does when the connection drops: Start returns
// the error (over Packer's RPC, without ever reporting an exit status), Upload returns winrmcp's text.
type failingComm struct {
	packersdk.MockCommunicator
	startErr, uploadErr error
	block               chan struct{}
}

func (c *failingComm) Start(ctx context.Context, rc *packersdk.RemoteCmd) error {
	if c.block != nil {
		return nil // never exits
	}
	return c.startErr
}

func (c *failingComm) Upload(path string, r io.Reader, fi *os.FileInfo) error {
	if c.uploadErr != nil {
		return c.uploadErr
	}
	return c.MockCommunicator.Upload(path, r, fi)
}

func TestStartErrors(t *testing.T) {
	c := &failingComm{startErr: errors.New(`Post "https://10.0.0.5:5986/wsman": EOF`)}
	done := make(chan error, 1)
	go func() {
		_, err := Adapter{Comm: c}.Start(context.Background(), "x", io.Discard, io.Discard)
		done <- err
	}()
	select {
	case err := <-done:
		var te *runner.TransportError
		if !errors.As(err, &te) || !te.Retryable || !strings.Contains(err.Error(), "EOF") {
			t.Errorf("Start error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a failed Start waited for an exit status that never comes")
	}
	// A command that never exits returns when the context ends.
	c = &failingComm{block: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := (Adapter{Comm: c}).Start(ctx, "x", io.Discard, io.Discard); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("want the deadline, got %v", err)
	}
}

func TestUploadFile(t *testing.T) {
	m := &failingComm{}
	dst := `C:\Windows\Temp\wincontainers-0123456789abcdef.in`
	if err := (Adapter{Comm: m}).UploadFile(context.Background(), dst, strings.NewReader("payload"), 7); err != nil {
		t.Fatal(err)
	}
	if m.UploadPath != dst || m.UploadData != "payload" {
		t.Errorf("uploaded %q to %q", m.UploadData, m.UploadPath)
	}
	cases := []struct {
		err       string
		retryable bool
	}{
		{"Error uploading file to $env:TEMP\\winrmcp-1.tmp: Couldn't create shell: http error: dial tcp 10.0.0.5:5986: connect: connection refused", true},
		{"Error restoring file from x to y: restore operation returned code=1", false},
		{`Post "https://10.0.0.5:5986/wsman": read tcp: connection reset by peer`, true},
	}
	for _, c := range cases {
		err := Adapter{Comm: &failingComm{uploadErr: errors.New(c.err)}}.UploadFile(context.Background(), dst, strings.NewReader("x"), 1)
		var te *runner.TransportError
		if !errors.As(err, &te) || te.Retryable != c.retryable || !strings.Contains(err.Error(), dst) {
			t.Errorf("%s: %v (retryable %v)", c.err, err, runner.IsRetryable(err))
		}
	}
	// A cancelled context stops the upload at its next read.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Adapter{Comm: &failingComm{}}.UploadFile(ctx, dst, strings.NewReader("x"), 1)
	if !errors.Is(err, context.Canceled) || runner.IsRetryable(err) {
		t.Errorf("cancelled: %v", err)
	}
	n, err := ctxReader{ctx, strings.NewReader("x")}.Read(make([]byte, 1))
	if n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("ctxReader after cancel: %d %v", n, err)
	}
}

func TestOpen(t *testing.T) {
	if _, err := Open(nil, runner.RebootOptions{}); err == nil {
		t.Error("a nil communicator was accepted")
	}
	h, err := Open(&packersdk.MockCommunicator{}, runner.RebootOptions{})
	if err != nil || h.Runner == nil || h.Rebooter == nil || h.Uploader == nil {
		t.Fatalf("%+v %v", h, err)
	}
}
