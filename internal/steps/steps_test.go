package steps

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// EachArchive sees containerd's archives in push order and changes a copy only; a failure stops it.
func TestEachArchive(t *testing.T) {
	p := InstallContainerd{Version: "2.1.2", CheckedArchive: CheckedArchive{Archive: Archive{URL: "c"}},
		Nerdctl: CheckedArchive{Archive: Archive{URL: "n"}}, CNI: Archive{URL: "cni"}}
	var seen []string
	out, err := EachArchive(p, func(a *Archive) error {
		seen = append(seen, a.URL)
		a.SHA256 = "h-" + a.URL
		return nil
	})
	if err != nil || !slices.Equal(seen, []string{"c", "cni", "n"}) {
		t.Fatalf("seen %v: %v", seen, err)
	}
	got, ok := out.(InstallContainerd)
	if !ok || got.SHA256 != "h-c" || got.Nerdctl.SHA256 != "h-n" || got.CNI.SHA256 != "h-cni" {
		t.Errorf("copy %+v", out)
	}
	if p.SHA256 != "" || p.Nerdctl.SHA256 != "" || p.CNI.SHA256 != "" {
		t.Errorf("the original changed: %+v", p)
	}
	stop := errors.New("no uploader")
	if _, err := EachArchive(InstallDocker{}, func(*Archive) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("error %v", err)
	}
	if q, err := EachArchive(StartService{Service: "docker"}, func(*Archive) error { return stop }); err != nil || q != (StartService{Service: "docker"}) {
		t.Errorf("no archives: %v %v", q, err)
	}
}

// The controller's file never travels: Push is not part of the document.
func TestPushIsNotSent(t *testing.T) {
	b, err := json.Marshal(InstallLCOW{Archive: Archive{URL: "u", ArchivePath: `C:\x.zip`, Push: &Push{File: "/home/me/secret-path.zip", Setting: "lcow.archive"}}})
	if err != nil || strings.Contains(string(b), "secret-path") || strings.Contains(string(b), "lcow.archive") {
		t.Errorf("%s: %v", b, err)
	}
}
