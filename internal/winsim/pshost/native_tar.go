package pshost

import (
	"context"
	"errors"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// tar.exe (bsdtar, in System32 from build 17063): `tar.exe -xf <archive> -C <dir>` writes the
// archive's files (machine.ArtifactFiles: winsim's archives are synthetic, so what each holds comes from
// knowing which release it is) under dir. Its failures are libarchive's, prefixed "tar.exe: " (inferred:
// the program name bsdtar prints on Windows): an archive that cannot be opened, one cut short, one that
// is not an archive, a disk that is full.

func tarFail(msgs ...string) engine.NativeResult {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, "tar.exe: "+m)
	}
	return engine.NativeResult{Stderr: crlfLines(out...), ExitCode: 1}
}

func runTar(_ context.Context, h *host, path string, args []string) engine.NativeResult {
	var archive, dir string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-xf" || a == "xf" || a == "-xzf") && i+1 < len(args):
			archive = args[i+1]
			i++
		case a == "-C" && i+1 < len(args):
			dir = args[i+1]
			i++
		default:
			return notModelledProgram(path, args)
		}
	}
	if archive == "" || dir == "" || len(dir) < 3 || dir[1] != ':' {
		return notModelledProgram(path, args)
	}
	files, err := h.m.ArtifactFiles(archive)
	if err != nil {
		var ae *machine.ArchiveError
		if !errors.As(err, &ae) {
			return tarFail(err.Error())
		}
		switch ae.Reason {
		case "missing":
			return tarFail("Error opening archive: Failed to open '" + archive + "'")
		case "truncated":
			return tarFail("Truncated input file (needed 1024 bytes, only 0 available)", "Error exit delayed from previous errors.")
		default:
			return tarFail("Error opening archive: Unrecognized archive format")
		}
	}
	if err := h.m.CheckSpace(); err != nil && len(files) > 0 {
		return tarFail(files[0].Name+": Write failed", "Error exit delayed from previous errors.")
	}
	base := strings.TrimRight(dir, `\`)
	for _, f := range files {
		h.m.PutFile(base+`\`+f.Name, f.File)
	}
	return engine.NativeResult{}
}
