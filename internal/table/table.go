// Package table renders the terminal tables every gauntlet command prints,
// in one style: plain ASCII (CI logs mangle box drawing), headers as
// written, left-aligned cells.
package table

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Write renders header and rows as one table to w.
func Write(w io.Writer, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off), // keep the indent of grouped rows
	)
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = s
	}
	t.Header(h...)
	if err := t.Bulk(rows); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

// Width is the widest line a table should have: 120 columns fit a common
// terminal and CI log viewers without wrapping.
const Width = 120

// Fit shortens the cells of column col (the one free-text column, such as
// a detail) to one line, with "…" where it was cut, so the table Write
// renders from header and rows is at most width columns wide. The column
// keeps at least minCol characters, so a table whose other columns alone
// are too wide for width stays readable, and wider. Rows are changed in
// place.
func Fit(header []string, rows [][]string, col, width, minCol int) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = runeLen(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && i != col {
				widths[i] = max(widths[i], runeLen(c))
			}
		}
	}
	// "| a | b |": each column adds its padding and a bar to the first bar.
	used := 1
	for i, w := range widths {
		if i != col {
			used += w + 3
		}
	}
	room := max(width-used-3, minCol, runeLen(header[col]))
	for _, r := range rows {
		if col < len(r) {
			r[col] = Truncate(r[col], room)
		}
	}
}

// Truncate returns the first line of s, cut to at most n characters with
// "…" as the last when it was longer.
func Truncate(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string(r[:n-1]) + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
