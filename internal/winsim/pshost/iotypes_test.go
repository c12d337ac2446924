package pshost

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

func fileOfSize(n int64) machine.File {
	return machine.File{Size: n, SHA256: "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"}
}

func TestFileWriteAllTextEncodings(t *testing.T) {
	m := newTestMachine("Server Core")
	lines(t, m, say+`
New-Item -ItemType Directory -Path 'C:\w' -Force | Out-Null
[IO.File]::WriteAllText('C:\w\nobom.json', 'é', (New-Object Text.UTF8Encoding $false))
[IO.File]::WriteAllText('C:\w\bom.json', 'é', [Text.Encoding]::UTF8)
[IO.File]::WriteAllText('C:\w\default.json', 'é')
[IO.File]::WriteAllText('C:\w\ascii.toml', 'é', [Text.Encoding]::ASCII)
say ok`)
	for path, want := range map[string][]byte{`C:\w\nobom.json`: {0xC3, 0xA9}, `C:\w\bom.json`: {0xEF, 0xBB, 0xBF, 0xC3, 0xA9},
		`C:\w\default.json`: {0xC3, 0xA9}, `C:\w\ascii.toml`: {'?'}} {
		if f, _ := m.File(path); !bytes.Equal(f.Content, want) {
			t.Errorf("%s = % x, want % x", path, f.Content, want)
		}
	}
	r := run(t, m, `try { [IO.File]::WriteAllText('C:\nowhere\x.json', 'x') } catch { [Console]::Out.WriteLine($_.Exception.Message) }`)
	if r.out != "Exception calling \"WriteAllText\" with \"2\" argument(s): \"Could not find a part of the path 'C:\\nowhere\\x.json'.\"\n" {
		t.Errorf("WriteAllText without a folder: %q (fault %v)", r.out, r.fault)
	}
}

// include/replace.ps1's Move-WcReplace: [IO.File]::Replace needs the target, Move refuses one.
func TestFileMoveAndReplace(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\d\new`, []byte("new"))
	m.WriteFile(`C:\d\old`, []byte("old"))
	got := lines(t, m, say+`
try { [IO.File]::Move('C:\d\new', 'C:\d\old') } catch { say $_.Exception.Message }
try { [IO.File]::Replace('C:\d\new', 'C:\d\none', $null) } catch { say $_.Exception.Message }
[IO.File]::Replace('C:\d\new', 'C:\d\old', $null)
say ([IO.File]::ReadAllText('C:\d\old')) (Test-Path -LiteralPath 'C:\d\new')
try { [IO.File]::ReadAllBytes('C:\d\new') } catch { say $_.Exception.Message }`)
	wantLines(t, got,
		`Exception calling "Move" with "2" argument(s): "Cannot create a file when that file already exists."`,
		`Exception calling "Replace" with "3" argument(s): "Could not find file 'C:\d\none'."`,
		"new", "False",
		`Exception calling "ReadAllBytes" with "1" argument(s): "Could not find file 'C:\d\new'."`)
}

// receive-file's stream: Open(Create, Write), Write, Dispose; the file is complete only when closed.
func TestFileOpenStream(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
New-Item -ItemType Directory -Path 'C:\up' -Force | Out-Null
$s = [System.IO.File]::Open('C:\up\f.partial', [System.IO.FileMode]::Create, [System.IO.FileAccess]::Write)
$b = [Convert]::FromBase64String('aGVsbG8=')
$s.Write($b, 0, $b.Length)
try { [IO.File]::ReadAllBytes('C:\up\f.partial') } catch { say 'held' }
$s.Dispose()
say ([IO.File]::ReadAllText('C:\up\f.partial'))`)
	wantLines(t, got, "held", "hello")
}

