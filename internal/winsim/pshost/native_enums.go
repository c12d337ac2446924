package pshost

import "github.com/wincontainers/wincontainers/internal/winsim/ps51/value"

// enumTypes are the .NET enums of the objects this host returns.
type enumTypes struct {
	serviceStatus, startMode, serviceType *value.EnumType
	// ServerManager: Feature.InstallState, FeatureOperationResult.RestartNeeded and ExitCode.
	installState, restartState, featureExitCode *value.EnumType
	// DISM: BasicFeatureObject.State.
	featureState *value.EnumType
}

func newEnumTypes() enumTypes {
	return enumTypes{
		serviceStatus: value.ServiceControllerStatus(),
		startMode:     value.ServiceStartMode(),
		// System.ServiceProcess.ServiceType ([Flags]; .NET reference documentation of the enum).
		serviceType: &value.EnumType{Name: "System.ServiceProcess.ServiceType", Flags: true, Members: []value.EnumMember{
			{Name: "KernelDriver", Value: 1}, {Name: "FileSystemDriver", Value: 2}, {Name: "Adapter", Value: 4},
			{Name: "RecognizerDriver", Value: 8}, {Name: "Win32OwnProcess", Value: 16}, {Name: "Win32ShareProcess", Value: 32},
			{Name: "InteractiveProcess", Value: 256}}},
		// Microsoft.Windows.ServerManager.Commands.InstallState: the names are the ones Get-WindowsFeature
		// shows (Get-WindowsFeature.md example 5 filters on Removed); inferred: the numbers.
		installState: &value.EnumType{Name: "Microsoft.Windows.ServerManager.Commands.InstallState", Members: []value.EnumMember{
			{Name: "Available", Value: 0}, {Name: "Installed", Value: 1}, {Name: "InstallPending", Value: 2},
			{Name: "Removed", Value: 3}, {Name: "UninstallPending", Value: 4}}},
		// Microsoft.Windows.ServerManager.Commands.RestartState: No, Yes, Maybe (the values the
		// RestartNeeded column shows); inferred: the numbers.
		restartState: &value.EnumType{Name: "Microsoft.Windows.ServerManager.Commands.RestartState", Members: []value.EnumMember{
			{Name: "No", Value: 0}, {Name: "Yes", Value: 1}, {Name: "Maybe", Value: 2}}},
		// Microsoft.Windows.ServerManager.Commands.FeatureOperationExitCode; inferred: the names are the
		// ones the Exit Code column shows (Success, SuccessRestartRequired, NoChangeNeeded, Failed), the
		// numbers follow the Win32 codes they stand for.
		featureExitCode: &value.EnumType{Name: "Microsoft.Windows.ServerManager.Commands.FeatureOperationExitCode", Members: []value.EnumMember{
			{Name: "Success", Value: 0}, {Name: "Failed", Value: 1}, {Name: "InvalidArgs", Value: 87},
			{Name: "NoChangeNeeded", Value: 1003}, {Name: "SuccessRestartRequired", Value: 3010}}},
		// Microsoft.Dism.Commands.FeatureState; inferred: the numbers follow the DISM API's
		// DismPackageFeatureState.
		featureState: &value.EnumType{Name: "Microsoft.Dism.Commands.FeatureState", Members: []value.EnumMember{
			{Name: "DisablePending", Value: 1}, {Name: "Disabled", Value: 2}, {Name: "DisabledWithPayloadRemoved", Value: 3},
			{Name: "Enabled", Value: 4}, {Name: "EnablePending", Value: 5}, {Name: "Superseded", Value: 6},
			{Name: "PartiallyInstalled", Value: 7}}},
	}
}

func (e enumTypes) all() []*value.EnumType {
	return []*value.EnumType{e.serviceStatus, e.startMode, e.serviceType, e.installState, e.restartState, e.featureExitCode, e.featureState}
}
