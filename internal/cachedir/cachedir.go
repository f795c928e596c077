// Package cachedir finds the user's cache directory, the base of both of
// gauntlet's caches: the kernel cache (package kernel,
// BASE/ktstr/kernels) and the initramfs archives and accelerator verdicts
// of package vm (BASE/gauntlet). It sits apart so that neither package
// imports the other for it.
package cachedir

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrNoHome means neither $XDG_CACHE_HOME (absolute) nor $HOME is set.
var ErrNoHome = errors.New("no cache directory: XDG_CACHE_HOME and HOME are unset")

// Base returns $XDG_CACHE_HOME when it is an absolute path (the XDG base
// directory specification ignores a relative one), else $HOME/.cache, read
// through getenv (nil means os.Getenv); [ErrNoHome] when neither is set.
func Base(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache"), nil
	}
	return "", ErrNoHome
}
