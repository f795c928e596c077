package vm

import (
	"strings"
	"testing"
)

func TestStderrWatchSeesKVMFailure(t *testing.T) {
	w := newStderrWatch()
	w.Write([]byte("qemu-system-x86_64: warning: host doesn't support requested feature\nKVM internal er"))
	select {
	case <-w.kvmFailed:
		t.Fatal("failure reported before the phrase was complete")
	default:
	}
	w.Write([]byte("ror. Suberror: 1\nemulation failure\nRAX=0000\n"))
	select {
	case <-w.kvmFailed:
	default:
		t.Fatal("a KVM failure split across writes was missed")
	}
	if got := w.failed(); got != "KVM internal error. Suberror: 1" {
		t.Errorf("failure line %q", got)
	}
	w.Write([]byte("emulation failure again\n")) // must not close the channel twice
	if !strings.Contains(w.String(), "RAX=0000") {
		t.Errorf("stderr tail lost text: %q", w.String())
	}
}

func TestStderrWatchKeepsTail(t *testing.T) {
	w := newStderrWatch()
	for i := 0; i < 100; i++ {
		w.Write([]byte(strings.Repeat("x", 1000) + "\n"))
	}
	w.Write([]byte("last line\n"))
	if s := w.String(); len(s) > stderrKeep || !strings.HasSuffix(s, "last line\n") {
		t.Errorf("tail has %d bytes, ends %q", len(s), s[len(s)-20:])
	}
	select {
	case <-w.kvmFailed:
		t.Error("ordinary output reported as a KVM failure")
	default:
	}
}

// The assertion QEMU 7.2 dies of under -accel kvm on a kvm_pvm host.
func TestStderrWatchSeesKVMAssertion(t *testing.T) {
	w := newStderrWatch()
	w.Write([]byte("qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n"))
	select {
	case <-w.kvmFailed:
	default:
		t.Fatal("QEMU's assertion in its KVM code was not taken for a KVM failure")
	}
}
