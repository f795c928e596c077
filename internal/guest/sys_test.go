package guest

import (
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/topo"
)

func TestParseSchedstat(t *testing.T) {
	st, err := parseSchedstat("123456789 5000 42\n")
	if err != nil || st.cpu != 123456789 || st.delay != 5000 || st.slices != 42 {
		t.Errorf("got %+v, %v", st, err)
	}
	for _, bad := range []string{"", "1 2", "1 2 x", "1 2 3 4"} {
		if _, err := parseSchedstat(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestThreadAffinityAndSchedstat(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := affinity(0)
	if err != nil {
		t.Fatal(err)
	}
	defer setAffinity(0, old)
	cpu := old.Last()
	if err := setAffinity(0, topo.NewCPUSet(cpu)); err != nil {
		t.Fatal(err)
	}
	if got := getcpu(); got != cpu {
		t.Errorf("getcpu() = %d after pinning to cpu%d", got, cpu)
	}
	if got, _ := affinity(0); got != topo.NewCPUSet(cpu) {
		t.Errorf("affinity = %s, want %d", got, cpu)
	}
	st0, err := readSchedstat(os.Getpid(), unix.Gettid())
	if err != nil {
		t.Skipf("no schedstat on this kernel: %v", err)
	}
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		spin(shortRounds)
	}
	st1, _ := readSchedstat(os.Getpid(), unix.Gettid())
	if st1.cpu <= st0.cpu {
		t.Errorf("thread cpu time did not grow while spinning: %v -> %v", st0.cpu, st1.cpu)
	}
}

func TestForkExit(t *testing.T) {
	pid, errno := forkExit()
	if errno != 0 {
		t.Fatal(errno)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil || !ws.Exited() || ws.ExitStatus() != 0 {
		t.Fatalf("child %d: status %v, %v", pid, ws, err)
	}
}

func TestCalibrate(t *testing.T) {
	cpus, err := affinity(0)
	if err != nil {
		t.Fatal(err)
	}
	c := calibrate(cpus, 50*time.Millisecond)
	if c.Parallelism <= 0 || c.Stall <= 0 {
		t.Errorf("calibration %+v: want a measured parallelism and stall", c)
	}
	if after, _ := affinity(0); after != cpus {
		t.Errorf("calibration left this thread on %s, was %s", after, cpus)
	}
}
