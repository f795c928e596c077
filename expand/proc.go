package expand

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// waitDelay bounds how long a cancelled command may take to exit after it
// was killed (its output pipes are closed then).
const waitDelay = 5 * time.Second

// command returns a command that runs in its own process group, so
// cancelling ctx kills it and everything it started. env is added to the
// host's environment (later entries win), minus the variables in drop.
func command(ctx context.Context, dir string, env, drop []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(environ(drop), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd
}

// run runs cmd and then kills what is left of its process group, so no
// process it started outlives it.
func run(cmd *exec.Cmd) error {
	err := cmd.Run()
	if cmd.Process != nil {
		_ = killGroup(cmd) // ESRCH when nothing is left: fine
	}
	return err
}

func killGroup(cmd *exec.Cmd) error {
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

func environ(drop []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		keep := true
		for _, d := range drop {
			if len(kv) > len(d) && kv[:len(d)] == d && kv[len(d)] == '=' {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
