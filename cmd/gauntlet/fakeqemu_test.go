package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gauntlet-sched/gauntlet/internal/vmchan"
	"github.com/gauntlet-sched/gauntlet/spec"
	"github.com/gauntlet-sched/gauntlet/topo"
)

// envFakeFail makes the fake QEMU's test fail on the variants whose name
// matches this regexp.
const envFakeFail = "FAKE_FAIL"

// envFakeFlaky makes the fake QEMU's test fail the first boot of each
// variant whose name matches this regexp and pass the later ones; the
// boots are remembered as files in the directory $FAKE_STATE.
const envFakeFlaky, envFakeState = "FAKE_FLAKY", "FAKE_STATE"

// fakeQEMUMain is qemu-system-x86_64 for the scripts: it plays a guest on
// the channel (internal/vmchan) the way the guest init does, answering
// the run request with `go test -v` output for the requested test that
// passes (logging the variant's --scheduler, if any), or fails with a
// t.Error line when $FAKE_FAIL matches the variant's name. Nothing boots.
func fakeQEMUMain() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--version" {
		fmt.Println("QEMU emulator version 7.2.0 (gauntlet fake)")
		return
	}
	if err := fakeGuest(args); err != nil {
		fmt.Fprintln(os.Stderr, "fake qemu:", err)
		os.Exit(1)
	}
}

// fakeGuest writes the console log and talks to the host on the
// channel's socket.
func fakeGuest(args []string) error {
	fd, console := -1, ""
	for i := 0; i+1 < len(args); i++ {
		if args[i] != "-chardev" {
			continue
		}
		opt := args[i+1]
		if p, ok := strings.CutPrefix(opt, "file,id=console,path="); ok {
			console = strings.ReplaceAll(p, ",,", ",")
		}
		if n, ok := strings.CutPrefix(opt, "socket,id=channel,fd="); ok {
			fd, _ = strconv.Atoi(n)
		}
	}
	if fd < 0 || console == "" {
		return fmt.Errorf("no channel or console in %q", args)
	}
	if err := os.WriteFile(console, []byte("fake console\n"), 0o644); err != nil {
		return err
	}
	return serveFakeGuest(os.NewFile(uintptr(fd), "channel"))
}

// serveFakeGuest is the guest's side of one run: hello, the request, the
// layout the request expects, the test's output, its status, the ack.
func serveFakeGuest(ch io.ReadWriter) error {
	if err := vmchan.WriteJSON(ch, vmchan.KindHello, vmchan.Hello{Uptime: time.Second}); err != nil {
		return err
	}
	f, err := vmchan.Read(ch)
	if err != nil {
		return err
	}
	var req vmchan.Request
	if err := f.Decode(&req); err != nil {
		return err
	}
	if req.Topology != nil {
		vmchan.WriteJSON(ch, vmchan.KindLayout, topo.ExpectedLayout(*req.Topology))
	}
	out, exit := fakeTestOutput(req)
	if _, err := io.WriteString(vmchan.Writer{W: ch}, out); err != nil {
		return err
	}
	if err := vmchan.WriteJSON(ch, vmchan.KindStatus, vmchan.Status{Exit: exit}); err != nil {
		return err
	}
	_, err = vmchan.Read(ch) // the ack
	return err
}

// fakeTestOutput is what `TESTBIN -test.run ^TestX$ -test.v` prints for
// the request's test, and its exit status.
func fakeTestOutput(req vmchan.Request) (string, int) {
	test, variant, sched := "TestUnknown", "", ""
	for i := 0; i+1 < len(req.Args); i++ {
		if req.Args[i] == "-test.run" {
			test = strings.TrimSuffix(strings.TrimPrefix(req.Args[i+1], "^"), "$")
		}
	}
	for _, kv := range req.Env {
		if v, ok := strings.CutPrefix(kv, spec.EnvVariant+"="); ok {
			var sv spec.Variant
			json.Unmarshal([]byte(v), &sv)
			variant = sv.Name
			if sc := sv.Scheduler; sc != nil {
				sched = fmt.Sprintf("    fake_test.go:5: scheduler %s %q attached (fake)\n", filepath.Base(sc.Binary), sc.Args)
			}
		}
	}
	if fakeFails(variant) {
		return fmt.Sprintf("=== RUN   %s\n    fake_test.go:9: %s: stuck 3500ms on cpu1 (fake)\n--- FAIL: %s (0.10s)\nFAIL\n", test, variant, test), 1
	}
	return fmt.Sprintf("=== RUN   %s\n%s--- PASS: %s (0.10s)\nPASS\n", test, sched, test), 0
}

// fakeFails reports whether the fake test fails on variant: it matches
// $FAKE_FAIL, or $FAKE_FLAKY and this is its first boot (the first to
// create its file in $FAKE_STATE, so the answer does not depend on
// timing).
func fakeFails(variant string) bool {
	if re := os.Getenv(envFakeFail); re != "" && regexp.MustCompile(re).MatchString(variant) {
		return true
	}
	re := os.Getenv(envFakeFlaky)
	if re == "" || !regexp.MustCompile(re).MatchString(variant) {
		return false
	}
	name := filepath.Join(os.Getenv(envFakeState), strings.NewReplacer("/", "_", "#", "_").Replace(variant))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false // booted before
	}
	f.Close()
	return true
}
