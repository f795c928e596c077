package progress

import (
	"io"
	"strconv"
	"strings"
)

// Terminal keeps a live block at the bottom of a terminal: [Terminal.Draw]
// replaces it, [Terminal.Print] writes lines above it that stay. Lines
// must fit the terminal's width (see [Status]): a wrapped line would
// leave part of an old block on screen. The zero Terminal is not usable;
// set W.
type Terminal struct {
	W     io.Writer
	block []string // what is drawn now
}

// Draw replaces the block with lines.
func (t *Terminal) Draw(lines []string) {
	var b strings.Builder
	t.erase(&b)
	t.block = append(t.block[:0], lines...)
	writeLines(&b, t.block)
	io.WriteString(t.W, b.String())
}

// Print writes lines above the block, which is drawn again below them.
func (t *Terminal) Print(lines ...string) {
	var b strings.Builder
	t.erase(&b)
	writeLines(&b, lines)
	writeLines(&b, t.block)
	io.WriteString(t.W, b.String())
}

// Clear erases the block, leaving the cursor where it started.
func (t *Terminal) Clear() {
	var b strings.Builder
	t.erase(&b)
	t.block = nil
	io.WriteString(t.W, b.String())
}

// erase moves the cursor to the block's first line and erases from there
// to the end of the screen.
func (t *Terminal) erase(b *strings.Builder) {
	if len(t.block) == 0 {
		return
	}
	b.WriteString("\r\x1b[" + strconv.Itoa(len(t.block)) + "A\x1b[J")
}

func writeLines(b *strings.Builder, lines []string) {
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}
