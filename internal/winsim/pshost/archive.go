package pshost

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// Expand-Archive (reference/5.1/Microsoft.PowerShell.Archive/Expand-Archive.md), the script function of
// the Microsoft.PowerShell.Archive module 1.0.1.0 that ships with 5.1, whose texts come from its
// LocalizedData (Microsoft.PowerShell.Archive.psm1):
//   - an archive that does not exist: "The path '{0}' either does not exist or is not a valid file
//     system path." (PathNotFound); another extension than .zip: "{0} is not a supported archive file
//     format. .zip is the only supported archive file format." (NotSupportedArchiveFileExtension);
//   - a file that is not a zip, or a zip cut short, fails where the module opens it with New-Object
//     System.IO.Compression.ZipArchive, which 1.0.1.0 does not catch: 'Exception calling ".ctor" with
//     "3" argument(s): "End of Central Directory record could not be found."' (MethodInvocationException;
//     later module versions wrap it differently);
//   - the destination folder is created when missing; a file that exists is an error per file unless
//     -Force ("Failed to create file '{0}' while expanding the archive file '{1}' contents as the file
//     '{2}' already exists. Use the -Force parameter if you want to overwrite the existing directory
//     '{3}' contents when expanding the archive file.", FileExistsError).
//
// What an archive holds is winsim's declaration for its synthetic artifacts (machine.ArtifactFiles);
// an archive winsim cannot know fails as not modelled. A full disk fails the entry being extracted
// ('Exception calling "ExtractToFile" with "3" argument(s): "There is not enough space on the disk."',
// inferred) and leaves what was extracted before it.
func (h *fsHost) expandArchive() *engine.Cmdlet {
	const cmd = "Expand-Archive" // a function: its error ids carry its name
	params := []engine.Param{
		{Name: "Path", Type: "string", Position: 0, ValueFromPipeline: true, ValueFromPipelineByPropertyName: true, Set: "Path"},
		{Name: "LiteralPath", Aliases: []string{"PSPath"}, Type: "string", Position: -1, ValueFromPipelineByPropertyName: true, Set: "LiteralPath"},
		{Name: "DestinationPath", Type: "string", Position: 1},
		{Name: "Force", Type: "switch", Position: -1},
	}
	return &engine.Cmdlet{Name: "Expand-Archive", Module: "Microsoft.PowerShell.Archive", Params: params,
		Process: func(c *engine.Call) error {
			paths, err := boundPaths(c, "Expand-Archive")
			if err != nil {
				return err
			}
			if len(paths) != 1 || paths[0] == "" {
				return notImpl("Expand-Archive without an archive path")
			}
			if !has(c, "DestinationPath") || str(c, "DestinationPath") == "" {
				return notImpl("Expand-Archive without -DestinationPath (the current location)")
			}
			return h.expand(c, paths[0], str(c, "DestinationPath"), flag(c, "Force"), cmd)
		}}
}

func (h *fsHost) expand(c *engine.Call, archive, dest string, force bool, cmd string) error {
	src, err := h.resolve(archive)
	if err != nil {
		return err
	}
	if e, ok := h.stat(src); src.kind != provFileSystem || !ok || e.Dir {
		return engine.NewError("System.InvalidOperationException", fmt.Sprintf("The path '%s' either does not exist or is not a valid file system path.", archive),
			"PathNotFound,"+cmd, "InvalidArgument", archive)
	}
	ext := ""
	if i := strings.LastIndexByte(leafName(src.path), '.'); i >= 0 {
		ext = leafName(src.path)[i:]
	}
	if !strings.EqualFold(ext, ".zip") {
		return engine.NewError("System.InvalidOperationException", fmt.Sprintf("%s is not a supported archive file format. .zip is the only supported archive file format.", ext),
			"NotSupportedArchiveFileExtension,"+cmd, "InvalidArgument", ext)
	}
	dst, err := h.resolve(dest)
	if err != nil {
		return err
	}
	if dst.kind != provFileSystem || !dst.driveOK {
		return notImpl("Expand-Archive -DestinationPath %q", dest)
	}
	entries, err := h.zipEntries(src.path)
	if err != nil {
		return err
	}
	if err := h.m.MakeDir(dst.path); err != nil {
		return engine.NewError("System.IO.IOException", fmt.Sprintf("The path '%s' is not a valid file system directory path.", dest),
			"InvalidDirectoryPath,"+cmd, "InvalidArgument", dest)
	}
	for _, en := range entries {
		target := strings.TrimRight(dst.path, `\`) + `\` + en.Name
		if e, ok := h.m.Stat(target); ok && !force {
			if err := report(c, engine.NewError("System.IO.IOException", fmt.Sprintf(
				"Failed to create file '%s' while expanding the archive file '%s' contents as the file '%s' already exists. Use the -Force parameter if you want to overwrite the existing directory '%s' contents when expanding the archive file.",
				target, src.path, e.Path, dst.path), "ExpandArchiveFileExists,"+cmd, "ResourceExists", target)); err != nil {
				return err
			}
			continue
		}
		if err := h.m.MakeDir(parentPath(provFileSystem, target)); err != nil {
			return extractError(err, target)
		}
		if h.m.InUse(target) || h.openForWrite(target) {
			return extractError(errInUse, target)
		}
		if err := h.m.CreateFile(target, en.File); err != nil {
			return extractError(err, target)
		}
	}
	return nil
}

func extractError(err error, target string) error {
	_, msg := dotnetError(err, target)
	return engine.NewError("System.Management.Automation.MethodInvocationException",
		`Exception calling "ExtractToFile" with "3" argument(s): "`+msg+`"`, "IOException", "NotSpecified", nil)
}

// zipEntries are the files of a zip archive, or the error 5.1 gives for a file that is not one: a text
// file, an archive cut short or another format (a tarball) has no end of central directory record.
func (h *fsHost) zipEntries(path string) ([]machine.ArtifactFile, error) {
	eocd := engine.NewError("System.Management.Automation.MethodInvocationException",
		`Exception calling ".ctor" with "3" argument(s): "`+machine.TruncatedZipText+`"`,
		"ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand", "InvalidOperation", nil)
	if f, ok := h.m.File(path); ok && f.Content != nil {
		return nil, eocd
	}
	entries, err := h.m.ArtifactFiles(path)
	var ae *machine.ArchiveError
	switch {
	case errors.As(err, &ae) && ae.Reason == "truncated":
		return nil, eocd
	case errors.As(err, &ae) && ae.Reason == "unrecognized":
		return nil, notImpl("expanding %s: winsim knows the contents of its own synthetic artifacts only", path)
	case err != nil:
		return nil, fmt.Errorf("expanding %s: %w", path, err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(strings.ToLower(e.File.Origin), ".zip") {
			return nil, eocd
		}
	}
	return entries, nil
}
