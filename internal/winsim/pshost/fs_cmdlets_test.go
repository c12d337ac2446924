package pshost

import (
	"testing"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
)

func TestTestPath(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\ProgramData\docker\config\daemon.json`, []byte(`{}`))
	cases := []struct{ expr, want string }{
		{`Test-Path -LiteralPath 'C:\ProgramData\docker\config\daemon.json' -PathType Leaf`, "True"},
		{`Test-Path -LiteralPath 'c:\programdata\DOCKER' -PathType Container`, "True"},
		{`Test-Path -LiteralPath 'C:\ProgramData\docker' -PathType Leaf`, "False"},
		{`Test-Path -LiteralPath 'C:\nowhere'`, "False"},
		{`Test-Path -LiteralPath 'D:\x'`, "False"},
		{`Test-Path -Path 'C:\ProgramData\docker\config\daemon.json'`, "True"},
		{`Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'`, "True"},
		{`Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -PathType Leaf`, "False"},
		{`Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending'`, "False"},
		{`Test-Path -LiteralPath 'Microsoft.PowerShell.Core\FileSystem::C:\ProgramData'`, "True"},
		// Packer's WinRM communicator runs this before every command.
		{`Test-Path variable:global:ProgressPreference`, "True"},
		{`Test-Path Variable:\ErrorActionPreference -PathType Leaf`, "True"},
		{`Test-Path variable:nosuchvariable`, "False"},
		{`Test-Path Variable:`, "True"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			wantLines(t, lines(t, m, say+"say ("+c.expr+")"), c.want)
		})
	}
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	wantLines(t, lines(t, m, say+`say (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending')`), "True")
	r := run(t, m, `try { Test-Path -LiteralPath '' } catch { [Console]::Out.WriteLine($_.Exception.Message) }`)
	if r.out != "Cannot bind argument to parameter 'LiteralPath' because it is an empty string.\n" {
		t.Errorf("empty path: %q %v", r.out, r.fault)
	}
}

