package guest

import (
	"testing"
	"time"
)

// The cost of a progress checkpoint bounds how finely workers can see
// gaps. Run with: go test ./internal/guest -run '^$' -bench Checkpoint

func BenchmarkProgressCheckpoint(b *testing.B) {
	p := newProgress()
	for i := 0; i < b.N; i++ {
		p.checkpoint(int64(i)*1000, i&1, uint64(i>>10), 0)
	}
}

func BenchmarkWorkerCheckpoint(b *testing.B) {
	m, err := newShm()
	if err != nil {
		b.Fatal(err)
	}
	defer m.close()
	w := &worker{shm: m, my: m.slot(0), prog: newProgress(), base: time.Now()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.checkpoint(0)
	}
}

func BenchmarkSpinBlock(b *testing.B) {
	for i := 0; i < b.N; i++ {
		spin(spinRounds)
	}
}

// BenchmarkWorkerCheckpointHotplug is a checkpoint once the scenario has
// hotplugged a CPU: the worker reads the shared hotplug clock too.
func BenchmarkWorkerCheckpointHotplug(b *testing.B) {
	m, err := newShm()
	if err != nil {
		b.Fatal(err)
	}
	defer m.close()
	m.hotplugBegin()
	m.hotplugEnd()
	w := &worker{shm: m, my: m.slot(0), prog: newProgress(), base: time.Now(), monoBase: monoNow()}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.checkpoint(0)
	}
}
