package pshost

import (
	"errors"
	"fmt"

	"github.com/wincontainers/wincontainers/internal/winsim/machine"
	"github.com/wincontainers/wincontainers/internal/winsim/ps51/engine"
)

// notImpl is the engine's not-modelled error: it ends the run loudly and no try/catch catches it.
func notImpl(format string, args ...any) error {
	return &engine.NotImplementedError{What: fmt.Sprintf(format, args...)}
}

// errorID is 5.1's FullyQualifiedErrorId for an error a cmdlet class raises.
func errorID(id, command string) string { return id + ",Microsoft.PowerShell.Commands." + command }

// errNotFound is the provider's ItemNotFoundException ("Cannot find path 'X' because it does not
// exist.", SessionStateStrings.PathNotFound; id PathNotFound).
func errNotFound(command, given string) *engine.ErrorRecord {
	return engine.NewError("System.Management.Automation.ItemNotFoundException",
		fmt.Sprintf("Cannot find path '%s' because it does not exist.", given), errorID("PathNotFound", command), "ObjectNotFound", given)
}

// errDriveNotFound is DriveNotFoundException for a drive letter other than C: (inferred: 5.1's text
// "Cannot find drive. A drive with the name 'D' does not exist.", SessionStateStrings.DriveNotFound).
func errDriveNotFound(command, drive string) *engine.ErrorRecord {
	return engine.NewError("System.Management.Automation.DriveNotFoundException",
		fmt.Sprintf("Cannot find drive. A drive with the name '%s' does not exist.", drive), errorID("DriveNotFound", command), "ObjectNotFound", drive)
}

// errNonInteractive is what a cmdlet that would ask a question gets under powershell.exe
// -NonInteractive and WinRM (inferred: 5.1's HostException text for a prompt in a non-interactive host).
func errNonInteractive(command string) *engine.ErrorRecord {
	return engine.NewError("System.Management.Automation.Host.HostException",
		"Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
		errorID("NonInteractiveMode", command), "InvalidOperation", nil) // inferred: the error id
}

// dotnetError is a .NET exception a file operation raises, with its type and Windows' message:
// Win32 errors as .NET Framework's __Error.WinIOError words them (inferred from .NET Framework's
// mscorlib resources: IO.PathNotFound_Path, IO.FileNotFound_FileName, UnauthorizedAccess_IODenied_Path,
// IO.IO_SharingViolation_File; ERROR_DISK_FULL's system message, machine.DiskFullText).
func dotnetError(err error, path string) (exceptionType, message string) {
	var disk machine.DiskError
	switch {
	case errors.As(err, &disk):
		return "System.IO.IOException", machine.DiskFullText
	case errors.Is(err, errInUse):
		if path == "" {
			return "System.IO.IOException", "The process cannot access the file because it is being used by another process."
		}
		return "System.IO.IOException", fmt.Sprintf("The process cannot access the file '%s' because it is being used by another process.", path)
	case errors.Is(err, machine.ErrNoParent):
		if path == "" {
			return "System.IO.DirectoryNotFoundException", "Could not find a part of the path."
		}
		return "System.IO.DirectoryNotFoundException", fmt.Sprintf("Could not find a part of the path '%s'.", path)
	case errors.Is(err, machine.ErrNotExist):
		return "System.IO.FileNotFoundException", fmt.Sprintf("Could not find file '%s'.", path)
	case errors.Is(err, machine.ErrIsDir), errors.Is(err, errAccessDenied):
		if path == "" {
			return "System.UnauthorizedAccessException", "Access to the path is denied."
		}
		return "System.UnauthorizedAccessException", fmt.Sprintf("Access to the path '%s' is denied.", path)
	case errors.Is(err, machine.ErrExist):
		return "System.IO.IOException", "Cannot create a file when that file already exists."
	case errors.Is(err, machine.ErrNotDir):
		return "System.IO.IOException", fmt.Sprintf("The file '%s' already exists.", path) // inferred: CreateDirectory over a file
	}
	return "System.IO.IOException", err.Error()
}

// ioRecord is a provider's error record for a failed file operation.
func ioRecord(err error, path, id, command, category string) *engine.ErrorRecord {
	t, msg := dotnetError(err, path)
	return engine.NewError(t, msg, errorID(id, command), category, path)
}

// errInUse is ERROR_SHARING_VIOLATION: a running program holds the file open (writing or replacing a
// running service's executable); errAccessDenied is ERROR_ACCESS_DENIED, what deleting a running
// image's file gets (inferred: DeleteFile on a mapped executable image fails with access denied).
var (
	errInUse        = errors.New("the file is in use")
	errAccessDenied = errors.New("access is denied")
)
