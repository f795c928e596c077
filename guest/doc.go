// Package guest runs inside the VM: the PID 1 init that mounts filesystems,
// starts the scheduler and runs one test, and the scenario runtime that
// creates cgroups, starts workers, holds, measures and checks.
package guest
