package pshost

import (
	"strconv"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

const dockerURL = "https://download.docker.com/win/static/stable/x86_64/docker-27.3.1.zip"

func TestInvokeWebRequest(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
New-Item -ItemType Directory -Path 'C:\dl' -Force | Out-Null
Invoke-WebRequest -UseBasicParsing -Uri '`+dockerURL+`' -OutFile 'C:\dl\docker.zip'
say (Get-Item -LiteralPath 'C:\dl\docker.zip').Length
try { Invoke-WebRequest -UseBasicParsing -Uri 'https://download.docker.com/win/static/stable/x86_64/docker-99.0.0.zip' -OutFile 'C:\dl\x.zip' } catch { say $_.Exception.Message }
try { Invoke-WebRequest -UseBasicParsing -Uri 'https://example.invalid/x' -OutFile 'C:\dl\x.zip' } catch { say $_.Exception.Message }
try { Invoke-WebRequest -UseBasicParsing -Uri '`+dockerURL+`' -OutFile 'C:\nowhere\x.zip' } catch { say $_.Exception.Message }
try { Invoke-WebRequest -Uri '`+dockerURL+`' } catch { say $_.Exception.Message }`)
	f, _ := m.File(`C:\dl\docker.zip`)
	wantLines(t, got, strconv.FormatInt(f.Size, 10), "The remote server returned an error: (404) Not Found.",
		"The remote name could not be resolved: 'example.invalid'", `Could not find a part of the path 'C:\nowhere\x.zip'.`, ieDomText)
}

func TestInvokeWebRequestOffline(t *testing.T) {
	m := machine.New(machine.Config{Build: 20348, Offline: true, Clock: testClock})
	got := lines(t, m, say+`try { Invoke-WebRequest -UseBasicParsing -Uri '`+dockerURL+`' -OutFile 'C:\x.zip' } catch { say $_.Exception.Message $_.FullyQualifiedErrorId }`)
	wantLines(t, got, "The remote name could not be resolved: 'download.docker.com'", "WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand")
}

func TestExpandArchive(t *testing.T) {
	m := newTestMachine("Server Core")
	if _, err := m.Download(dockerURL, `C:\dl\docker-27.3.1.zip`); err != nil {
		t.Fatal(err)
	}
	m.SetFaults(machine.Faults{TruncateDownloads: []string{"docker-"}})
	if _, err := m.Download(dockerURL, `C:\dl\short.zip`); err != nil {
		t.Fatal(err)
	}
	m.WriteFile(`C:\dl\sums.txt`, []byte("x"))
	got := lines(t, m, say+`
Expand-Archive -LiteralPath 'C:\dl\docker-27.3.1.zip' -DestinationPath 'C:\Program Files\Docker.wincontainers-staging' -Force
say (Test-Path -LiteralPath 'C:\Program Files\Docker.wincontainers-staging\docker\dockerd.exe' -PathType Leaf)
try { Expand-Archive -LiteralPath 'C:\dl\short.zip' -DestinationPath 'C:\s2' -Force } catch { say $_.Exception.Message }
try { Expand-Archive -LiteralPath 'C:\dl\sums.txt' -DestinationPath 'C:\s3' -Force } catch { say $_.Exception.Message }
try { Expand-Archive -LiteralPath 'C:\dl\none.zip' -DestinationPath 'C:\s3' -Force } catch { say $_.Exception.Message }`)
	wantLines(t, got, "True",
		`Exception calling ".ctor" with "3" argument(s): "End of Central Directory record could not be found."`,
		".txt is not a supported archive file format. .zip is the only supported archive file format.",
		`The path 'C:\dl\none.zip' either does not exist or is not a valid file system path.`)
	if err := m.InstallEngine("docker", "27.3.1"); err != nil {
		t.Fatal(err)
	}
	installed, _ := m.File(machine.Dockerd)
	staged, _ := m.File(`C:\Program Files\Docker.wincontainers-staging\docker\dockerd.exe`)
	if installed.SHA256 != staged.SHA256 {
		t.Error("the expanded dockerd.exe is not the binary winsim's Go step installs")
	}
}

// With Desktop Experience and IE's first-run customisation disabled by policy, 5.1 would parse the
// response with IE; writing a response to the pipeline is not modelled, so the run fails loudly
// instead of giving Server Core's refusal.
func TestInvokeWebRequestDesktopIE(t *testing.T) {
	m := newTestMachine("Server")
	r := run(t, m, `try { Invoke-WebRequest -Uri '`+dockerURL+`' } catch { [Console]::Out.WriteLine($_.Exception.Message) }`)
	if r.out != ieDomText+"\n" {
		t.Errorf("first-run not complete: %q (fault %v)", r.out, r.fault)
	}
	if _, err := m.RegCreateKey(`SOFTWARE\Policies\Microsoft\Internet Explorer\Main`); err != nil {
		t.Fatal(err)
	}
	if err := m.RegSetValue(`SOFTWARE\Policies\Microsoft\Internet Explorer\Main`, machine.RegValue{Name: "DisableFirstRunCustomize", Kind: machine.RegDWord, Data: uint32(1)}); err != nil {
		t.Fatal(err)
	}
	if r := run(t, m, `Invoke-WebRequest -Uri '`+dockerURL+`'`); r.fault == nil {
		t.Errorf("a response object was made: %+v", r)
	}
}
