package spec

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// Log files travel from the guest to the host inside the test's output,
// one block per file, each line whole:
//
//	GAUNTLET-FILE-BEGIN: sched-qmap-loader.log
//	...the file's lines...
//	GAUNTLET-FILE-END: sched-qmap-loader.log
//
// A content line that starts with zero or more '\' and then
// "GAUNTLET-FILE-" is written with one more '\' in front, so no content
// line reads as a marker; [ExtractFiles] removes it again. The guest writes
// a block only when nothing else writes (after the scenario), so blocks are
// never interleaved with other output.
const (
	FileBeginPrefix = "GAUNTLET-FILE-BEGIN: "
	FileEndPrefix   = "GAUNTLET-FILE-END: "
	fileMarker      = "GAUNTLET-FILE-"
)

// fileName is what a log file may be called: a plain file name, safe to
// join to a host directory.
var fileName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// ValidFileName reports whether name may name a log file block: 1 to 128
// letters, digits, '_', '.' and '-', not starting with '.' or '-' (no
// directories, no "..").
func ValidFileName(name string) bool { return fileName.MatchString(name) }

// WriteFileBlock writes data as the log file block called name to w, in
// one Write. data's last line need not end in a newline.
func WriteFileBlock(w io.Writer, name string, data []byte) error {
	if !ValidFileName(name) {
		return fmt.Errorf("log file name %q: want 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'", name)
	}
	var b bytes.Buffer
	b.WriteString(FileBeginPrefix + name + "\n")
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if isEscapedMarker(line) {
			b.WriteByte('\\')
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteString(FileEndPrefix + name + "\n")
	_, err := w.Write(b.Bytes())
	return err
}

// isEscapedMarker reports whether line is zero or more '\' then the marker.
func isEscapedMarker(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, `\`), []byte(fileMarker))
}

// OutputFile is one log file found in a test's output.
type OutputFile struct {
	// Name is the file's name as the guest gave it ([ValidFileName]),
	// made unique within one output by a "-2", "-3"... suffix before the
	// extension.
	Name string
	// Data is the file's content, each line ending in a newline.
	Data []byte
	// Truncated is set when the output ended inside the block (the VM
	// died while writing it).
	Truncated bool
}

// ExtractFiles splits the log file blocks out of a test's output: it
// returns the files in order and the output without them. A begin line
// with an invalid name, or an end line outside a block, is ordinary
// output. A block the output ends inside is returned marked Truncated.
func ExtractFiles(out []byte) (files []OutputFile, rest []byte) {
	rest = make([]byte, 0, len(out))
	seen := map[string]int{}
	var cur *OutputFile
	var curName string
	for len(out) > 0 {
		i := bytes.IndexByte(out, '\n')
		var line []byte
		if i < 0 {
			line, out = out, nil
		} else {
			line, out = out[:i], out[i+1:]
		}
		if cur == nil {
			if name, ok := bytes.CutPrefix(line, []byte(FileBeginPrefix)); ok && ValidFileName(string(name)) {
				curName = string(name)
				cur = &OutputFile{Name: uniqueName(seen, curName), Data: []byte{}}
				continue
			}
			rest = append(rest, line...)
			if i >= 0 {
				rest = append(rest, '\n')
			}
			continue
		}
		if string(line) == FileEndPrefix+curName {
			files = append(files, *cur)
			cur = nil
			continue
		}
		if isEscapedMarker(line) {
			line = line[1:]
		}
		cur.Data = append(append(cur.Data, line...), '\n')
	}
	if cur != nil {
		cur.Truncated = true
		files = append(files, *cur)
	}
	return files, rest
}

// uniqueName returns name, or name with a "-N" suffix before its
// extension when an earlier block had it.
func uniqueName(seen map[string]int, name string) string {
	seen[name]++
	n := seen[name]
	if n == 1 {
		return name
	}
	base, ext := name, ""
	if i := bytes.LastIndexByte([]byte(name), '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	u := base + "-" + strconv.Itoa(n) + ext
	if _, taken := seen[u]; taken {
		return uniqueName(seen, u)
	}
	seen[u] = 1
	return u
}
