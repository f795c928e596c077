package spec

import (
	"strings"
	"testing"
	"time"
)

func TestExitKinds(t *testing.T) {
	for _, tc := range []struct {
		k            ExitKind
		name, reason string
		isErr        bool
	}{
		{ExitUnregistered, "unregistered", "unregistered from user space", false},
		{ExitUnregisteredBPF, "unregistered_bpf", "unregistered from BPF", false},
		{ExitUnregisteredKernel, "unregistered_kernel", "unregistered from the main kernel", false},
		{ExitSysRq, "sysrq", "disabled by sysrq-S", false},
		{ExitRuntimeError, "runtime_error", "runtime error", true},
		{ExitBPFError, "scx_bpf_error", "scx_bpf_error", true},
		{ExitStall, "runnable_task_stall", "runnable task stall", true},
	} {
		if tc.k.Name() != tc.name || tc.k.Reason() != tc.reason || tc.k.IsError() != tc.isErr {
			t.Errorf("%d: name %q reason %q error %v", int(tc.k), tc.k.Name(), tc.k.Reason(), tc.k.IsError())
		}
		if k, ok := ExitKindOfReason(tc.reason); !ok || k != tc.k {
			t.Errorf("ExitKindOfReason(%q) = %d, %v", tc.reason, int(k), ok)
		}
	}
	if ExitKind(0).Name() != "" || ExitKind(7).Name() != "kind_7" {
		t.Errorf("unknown kinds: %q %q", ExitKind(0).Name(), ExitKind(7).Name())
	}
	if _, ok := ExitKindOfReason("bogus"); ok {
		t.Error("bogus reason has a kind")
	}
}

func TestSchedulerExitString(t *testing.T) {
	for _, tc := range []struct {
		e    SchedulerExit
		want string
		typ  string
	}{
		{SchedulerExit{Scheduler: "qmap", Attached: true, Kind: ExitBPFError, Reason: "scx_bpf_error", Message: "test triggering error", AfterAttach: 1234 * time.Millisecond},
			"scheduler qmap ejected after 1.2s: scx_bpf_error: test triggering error", "scx_bpf_error"},
		{SchedulerExit{Scheduler: "qmap", Attached: true, Kind: ExitStall, Message: "sleep[136] failed to run for 7.155s", AfterAttach: 9 * time.Second,
			Victim: &Task{Comm: "sleep", PID: 136, Role: RoleWorker, Cgroup: "cg_0"}},
			"scheduler qmap ejected after 9s: runnable task stall: sleep[136] failed to run for 7.155s (victim sleep[136] (worker in cg_0))", "runnable_task_stall"},
		{SchedulerExit{Scheduler: "central", Kind: ExitBPFError, Reason: "scx_bpf_error", Message: "init from non-central CPU"},
			"scheduler central never attached: scx_bpf_error: init from non-central CPU", "scx_bpf_error"},
		{SchedulerExit{Scheduler: "qmap", Loader: "exit status 1", LastWords: "scx_qmap: invalid option -- 'Z'"},
			"scheduler qmap never attached: loader exit status 1: scx_qmap: invalid option -- 'Z'", "scheduler_not_attached"},
		{SchedulerExit{Scheduler: "simple", Attached: true, Loader: "signal: killed", AfterAttach: 300 * time.Millisecond},
			"scheduler simple died after 300ms: loader signal: killed", "scheduler_died"},
		{SchedulerExit{Scheduler: "qmap", Attached: true, Kind: ExitUnregisteredKernel, Message: "cpu 1 going offline, exiting scheduler", AfterAttach: 2 * time.Second},
			"scheduler qmap unloaded by the kernel (restart request) after 2s: unregistered from the main kernel: cpu 1 going offline, exiting scheduler", "unregistered_kernel"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("String()\n got %q\nwant %q", got, tc.want)
		}
		if got := tc.e.FailureType(); got != tc.typ {
			t.Errorf("%q: FailureType %q, want %q", tc.want, got, tc.typ)
		}
	}
}

func TestResultLineCarriesSchedulerExit(t *testing.T) {
	r := sampleResult()
	r.SchedulerExit = &SchedulerExit{Scheduler: "qmap", Attached: true, Kind: ExitStall, KindName: "runnable_task_stall",
		Victim: &Task{Comm: "init", PID: 58, Role: RoleHarness}}
	r.BPFPrograms = []BPFProgram{{ID: 9, Name: "qmap_enqueue", Type: "StructOps", VerifiedInsns: 1200}}
	line, err := r.Line()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"scheduler_exit":{`, `"kind":1026`, `"role":"harness"`, `"bpf_programs":[{"id":9`} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s: %s", want, line)
		}
	}
	back, _, err := ParseResultLine(line)
	if err != nil || back.SchedulerExit == nil || back.SchedulerExit.Victim.PID != 58 || back.BPFPrograms[0].VerifiedInsns != 1200 {
		t.Errorf("round trip: %+v, %v", back.SchedulerExit, err)
	}
}
