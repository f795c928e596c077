package testutil

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gauntlet-sched/gauntlet/spec"
)

// recorder notes the first way a helper ended the test instead of ending
// the real one.
type recorder struct {
	*testing.T
	ended string
}

func (r *recorder) note(how string) {
	if r.ended == "" {
		r.ended = how
	}
}
func (r *recorder) Skip(...any)           { r.note("skip") }
func (r *recorder) Fatal(...any)          { r.note("fail") }
func (r *recorder) Fatalf(string, ...any) { r.note("fail") }
func (r *recorder) Helper()               {}

func TestSkipIfNotSupported(t *testing.T) {
	noQEMU := fmt.Errorf("no qemu: %w", spec.ErrNotSupported)
	noSCX := fmt.Errorf("%w (missing) (%w)", spec.ErrNoSchedExt, spec.ErrNotSupported)
	tests := []struct {
		err               error
		requireVM, reqSCX string
		want              string
	}{
		{nil, "", "", ""},
		{errors.New("boom"), "", "", "fail"},
		{noQEMU, "", "", "skip"},
		{noQEMU, "1", "", "fail"},
		{noSCX, "1", "", "skip"}, // VMs required, sched_ext not
		{noSCX, "", "1", "fail"},
		{noQEMU, "", "1", "skip"},
	}
	for _, tt := range tests {
		t.Setenv(spec.EnvRequireVM, tt.requireVM)
		t.Setenv(spec.EnvRequireSchedExt, tt.reqSCX)
		r := &recorder{T: t}
		SkipIfNotSupported(r, tt.err)
		if r.ended != tt.want {
			t.Errorf("err %v, %s=%q, %s=%q: ended %q, want %q", tt.err, spec.EnvRequireVM, tt.requireVM,
				spec.EnvRequireSchedExt, tt.reqSCX, r.ended, tt.want)
		}
	}
}

func TestSchedExtFile(t *testing.T) {
	const env = "GAUNTLET_TEST_SCX_FILE"
	file := WriteFile(t, t.TempDir()+"/bzImage", []byte("image"))
	for _, tt := range []struct {
		value, reqSCX, want string
	}{
		{"", "", "skip"},
		{"", "1", "fail"},
		{file, "1", ""},
		{file + ".missing", "", "fail"},
	} {
		t.Setenv(env, tt.value)
		t.Setenv(spec.EnvRequireSchedExt, tt.reqSCX)
		r := &recorder{T: t}
		got := SchedExtFile(r, env)
		if r.ended != tt.want || tt.want == "" && got != file {
			t.Errorf("%s=%q, %s=%q: ended %q (returned %q), want %q", env, tt.value, spec.EnvRequireSchedExt, tt.reqSCX, r.ended, got, tt.want)
		}
	}
}

func TestSchedulerBinary(t *testing.T) {
	dir := t.TempDir()
	WriteFile(t, dir+"/scx_simple", []byte("x"))
	kernel := WriteFile(t, dir+"/bzImage", []byte("x"))
	for _, tt := range []struct {
		kernel, dir, name, reqSCX, guest string
		want                             string
	}{
		{kernel, dir, "scx_simple", "", "", ""},
		{kernel, dir, "scx_simple", "1", "", ""},
		{"", dir, "scx_simple", "", "", "skip"},
		{"", dir, "scx_simple", "1", "", "fail"},
		{kernel, "", "scx_simple", "", "", "skip"},
		{kernel, dir + "/none", "scx_simple", "1", "", "fail"},
		{kernel, dir, "scx_other", "", "", "skip"},
		{kernel, dir, "scx_other", "1", "", "fail"},
		{"", "/host/dir", "scx_other", "1", "1", ""}, // in the guest: no checks
	} {
		t.Setenv(spec.EnvSchedExtKernel, tt.kernel)
		t.Setenv(spec.EnvSchedulers, tt.dir)
		t.Setenv(spec.EnvRequireSchedExt, tt.reqSCX)
		t.Setenv(spec.EnvGuest, tt.guest)
		r := &recorder{T: t}
		got := SchedulerBinary(r, tt.name)
		if r.ended != tt.want {
			t.Errorf("%+v: ended %q, want %q", tt, r.ended, tt.want)
		}
		if tt.want == "" && got != tt.dir+"/"+tt.name {
			t.Errorf("%+v: path %q", tt, got)
		}
	}
}
