package launch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gauntlet-sched/gauntlet/kernel"
	"github.com/gauntlet-sched/gauntlet/spec"
)

func TestPayloadFiles(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "bench")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho Time: 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := spec.Spec{Payloads: []spec.Payload{{Name: "a", Binary: script}, {Name: "b", Binary: script}}}
	files, _, err := PayloadFiles(s)
	if err != nil || len(files) != 1 || files[0].Guest != "/gauntlet/payload/bench" || files[0].Host != script {
		t.Fatalf("PayloadFiles = %+v, %v; want the script once at /gauntlet/payload/bench", files, err)
	}
	cfg := VariantConfig("/bin/true", "TestX", s, spec.Variant{Name: "TestX"}, kernel.Kernel{Path: "/k"})
	if !strings.Contains(fmt.Sprint(cfg.Files), "/gauntlet/payload/bench") {
		t.Errorf("VariantConfig files %v lack the payload", cfg.Files)
	}
}

func TestPayloadFilesMissing(t *testing.T) {
	s := spec.Spec{Payloads: []spec.Payload{{Name: "cyclictest", Binary: "/nonexistent/cyclictest", Package: "rt-tests"}}}
	_, _, err := PayloadFiles(s)
	var pe *PayloadBinaryError
	if !errors.As(err, &pe) || !errors.Is(err, spec.ErrNotSupported) {
		t.Fatalf("missing binary: %v, want a *PayloadBinaryError matching ErrNotSupported", err)
	}
	if want := "payload cyclictest: binary /nonexistent/cyclictest: no such file or directory (install package rt-tests: apt-get install rt-tests)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	dir := t.TempDir()
	s.Payloads[0].Binary = dir
	if _, _, err := PayloadFiles(s); err == nil || errors.Is(err, spec.ErrNotSupported) {
		t.Errorf("a directory as binary: %v, want an error that is not a skip", err)
	}
}

func TestPayloadFilesInvalid(t *testing.T) {
	_, _, err := PayloadFiles(spec.Spec{Payloads: []spec.Payload{{Name: "x"}}})
	if err == nil || errors.Is(err, spec.ErrNotSupported) || !strings.Contains(err.Error(), "payload x: no binary") {
		t.Errorf("payload without a binary: %v, want an error (not a skip) naming it", err)
	}
}
