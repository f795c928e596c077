package main

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gauntlet-sched/gauntlet/run"
)

// envNoColor, when set to anything but "", turns colour off
// (https://no-color.org).
const envNoColor = "NO_COLOR"

// progressFlag is --progress: auto (live on a terminal, plain lines
// otherwise), plain or live.
type progressFlag string

func (f *progressFlag) String() string { return string(*f) }

func (f *progressFlag) Set(s string) error {
	switch s {
	case "auto", "plain", "live":
		*f = progressFlag(s)
		return nil
	}
	return errors.New("want auto (live on a terminal, else plain), plain or live")
}

// display resolves --progress for w, where progress is shown: live and
// in colour on a terminal (colour never with $NO_COLOR), plain lines
// without colour otherwise. live forces the status block (at the
// terminal's width, else 120 columns) and plain forbids it.
func display(mode progressFlag, w io.Writer, getenv func(string) string) run.Display {
	cols, tty := termWidth(w)
	d := run.Display{Live: tty, Width: cols}
	switch mode {
	case "plain":
		d.Live = false
	case "live":
		d.Live = true
	}
	d.Color = tty && getenv(envNoColor) == ""
	return d
}

// termWidth returns w's width in columns and whether w is a terminal.
func termWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return 0, false
	}
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != nil {
		return 0, false
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, true
	}
	return int(ws.Col), true
}
