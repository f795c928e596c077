package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ExitKind is why a sched_ext scheduler stopped: the kernel's enum
// scx_exit_kind, as the kernel's exit info and the loaders' debug dumps
// number it. Zero means the kernel gave no kind (the loader died, or never
// got as far as the kernel).
type ExitKind int

// The kernel's exit kinds (include/linux/sched/ext.h, Linux 6.12).
const (
	// ExitUnregistered (64): the scheduler was unloaded from user space:
	// the loader detached or exited.
	ExitUnregistered ExitKind = 64
	// ExitUnregisteredBPF (65): the BPF scheduler called scx_bpf_exit().
	ExitUnregisteredBPF ExitKind = 65
	// ExitUnregisteredKernel (66): the kernel unloaded it and asks for a
	// restart (CPU hotplug on a scheduler without cpu_online/offline);
	// the loaders restart it. Not a failure.
	ExitUnregisteredKernel ExitKind = 66
	// ExitSysRq (67): disabled by sysrq-S.
	ExitSysRq ExitKind = 67
	// ExitRuntimeError (1024): the kernel found the scheduler misbehaving
	// (an invalid dispatch, a failed ops.init, ...).
	ExitRuntimeError ExitKind = 1024
	// ExitBPFError (1025): the BPF scheduler called scx_bpf_error().
	ExitBPFError ExitKind = 1025
	// ExitStall (1026): the watchdog found a runnable task that did not
	// run for the scheduler's timeout, or a dispatch path that did not
	// let it check in.
	ExitStall ExitKind = 1026
)

// exitKinds maps each kind to its name (snake_case, the JUnit failure
// type) and the kernel's reason text (scx_exit_reason()).
var exitKinds = map[ExitKind][2]string{
	ExitUnregistered:       {"unregistered", "unregistered from user space"},
	ExitUnregisteredBPF:    {"unregistered_bpf", "unregistered from BPF"},
	ExitUnregisteredKernel: {"unregistered_kernel", "unregistered from the main kernel"},
	ExitSysRq:              {"sysrq", "disabled by sysrq-S"},
	ExitRuntimeError:       {"runtime_error", "runtime error"},
	ExitBPFError:           {"scx_bpf_error", "scx_bpf_error"},
	ExitStall:              {"runnable_task_stall", "runnable task stall"},
}

// Name is k's snake_case name, e.g. "scx_bpf_error" or
// "runnable_task_stall"; "" for 0 and "kind_N" for a kind this package
// does not know.
func (k ExitKind) Name() string {
	if n, ok := exitKinds[k]; ok {
		return n[0]
	}
	if k == 0 {
		return ""
	}
	return "kind_" + strconv.Itoa(int(k))
}

// Reason is the kernel's text for k, e.g. "runnable task stall", as its
// log and the loaders' "EXIT:" line print it; "" when unknown.
func (k ExitKind) Reason() string { return exitKinds[k][1] }

// IsError reports whether k is one of the error kinds (1024 and up): the
// kernel ejected the scheduler.
func (k ExitKind) IsError() bool { return k >= ExitRuntimeError }

// ExitKindOfReason returns the kind whose kernel reason text is reason,
// and false when none is.
func ExitKindOfReason(reason string) (ExitKind, bool) {
	for k, n := range exitKinds {
		if n[1] == reason {
			return k, true
		}
	}
	return 0, false
}

// TaskRole says whose a task is, for the victim of a stall.
type TaskRole string

const (
	// RoleHarness is the harness itself: the test process running the
	// scenario, or the guest's init (PID 1).
	RoleHarness TaskRole = "harness"
	// RoleWorker is a scenario worker (or a child of one).
	RoleWorker TaskRole = "worker"
	// RoleScheduler is the scheduler's own loader process.
	RoleScheduler TaskRole = "scheduler"
	// RoleOther is any other task: a kernel thread, another process.
	RoleOther TaskRole = "other"
)

// Task is one task the kernel named, e.g. the victim of a stall.
type Task struct {
	// Comm and PID are as the kernel printed them ("sleep[136]"); PID is
	// the thread's ID.
	Comm string `json:"comm"`
	PID  int    `json:"pid"`
	// Role is whose task it is.
	Role TaskRole `json:"role"`
	// Cgroup is, for a worker, its scenario cgroup ("cg_0",
	// "outer/inner"); for other tasks the cgroup v2 path when known.
	Cgroup string `json:"cgroup,omitempty"`
}

// String reads like "sleep[136] (worker in cg_0)".
func (t Task) String() string {
	s := fmt.Sprintf("%s[%d]", t.Comm, t.PID)
	switch {
	case t.Role == RoleWorker && t.Cgroup != "":
		return s + " (worker in " + t.Cgroup + ")"
	case t.Role == RoleHarness && t.PID == 1:
		return s + " (the guest init)"
	case t.Role == RoleHarness:
		return s + " (the harness's test process)"
	case t.Role == RoleScheduler:
		return s + " (the scheduler's loader)"
	}
	return s
}

// Detection sources of a [SchedulerExit].
const (
	DetectedKmsg    = "kmsg"           // the kernel log's "disabled" line
	DetectedLoader  = "loader_exit"    // the loader process exited
	DetectedSysfs   = "sysfs"          // sched_ext state or root/ops changed
	DetectedStart   = "start"          // the scheduler could not be started
	DetectedTimeout = "attach_timeout" // it did not attach in time
)

