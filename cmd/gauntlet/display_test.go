package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/internal/fakeguest"
	"github.com/gauntlet-sched/gauntlet/vm"
)

// openPTY returns a pseudo-terminal's controller and terminal ends, the
// terminal cols wide.
func openPTY(t *testing.T, cols int) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: uint16(cols)}); err != nil {
		t.Fatalf("window size: %v", err)
	}
	return ptmx, tty
}

// screen collects what a terminal receives and says when it first holds
// every one of some strings.
type screen struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want []string
	seen chan struct{} // closed when buf holds every want
}

func (s *screen) read(r *os.File) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		s.mu.Lock()
		s.buf.Write(b[:n])
		if s.seen != nil && containsAll(s.buf.String(), s.want) {
			close(s.seen)
			s.seen = nil
		}
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestProgressOnTerminal runs on a pseudo-terminal: mid-run (the VMs
// held until the terminal shows them) the status block lists the
// running variants and an ETA, in colour; with NO_COLOR the same block
// has no colour.
func TestProgressOnTerminal(t *testing.T) {
	t.Parallel()
	for _, noColor := range []bool{false, true} {
		ptmx, tty := openPTY(t, 100)
		release := make(chan struct{})
		pass := fakeguest.FailOn("smt-2llc")
		c, _, errb := runCLI(func(ctx context.Context, cfg vm.Config) (vm.Result, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return pass(ctx, cfg)
		})
		c.stdout = tty
		if noColor {
			c.getenv = func(k string) string { return map[string]string{envNoColor: "1"}[k] }
		}
		scr := &screen{seen: make(chan struct{}), want: []string{" 1 running, ", ", ETA ", "s  Test", " (sched)\r\n"}}
		seen := scr.seen
		done := make(chan struct{})
		go func() { scr.read(ptmx); close(done) }()
		code := make(chan int, 1)
		go func() {
			code <- c.run(context.Background(), []string{"run", "--accel", "tcg", "--history=", "--out", t.TempDir(), "--presets", "tiny-1llc,smt-2llc", schedFixture})
		}()
		select { // the block shows a running variant and the ETA
		case <-seen:
		case <-time.After(2 * time.Minute): // a guard, not a wait: the VMs are held until seen
			close(release)
			t.Fatalf("the terminal never showed %q:\n%q", scr.want, scr.String())
		}
		mid := scr.String()
		close(release)
		if got := <-code; got != exitFail {
			t.Errorf("exit %d, want %d (smt-2llc fails); stderr %s", got, exitFail, errb)
		}
		tty.Close()
		<-done
		all := scr.String()
		if !strings.Contains(mid, "\x1b[J") || !strings.Contains(mid, "gauntlet: 0/10 done (0 passed, 0 failed, 0 skipped)") {
			t.Errorf("no live block mid-run:\n%q", mid)
		}
		// Failures print above the block as they happen, naming the log.
		if !strings.Contains(all, "smt-2llc") || !strings.Contains(all, "; log ") {
			t.Errorf("no failure line with its log:\n%s", all)
		}
		colored := strings.Contains(all, "\x1b[31m")
		if colored == noColor {
			t.Errorf("NO_COLOR set %v, red in the output %v:\n%q", noColor, colored, all)
		}
		for _, l := range strings.Split(mid, "\r\n") {
			if l = strings.TrimLeft(l, "\r\x1b[0123456789AJ"); strings.Contains(l, " done (") && len([]rune(l)) > 100 {
				t.Errorf("status line wider than the terminal: %q", l)
			}
		}
	}
}

// TestProgressPiped: not on a terminal, progress is plain lines without
// escape codes, unless --progress live asks for the block.
func TestProgressPiped(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"auto", "plain", "live"} {
		c, out, _ := runCLI(fakeguest.FailOn("smt-2llc"))
		c.run(context.Background(), []string{"run", "--progress", mode, "--accel", "tcg", "--history=", "--out", t.TempDir(), "--presets", "tiny-1llc,smt-2llc", schedFixture})
		esc := strings.Contains(out.String(), "\x1b[")
		if esc != (mode == "live") || !strings.Contains(out.String(), "FAIL ") {
			t.Errorf("--progress %s piped: escape codes %v:\n%s", mode, esc, out)
		}
	}
	c, _, errb := runCLI(fakeguest.FailOn(""))
	if code := c.run(context.Background(), []string{"run", "--progress", "fancy"}); code != exitSetup || !strings.Contains(errb.String(), "want auto") {
		t.Errorf("--progress fancy: exit %d, %s", code, errb)
	}
}
