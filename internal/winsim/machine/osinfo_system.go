package machine

import "time"

// OSInfo describes the Windows installation and the (virtual) hardware under it, as the CIM classes
// (Win32_OperatingSystem, Win32_ComputerSystem, Win32_Processor, Win32_LogicalDisk) report them. winsim
// derives it from the release profile and the options it was started with; the values a field's zero
// value does not give are filled by WithDefaults.
type OSInfo struct {
	// Caption is Win32_OperatingSystem.Caption, e.g. "Microsoft Windows Server 2022 Datacenter".
	Caption string
	// BuildNumber is the OS build (Win32_OperatingSystem.BuildNumber; Version is "10.0.<build>").
	BuildNumber int
	// ComputerName is CSName / Win32_ComputerSystem.Name.
	ComputerName string
	// Client is true for Windows 10/11 (ProductType 1), false for Windows Server (ProductType 3).
	Client bool
	// BootTime returns the current boot's LastBootUpTime (the host's, so that the boot id the scripts
	// compute from it is the one winsim's restart logic uses). nil: the machine's last Boot, else now.
	BootTime func() time.Time
	// UTCOffset is the machine's time zone (Local DateTime values); winsim's hosts run in UTC.
	UTCOffset time.Duration
	// PhysicalHost is false for a Hyper-V guest (every winsim host): Win32_ComputerSystem then reports
	// HypervisorPresent true, Manufacturer "Microsoft Corporation" and Model "Virtual Machine".
	PhysicalHost bool
	// Manufacturer and Model are Win32_ComputerSystem's; empty means the Hyper-V guest's values.
	Manufacturer, Model string
	// SystemDrive is "C:" when empty; FreeSpace and Size its Win32_LogicalDisk values (64 GiB free of
	// 127 GiB when zero, the size of an Azure/Hyper-V default OS disk; winsim's hosts have 64 GiB free).
	SystemDrive     string
	FreeSpace, Size int64
}

// WithDefaults fills the fields whose zero value is not what winsim reports: a Hyper-V guest, 64 GiB
// free on C:.
func (o OSInfo) WithDefaults() OSInfo {
	if !o.PhysicalHost {
		if o.Manufacturer == "" {
			o.Manufacturer = "Microsoft Corporation"
		}
		if o.Model == "" {
			o.Model = "Virtual Machine"
		}
	}
	if o.SystemDrive == "" {
		o.SystemDrive = "C:"
	}
	if o.FreeSpace == 0 {
		o.FreeSpace = 64 << 30
	}
	if o.Size == 0 {
		o.Size = 127 << 30
	}
	return o
}
