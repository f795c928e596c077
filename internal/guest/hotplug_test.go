package guest

import (
	"strings"
	"testing"
	"time"
)

func TestHotplugOpsAndHolds(t *testing.T) {
	for want, o := range map[string]OpSpec{
		"offline-cpu 1": {Kind: OpCPUOffline, CPU: 1},
		"online-cpu 5":  {Kind: OpCPUOnline, CPU: 5},
		"toggle-cpu 0":  {Kind: OpCPUToggle},
	} {
		if o.String() != want || !o.isHotplug() {
			t.Errorf("%q (hotplug %v), want %q", o.String(), o.isHotplug(), want)
		}
	}
	h := HoldSpec{Frac: 1, ToggleCPU: 1, ToggleEvery: 250 * time.Millisecond}
	if got := h.String(); got != "full, toggle cpu 1 every 250ms" {
		t.Errorf("hold %q", got)
	}
	bad := map[string]StepSpec{
		"cpu -1 out of range":         {Ops: []OpSpec{{Kind: OpCPUOffline, CPU: -1}}},
		"toggle interval below 1ms":   {Hold: HoldSpec{ToggleCPU: 1, ToggleEvery: time.Microsecond}},
		"toggle interval must not be": {Hold: HoldSpec{ToggleCPU: 1, ToggleEvery: -1}},
		"cpu 4096 out of range":       {Hold: HoldSpec{ToggleCPU: 4096, ToggleEvery: time.Second}},
	}
	for want, st := range bad {
		if err := validateSteps([]StepSpec{st}, 2); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", st, err, want)
		}
	}
	if err := validateSteps([]StepSpec{{Ops: []OpSpec{{Kind: OpCPUToggle, CPU: 3}}, Hold: h}}, 2); err != nil {
		t.Errorf("valid hotplug step: %v", err)
	}
}

// TestHotplugClock: the shared clock adds up the ops' time, counts a
// running op up to the time asked, and nothing before it began.
func TestHotplugClock(t *testing.T) {
	m, err := newShm()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	if got := m.hotplugTime(monoNow()); got != 0 {
		t.Fatalf("no op yet: %d", got)
	}
	m.hotplugBegin()
	start := m.word(hotplugStartOff).Load()
	if got := m.hotplugTime(start - 1); got != 0 {
		t.Errorf("before the op began: %d", got)
	}
	if got := m.hotplugTime(start + 5e6); got != 5e6 {
		t.Errorf("5ms into the op: %d", got)
	}
	m.hotplugEnd()
	total := m.word(hotplugTotalOff).Load()
	if total <= 0 || m.hotplugTime(monoNow()+1e9) != total || m.word(hotplugSeqOff).Load()%2 != 0 {
		t.Errorf("after the op: total %d, time %d", total, m.hotplugTime(monoNow()+1e9))
	}
}

// TestHotplugExcusesOnlyTheOps: a worker's gap across a hotplug op
// loses the op's time and no more, so a stall beyond it still counts.
func TestHotplugExcusesOnlyTheOps(t *testing.T) {
	m, err := newShm()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	const ms = int64(time.Millisecond)
	w := &worker{shm: m, monoBase: 1000 * ms, prog: newProgress()}
	w.hotplugSeen = m.hotplugTime(w.monoBase)
	w.prog.checkpoint(10*ms, 0, 0, w.hotplugSince(10*ms))
	m.word(hotplugSeqOff).Store(2)
	m.word(hotplugTotalOff).Store(300 * ms) // then ops took 300ms in all
	w.prog.checkpoint(2500*ms, 0, 0, w.hotplugSince(2500*ms))
	if got := w.prog.maxGap; got != 2190*ms {
		t.Errorf("gap %dms, want 2490ms less the 300ms of ops", got/ms)
	}
	m.word(hotplugStartOff).Store(w.monoBase + 2600*ms) // an op from +2600ms, still running
	w.prog.finish(3000*ms, w.hotplugSince(3000*ms))
	if got := w.prog.maxGap; got != 2190*ms {
		t.Errorf("trailing gap of 500ms with 400ms in an op made the max %dms", got/ms)
	}
}