// SchedulerExit is how and why a scheduler under test stopped before the
// harness unloaded it: after attaching (the kernel ejected it, or its
// loader died) or while attaching. It is gathered from the kernel log
// (/dev/kmsg), the loader's output and exit status, and sysfs.
type SchedulerExit struct {
	// Scheduler is the scheduler's ops name (or the Spec's name when it
	// never attached).
	Scheduler string `json:"scheduler"`
	// Attached is false when the scheduler never attached.
	Attached bool `json:"attached"`
	// Kind is the kernel's exit kind; 0 when the kernel gave none.
	Kind ExitKind `json:"kind"`
	// KindName is Kind's name ([ExitKind.Name]), for readers of the JSON.
	KindName string `json:"kind_name,omitempty"`
	// Reason is the kernel's reason text, e.g. "scx_bpf_error".
	Reason string `json:"reason,omitempty"`
	// Message is the exit's message, e.g. "test triggering error" or
	// "sleep[136] failed to run for 7.155s".
	Message string `json:"message,omitempty"`
	// Victim is the task a runnable task stall names.
	Victim *Task `json:"victim,omitempty"`
	// Stalled is how long the victim did not run (or the watchdog did
	// not check in), from the stall message.
	Stalled time.Duration `json:"stalled_ns,omitempty"`
	// AfterAttach is the time from attach to the exit (by the kernel
	// log's timestamps when it has both).
	AfterAttach time.Duration `json:"after_attach_ns,omitempty"`
	// Loader is how the loader process ended, e.g. "exit status 1";
	// empty for the built-in scheduler.
	Loader string `json:"loader,omitempty"`
	// LastWords is the loader's telling line: its "EXIT:" line, a
	// "[SCX_BUG]" line or the error it printed.
	LastWords string `json:"last_words,omitempty"`
	// DetectedBy says what noticed the exit first ([DetectedKmsg], ...).
	DetectedBy string `json:"detected_by,omitempty"`
	// DetectLatency is the time from the kernel log's "disabled" record
	// to the harness noticing it, when the kernel log noticed first
	// (DetectedBy [DetectedKmsg]); sysfs shows the exit ("disabling")
	// earlier than that record and is read every 100ms.
	DetectLatency time.Duration `json:"detect_latency_ns,omitempty"`
	// ReportLatency is the time from the exit (the kernel's "disabled"
	// record or the harness noticing, whichever came first) to the
	// scenario ending with it.
	ReportLatency time.Duration `json:"report_latency_ns,omitempty"`
	// Expected is set when the test declared the exit expected and
	// accepted it.
	Expected bool `json:"expected,omitempty"`
}

// FailureType is the JUnit failure type for e: the kind's name, or
// "scheduler_not_attached" / "scheduler_died" when the kernel gave no
// kind.
func (e *SchedulerExit) FailureType() string {
	switch {
	case e.Kind != 0:
		return e.Kind.Name()
	case !e.Attached:
		return "scheduler_not_attached"
	}
	return "scheduler_died"
}

// Cause is the exit's cause on one line: "scx_bpf_error: test triggering
// error", "runnable task stall: sleep[136] failed to run for 7.155s
// (victim sleep[136] (worker in cg_0))", or the loader's last words when
// the kernel said nothing.
func (e *SchedulerExit) Cause() string {
	reason := e.Reason
	if reason == "" {
		reason = e.Kind.Reason()
	}
	var parts []string
	if reason != "" {
		parts = append(parts, reason)
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Message == "" {
		if e.Loader != "" && e.Loader != "exit status 0" {
			parts = append(parts, "loader "+e.Loader)
		}
		if e.LastWords != "" && !strings.HasPrefix(e.LastWords, "EXIT: ") {
			parts = append(parts, e.LastWords)
		}
	}
	s := strings.Join(parts, ": ")
	if s == "" {
		s = "no reason given"
	}
	if e.Victim != nil && e.Victim.Role != RoleOther {
		s += " (victim " + e.Victim.String() + ")"
	}
	return s
}

// String is the one-line failure: "scheduler qmap ejected after 1.2s:
// scx_bpf_error: test triggering error", "scheduler central never
// attached: scx_bpf_error: init from non-central CPU".
func (e *SchedulerExit) String() string {
	verb := "stopped"
	switch {
	case !e.Attached:
		return fmt.Sprintf("scheduler %s never attached: %s", e.Scheduler, e.Cause())
	case e.Kind.IsError():
		verb = "ejected"
	case e.Kind == ExitUnregisteredKernel:
		verb = "unloaded by the kernel (restart request)"
	case e.Kind != 0:
		verb = "unloaded"
	case e.Loader != "":
		verb = "died"
	}
	return fmt.Sprintf("scheduler %s %s after %s: %s", e.Scheduler, verb, roundDuration(e.AfterAttach), e.Cause())
}

// roundDuration shows d to 0.1s above a second, to 1ms below.
func roundDuration(d time.Duration) string {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// BPFProgram is one BPF program of the scheduler under test, as the
// kernel reports it after loading.
type BPFProgram struct {
	// ID is the kernel's program ID.
	ID uint32 `json:"id"`
	// Name is the program's name (the kernel keeps 15 characters).
	Name string `json:"name"`
	// Type is the program type, e.g. "StructOps" or "Syscall".
	Type string `json:"type"`
	// VerifiedInsns is how many instructions the verifier processed.
	VerifiedInsns uint32 `json:"verified_insns"`
}