func TestGetItemAndChildItem(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\stage\docker\dockerd.exe`, []byte("dd"))
	m.WriteFile(`C:\stage\docker\sub\x.dll`, []byte("xxx"))
	m.WriteFile(`C:\stage\docker\docker.exe`, []byte("d"))
	got := lines(t, m, say+`
$i = Get-Item -LiteralPath 'C:\stage\docker\dockerd.exe'
say $i.FullName $i.Name $i.Length $i.PSIsContainer "$i"
foreach ($f in @(Get-ChildItem -LiteralPath 'C:\stage\docker' -File -Recurse)) { say ($f.FullName.Substring('C:\stage\docker'.Length).TrimStart('\') + '=' + $f.Length) }
say (@(Get-ChildItem -LiteralPath 'C:\stage\docker')[0].Name)
say "$(@(Get-ChildItem -LiteralPath 'C:\stage\docker' -File)[0])"
try { Get-Item -LiteralPath 'C:\stage\none' -ErrorAction Stop } catch { say $_.Exception.Message $_.FullyQualifiedErrorId }
say (@(Get-ChildItem -LiteralPath 'C:\stage\empty' -ErrorAction SilentlyContinue).Count)
`)
	wantLines(t, got, `C:\stage\docker\dockerd.exe`, "dockerd.exe", "2", "False", `C:\stage\docker\dockerd.exe`,
		"docker.exe=1", "dockerd.exe=2", `sub\x.dll=3`, "sub", "docker.exe",
		"Cannot find path 'C:\\stage\\none' because it does not exist.", "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand", "0")
}

// install-docker's copy: the staged folder's children piped into Copy-Item -Recurse -Force.
func TestCopyItemPipeline(t *testing.T) {
	m := newTestMachine("Server Core")
	m.WriteFile(`C:\stage\docker\dockerd.exe`, []byte("new-dockerd"))
	m.WriteFile(`C:\stage\docker\sub\x.dll`, []byte("x"))
	m.WriteFile(`C:\Program Files\Docker\dockerd.exe`, []byte("old"))
	lines(t, m, say+`
$installDir = 'C:\Program Files\Docker'
Copy-Item -LiteralPath $installDir -Destination ($installDir + '.wincontainers-previous') -Recurse -Force
Get-ChildItem -LiteralPath 'C:\stage\docker' | Copy-Item -Destination $installDir -Recurse -Force
say ok`)
	for path, want := range map[string]string{`C:\Program Files\Docker\dockerd.exe`: "new-dockerd", `C:\Program Files\Docker\sub\x.dll`: "x",
		`C:\Program Files\Docker.wincontainers-previous\dockerd.exe`: "old"} {
		if f, ok := m.File(path); !ok || string(f.Content) != want {
			t.Errorf("%s = %q, %v; want %q", path, f.Content, ok, want)
		}
	}
	// A running service's executable cannot be replaced.
	if _, err := m.InstallFeature("Containers"); err != nil {
		t.Fatal(err)
	}
	m.Boot()
	m.InstallTool(machine.Dockerd, "27.3.1")
	if err := m.RegisterService("docker"); err != nil {
		t.Fatal(err)
	}
	m.InstallTool(machine.DockerCLI, "27.3.1")
	m.WriteFile(`C:\ProgramData\docker\config\daemon.json`, []byte(`{}`))
	if err := m.StartService("docker"); err != nil {
		t.Fatal(err)
	}
	got := lines(t, m, say+`try { Copy-Item -LiteralPath 'C:\stage\docker\dockerd.exe' -Destination 'C:\Program Files\Docker' -Force -ErrorAction Stop } catch { say $_.Exception.Message }`)
	wantLines(t, got, `The process cannot access the file 'C:\Program Files\Docker\dockerd.exe' because it is being used by another process.`)
}

func TestNewAndRemoveItem(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
$d = New-Item -ItemType Directory -Path 'C:\ProgramData\wincontainers\downloads' -Force
say $d.FullName
New-Item -ItemType Directory -Path 'C:\ProgramData\wincontainers\downloads' -Force | Out-Null
try { New-Item -ItemType Directory -Path 'C:\ProgramData\wincontainers\downloads' -ErrorAction Stop } catch { say $_.Exception.Message }
$f = New-Item -ItemType File -Path 'C:\ProgramData\wincontainers\downloads\a.txt'
say $f.Length
try { New-Item -ItemType File -Path 'C:\ProgramData\wincontainers\downloads\a.txt' -ErrorAction Stop } catch { say $_.Exception.Message }
try { New-Item -ItemType File -Path 'C:\nowhere\a.txt' -ErrorAction Stop } catch { say $_.Exception.Message }
try { Remove-Item -LiteralPath 'C:\ProgramData\wincontainers' -ErrorAction Stop } catch { say $_.Exception.Message }
Remove-Item -LiteralPath 'C:\ProgramData\wincontainers' -Recurse -Force
say (Test-Path -LiteralPath 'C:\ProgramData\wincontainers')
try { Remove-Item -LiteralPath 'C:\ProgramData\wincontainers' -Recurse -Force -ErrorAction Stop } catch { say $_.FullyQualifiedErrorId }
Remove-Item -LiteralPath 'C:\ProgramData\wincontainers' -Recurse -Force -ErrorAction SilentlyContinue
say done`)
	wantLines(t, got, `C:\ProgramData\wincontainers\downloads`,
		`An item with the specified name C:\ProgramData\wincontainers\downloads already exists.`,
		"0",
		`The file 'C:\ProgramData\wincontainers\downloads\a.txt' already exists.`,
		`Could not find a part of the path 'C:\nowhere\a.txt'.`,
		"Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
		"False", "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand", "done")
}

// Registry keys: verify's marker, uninstall's event source removal, New-Item -Force's re-creation.
func TestRegistryItems(t *testing.T) {
	m := newTestMachine("Server Core")
	m.InstallTool(machine.Dockerd, "27.3.1")
	if err := m.RegisterService("docker"); err != nil {
		t.Fatal(err)
	}
	got := lines(t, m, say+`
$key = 'HKLM:\SOFTWARE\wincontainers'
if (-not (Test-Path -LiteralPath $key)) { New-Item -Path $key -Force | Out-Null }
New-ItemProperty -Path $key -Name 'VerifiedSpecHash' -Value 'abc' -PropertyType String -Force | Out-Null
try { New-ItemProperty -Path $key -Name 'VerifiedSpecHash' -Value 'x' -PropertyType String -ErrorAction Stop } catch { say $_.Exception.Message }
say (Get-ItemProperty -Path $key -Name VerifiedSpecHash).VerifiedSpecHash
$source = 'HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\docker'
if (Test-Path -LiteralPath $source) { Remove-Item -LiteralPath $source -Recurse -Force; say removed }
New-Item -Path $key -Force | Out-Null
say (@((Get-Item -LiteralPath $key).Property).Count)`)
	wantLines(t, got, "The property already exists.", "abc", "removed", "0")
	if m.EventSource("docker") {
		t.Error("Remove-Item of the event source key left the source")
	}
	if m.Registry("VerifiedSpecHash") != "" {
		t.Error("New-Item -Force on an existing key kept its values")
	}
}

func TestGetItemProperty(t *testing.T) {
	m := newTestMachine("Server Core")
	got := lines(t, m, say+`
$cv = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
say $cv.CurrentBuildNumber $cv.UBR $cv.UBR.GetType().FullName $cv.DisplayVersion $cv.ReleaseId $cv.InstallationType $cv.PSChildName
say $cv.PSPath
$item = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name 'Nope' -ErrorAction SilentlyContinue
say ($null -eq $item)
try { Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name 'Nope' -ErrorAction Stop } catch { say $_.Exception.Message }
try { Get-ItemProperty -Path 'HKLM:\SOFTWARE\Nope' -ErrorAction Stop } catch { say $_.Exception.Message }
say (Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Environment' -Name Path).Path
say (Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -Name Release).Release`)
	wantLines(t, got, "20348", "2966", "System.Int32", "21H2", "2009", "Server Core", "CurrentVersion",
		`Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion`,
		"True",
		`Property Nope does not exist at path HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion.`,
		`Cannot find path 'HKLM:\SOFTWARE\Nope' because it does not exist.`,
		`C:\Windows\system32;C:\Windows;C:\Windows\System32\Wbem;C:\Windows\System32\WindowsPowerShell\v1.0\;C:\Windows\System32\OpenSSH\`,
		"528449")
}
