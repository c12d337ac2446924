package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestProfiles(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"profiles"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ws2016 ", "ws23h2", "25398", "annual", "Windows Server 2022", "win11-24h2", "26100"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("profiles lacks %q", want)
		}
	}
}

func TestServeErrors(t *testing.T) {
	for args, says := range map[string]string{
		"serve --os ws20h2 --installation desktop --password x": "installation options: core",
		"serve --os nope --password x":                          "unknown profile",
		"serve --count 0 --password x":                          "--count",
		"bogus":                                                 "unknown command",
		"serve --ssh 127.0.0.1:0 --password x":                  "--state-dir",
		"serve --ssh nope --password x":                         "host:port",
	} {
		var out bytes.Buffer
		err := run(strings.Fields(args), &out, &out)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: want %q, got %v", args, says, err)
		}
	}
}

// TestServeLine runs `winsim serve --count 2` in a child process and checks the line the design fixes.
func TestServeLine(t *testing.T) {
	if os.Getenv("WINSIM_CHILD") == "1" {
		if err := run([]string{"serve", "--os", "ws23h2", "--count", "2", "--password", "x"}, os.Stdout, os.Stderr); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServeLine$")
	cmd.Env = append(os.Environ(), "WINSIM_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line := regexp.MustCompile(`^winsim: host (\d) listening on http://127\.0\.0\.1:\d+ os=ws23h2 build=25398$`)
	sc := bufio.NewScanner(out)
	for i := 0; i < 2; i++ {
		if !sc.Scan() {
			t.Fatalf("no line %d", i)
		}
		if m := line.FindStringSubmatch(sc.Text()); m == nil || m[1] != string(rune('0'+i)) {
			t.Errorf("line %q", sc.Text())
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
}
