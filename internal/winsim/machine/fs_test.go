package machine

import (
	"errors"
	"slices"
	"testing"
)

func TestCleanPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`C:\`, `C:\`}, {`c:`, `C:\`}, {`c:/Program Files//Docker/`, `C:\Program Files\Docker`},
		{`C:\a\.\b\..\c`, `C:\a\c`}, {`C:\..\x`, `C:\x`},
	} {
		got, err := CleanPath(c.in)
		if err != nil || got != c.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`relative\x`, `\\server\share`, `C:x`, ``} {
		if _, err := CleanPath(bad); !errors.Is(err, ErrBadPath) {
			t.Errorf("CleanPath(%q) = %v, want ErrBadPath", bad, err)
		}
	}
}

// The folder rule (fs.go): folders are created explicitly or by a write into them, stay when their
// last file goes, and hold the case they were created with.
func TestFoldersAndFiles(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	now := m.Config().Clock().UTC()
	if e, ok := m.Stat(`c:\program files`); !ok || !e.Dir || e.Path != `C:\Program Files` {
		t.Fatalf("system folder: %+v %v", e, ok)
	}
	if err := m.MakeDir(`C:\Data\Sub`); err != nil {
		t.Fatal(err)
	}
	m.WriteFile(`C:\data\Sub\A.txt`, []byte("hello"))
	if err := m.CreateFile(`C:\Nowhere\b.txt`, File{}); !errors.Is(err, ErrNoParent) {
		t.Fatalf("CreateFile without a folder: %v", err)
	}
	if err := m.CreateFile(`C:\Data\Sub`, File{}); !errors.Is(err, ErrIsDir) {
		t.Fatalf("CreateFile over a folder: %v", err)
	}
	list, err := m.List(`C:\DATA`)
	if err != nil || len(list) != 1 || list[0].Path != `C:\Data\Sub` || !list[0].Dir {
		t.Fatalf("List = %+v, %v", list, err)
	}
	list, _ = m.List(`C:\Data\Sub`)
	if len(list) != 1 || list[0].Name != "A.txt" || list[0].File.Size != 5 || !list[0].Modified.Equal(now) {
		t.Fatalf("List = %+v", list)
	}
	if !m.RemoveFile(`C:\Data\Sub\a.txt`) {
		t.Fatal("RemoveFile")
	}
	if e, ok := m.Stat(`C:\Data\Sub`); !ok || !e.Dir {
		t.Fatal("the folder went with its last file")
	}
	if _, err := m.Remove(`C:\Data`, false); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Remove of a folder with a subfolder: %v", err)
	}
	if _, err := m.Remove(`C:\Data`, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Stat(`C:\Data\Sub`); ok {
		t.Fatal("Remove -Recurse left a subfolder")
	}
	if err := m.MakeDir(`C:\Windows\System32\cmd.exe\x`); err != nil {
		t.Fatal(err)
	}
	m.WriteFile(`C:\f`, nil)
	if err := m.MakeDir(`C:\f\g`); !errors.Is(err, ErrNotDir) {
		t.Fatalf("MakeDir under a file: %v", err)
	}
}

// Files the engine model writes straight into m.files have folders too, which outlive them.
func TestEngineFilesHaveFolders(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	if err := m.InstallEngine("docker", "27.3.1"); err != nil {
		t.Fatal(err)
	}
	e, ok := m.Stat(`C:\Program Files\Docker`)
	if !ok || !e.Dir {
		t.Fatal("no Docker folder")
	}
	list, _ := m.List(DockerDir)
	var names []string
	for _, e := range list {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"docker.exe", "dockerd.exe"}) {
		t.Fatalf("Docker folder lists %v", names)
	}
	m.RemoveFile(Dockerd)
	m.RemoveFile(DockerCLI)
	if _, ok := m.Stat(DockerDir); !ok {
		t.Fatal("the Docker folder went with its files")
	}
}

func TestRenameReplaceCopy(t *testing.T) {
	m := newMachine(Config{Build: 20348})
	m.WriteFile(`C:\d\a`, []byte("a"))
	m.WriteFile(`C:\d\b`, []byte("b"))
	if err := m.Rename(`C:\d\a`, `C:\d\b`); !errors.Is(err, ErrExist) {
		t.Fatalf("Rename over a file: %v", err)
	}
	if err := m.ReplaceFile(`C:\d\a`, `C:\d\b`, `C:\d\b.bak`); err != nil {
		t.Fatal(err)
	}
	if f, _ := m.File(`C:\d\b`); string(f.Content) != "a" {
		t.Fatalf("replaced file holds %q", f.Content)
	}
	if f, _ := m.File(`C:\d\b.bak`); string(f.Content) != "b" {
		t.Fatalf("backup holds %q", f.Content)
	}
	if _, ok := m.File(`C:\d\a`); ok {
		t.Fatal("the source of a replace stays")
	}
	if err := m.ReplaceFile(`C:\d\b`, `C:\d\none`, ""); !errors.Is(err, ErrNotExist) {
		t.Fatalf("ReplaceFile without a destination: %v", err)
	}
	if err := m.CopyFile(`C:\d\b`, `C:\d\c`); err != nil {
		t.Fatal(err)
	}
	m.SetFaults(Faults{DiskFull: true})
	var disk DiskError
	if err := m.CopyFile(`C:\d\b`, `C:\d\e`); !errors.As(err, &disk) {
		t.Fatalf("CopyFile on a full disk: %v", err)
	}
}

func TestInUse(t *testing.T) {
	m := dockerHost(t)
	if !m.InUse(`c:\program files\docker\DOCKERD.exe`) {
		t.Fatal("a running service's executable is not in use")
	}
	m.StopService("docker")
	if m.InUse(Dockerd) {
		t.Fatal("a stopped service's executable is in use")
	}
}
