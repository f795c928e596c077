package vm

import (
	"strings"
	"sync"
)

// kvmFailures are QEMU stderr phrases that mean KVM cannot run this guest.
// "emulation failure" is what kvm_pvm hosts print for stock kernels.
var kvmFailures = []string{
	"emulation failure",
	"KVM internal error",
	"kvm run failed",
	"failed to initialize kvm",
	"Could not access KVM kernel module",
	"KVM not supported",
	"kvm: no such file",
	"/kvm/kvm.c:", // an assertion in QEMU's KVM code (kvm_pvm hosts: kvm_buf_set_msrs)
}

// stderrWatch collects QEMU's stderr (the last stderrKeep bytes) and
// closes kvmFailed the first time a KVM failure phrase shows up.
type stderrWatch struct {
	mu        sync.Mutex
	tail      []byte
	line      string
	failure   string
	kvmFailed chan struct{}
}

const stderrKeep = 8 << 10

func newStderrWatch() *stderrWatch { return &stderrWatch{kvmFailed: make(chan struct{})} }

// Write implements io.Writer.
func (w *stderrWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, p...)
	if len(w.tail) > stderrKeep {
		w.tail = w.tail[len(w.tail)-stderrKeep:]
	}
	if w.failure == "" {
		w.line += string(p)
		if phrase := kvmFailure(w.line); phrase != "" {
			w.failure = phrase
			close(w.kvmFailed)
		}
		if i := strings.LastIndexByte(w.line, '\n'); i >= 0 {
			w.line = w.line[i+1:]
		}
	}
	return len(p), nil
}

// kvmFailure returns the line of s holding a KVM failure phrase.
func kvmFailure(s string) string {
	for _, l := range strings.Split(s, "\n") {
		for _, f := range kvmFailures {
			if strings.Contains(strings.ToLower(l), strings.ToLower(f)) {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}

func (w *stderrWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.tail)
}

func (w *stderrWatch) failed() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failure
}
