package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// terminal is stdin's terminal state, saved so it can be restored should
// QEMU (which puts the terminal in raw mode) be killed before it restores
// it. A nil *terminal means stdin is not a terminal.
type terminal struct {
	fd    int
	saved *unix.Termios
}

// openTerminal returns the terminal on r, or nil when r is not one.
func openTerminal(r io.Reader) *terminal {
	f, ok := r.(*os.File)
	if !ok {
		return nil
	}
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return nil
	}
	return &terminal{fd: int(f.Fd()), saved: t}
}

// env returns TERM and the window size for the guest's console; all zero
// without a terminal.
func (t *terminal) env() (term string, rows, cols int) {
	if t == nil {
		return "", 0, 0
	}
	if ws, err := unix.IoctlGetWinsize(t.fd, unix.TIOCGWINSZ); err == nil {
		rows, cols = int(ws.Row), int(ws.Col)
	}
	return os.Getenv("TERM"), rows, cols
}

// restore puts the saved terminal state back.
func (t *terminal) restore() {
	if t != nil {
		unix.IoctlSetTermios(t.fd, unix.TCSETS, t.saved)
	}
}

// consoleWriter returns where the guest console goes and how to flush
// it at the end: w itself when it is a terminal (QEMU then writes to it
// directly); else a writer that turns the serial line's "\r\n" into
// "\n", so output captured in a file or pipe has plain line ends.
func consoleWriter(w io.Writer) (io.Writer, func() error) {
	if f, ok := w.(*os.File); ok {
		if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
			return w, func() error { return nil }
		}
	}
	c := &crlfWriter{w: w}
	return c, c.Flush
}

// crlfWriter drops the "\r" of every "\r\n"; a "\r" at the end of a
// write is held until the next byte (or Flush) shows what follows it.
type crlfWriter struct {
	w  io.Writer
	cr bool
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+1)
	for _, b := range p {
		if c.cr && b != '\n' {
			out = append(out, '\r')
		}
		c.cr = b == '\r'
		if !c.cr {
			out = append(out, b)
		}
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a held "\r".
func (c *crlfWriter) Flush() error {
	if !c.cr {
		return nil
	}
	c.cr = false
	_, err := c.w.Write([]byte{'\r'})
	return err
}