// The machine PATH trap: [Environment]::SetEnvironmentVariable('Path', ..., 'Machine') reads expanded
// and writes REG_SZ (environment.cs), freezing %SystemRoot%.
func TestEnvironmentMachineTargetFreezesPath(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
$p = [Environment]::GetEnvironmentVariable('Path', 'Machine')
say $p.Split(';')[0]
[Environment]::SetEnvironmentVariable('Path', $p + ';C:\Program Files\Docker', 'Machine')
say ([Environment]::GetEnvironmentVariable('Path', [EnvironmentVariableTarget]::Machine)).Split(';')[-1]
[Environment]::SetEnvironmentVariable('WINCONTAINERS_X', $null, 'Machine')
[Environment]::SetEnvironmentVariable('FOO', 'bar')
say $env:FOO`)
	wantLines(t, got, `C:\Windows\system32`, `C:\Program Files\Docker`, "bar")
	v, _, _ := m.RegGetValue(machine.EnvironmentKey, "Path")
	if v.Kind != machine.RegString || v.Data.(string)[:20] != `C:\Windows\system32;` {
		t.Errorf("Path after SetEnvironmentVariable = %+v; want a REG_SZ with the entries expanded", v)
	}
}

// include/path.ps1's Add-WcMachinePath keeps the value REG_EXPAND_SZ and winsim's view agrees.
func TestRegistryKeyGetSetValue(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
$envKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
$key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($envKey)
say $key.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames).Split(';')[0]
say $key.GetValue('Path').Split(';')[0]
say ($null -eq $key.GetValue('Nope')) $key.GetValue('Nope', 'dflt')
try { $key.SetValue('Path', 'x', [Microsoft.Win32.RegistryValueKind]::ExpandString) } catch { say $_.Exception.Message }
$key.Close()
$key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($envKey, $true)
$raw = $key.GetValue('Path', '', [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
$key.SetValue('Path', $raw + ';C:\Program Files\containerd\bin', [Microsoft.Win32.RegistryValueKind]::ExpandString)
$key.Close()
try { $key.GetValue('Path') } catch { say $_.Exception.Message }
say ($null -eq [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey('SOFTWARE\Nope'))`)
	wantLines(t, got, `%SystemRoot%\system32`, `C:\Windows\system32`, "True", "dflt",
		`Exception calling "SetValue" with "3" argument(s): "Cannot write to the registry key."`,
		`Exception calling "GetValue" with "1" argument(s): "Cannot access a closed registry key."`, "True")
	v, _, _ := m.RegGetValue(machine.EnvironmentKey, "Path")
	if v.Kind != machine.RegExpandString {
		t.Errorf("Path kind %s", v.Kind)
	}
	if p := m.MachinePath(); p[len(p)-1] != `C:\Program Files\containerd\bin` {
		t.Errorf("MachinePath = %v", p)
	}
}

func TestDnsHostName(t *testing.T) {
	m := newTestMachine("Server Core")
	wantLines(t, lines(t, m, say+`say ([Net.Dns]::GetHostName())`), "WS2022")
}

// A FileStream opened for writing shares nothing with any process on the machine: while winrmcp's restore
// script (one powershell.exe) writes the staged file, the staged bootstrap's ReadAllBytes (another) gets a
// sharing violation and retries, and reads the whole file once the writer closes it. A process that ends
// with the stream open releases it.
func TestFileStreamSharesNothingAcrossProcesses(t *testing.T) {
	m := newTestMachine("Server Core")
	cmds, types, end := FileSystemSession(m)
	var out strings.Builder
	writer := engine.NewSession(engine.Config{Commands: cmds, Types: types, Stdout: &out, Stderr: &out, Env: m.SystemEnvironment(), Clock: testClock})
	if code := writer.Run(`$global:w = [IO.File]::OpenWrite('C:\Windows\Temp\x.in'); $global:w.Write([byte[]](1, 2, 3), 0, 3)`); code != 0 || writer.Fault() != nil {
		t.Fatalf("open: %d %v %s", code, writer.Fault(), out.String())
	}
	read := `try { [Console]::Out.WriteLine([IO.File]::ReadAllBytes('C:\Windows\Temp\x.in').Length) } catch { [Console]::Out.WriteLine($_.Exception.Message) }`
	if got := run(t, m, read).out; !strings.Contains(got, "because it is being used by another process") {
		t.Errorf("read while another process writes: %q", got)
	}
	if code := writer.Run(`$global:w.Close()`); code != 0 || writer.Fault() != nil {
		t.Fatalf("close: %d %v %s", code, writer.Fault(), out.String())
	}
	if got := run(t, m, read).out; got != "3\n" {
		t.Errorf("read after the writer closed: %q", got)
	}
	if code := writer.Run(`$global:w2 = [IO.File]::OpenWrite('C:\Windows\Temp\y.in')`); code != 0 {
		t.Fatal("second open")
	}
	end()
	if m.Exclusive(`C:\Windows\Temp\y.in`) {
		t.Error("the process ended and its handle is still open")
	}
}

// StreamReader.ReadLine (what winrmcp's restore script reads with): a line ends at "\r\n", "\n" or a lone
// "\r"; a final ending adds no empty line; then $null, and ReadToEnd gives the rest. After Close, a read
// is ObjectDisposedException.
func TestStreamReaderReadLine(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\t\lines.txt`, []byte("a\r\nb\nc\rd\r\n\r\ne\r\n"))
	got := lines(t, m, say+`
$r = [IO.File]::OpenText('C:\t\lines.txt')
while ($null -ne ($l = $r.ReadLine())) { say ('[' + $l + ']') }
say ($null -eq $r.ReadLine()) $r.EndOfStream
$r.Close()
try { $r.ReadLine() } catch { say $_.Exception.InnerException.GetType().Name }
$r = [IO.File]::OpenText('C:\t\lines.txt')
say $r.ReadLine()
say $r.ReadToEnd().Length
$r.Close()`)
	wantLines(t, got, "[a]", "[b]", "[c]", "[d]", "[]", "[e]", "True", "True", "ObjectDisposedException", "a", "12")
}
