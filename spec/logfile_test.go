package spec

import (
	"bytes"
	"strings"
	"testing"
)

func TestFileBlocksRoundTrip(t *testing.T) {
	var out bytes.Buffer
	out.WriteString("=== RUN   TestX\nsome output\n")
	dump := "DEBUG DUMP\n=====\n\\GAUNTLET-FILE-END: dump.txt\nGAUNTLET-FILE-END: dump.txt\nlast line without newline"
	if err := WriteFileBlock(&out, "dump.txt", []byte(dump)); err != nil {
		t.Fatal(err)
	}
	out.WriteString("between\n")
	WriteFileBlock(&out, "dump.txt", []byte("again\n"))
	WriteFileBlock(&out, "empty.log", nil)
	out.WriteString("--- FAIL: TestX\n")
	files, rest := ExtractFiles(out.Bytes())
	if got, want := string(rest), "=== RUN   TestX\nsome output\nbetween\n--- FAIL: TestX\n"; got != want {
		t.Errorf("rest %q, want %q", got, want)
	}
	if len(files) != 3 {
		t.Fatalf("files %+v", files)
	}
	if files[0].Name != "dump.txt" || string(files[0].Data) != dump+"\n" || files[0].Truncated {
		t.Errorf("file 0 %q: %q", files[0].Name, files[0].Data)
	}
	if files[1].Name != "dump-2.txt" || string(files[1].Data) != "again\n" {
		t.Errorf("file 1 %q: %q", files[1].Name, files[1].Data)
	}
	if files[2].Name != "empty.log" || len(files[2].Data) != 0 {
		t.Errorf("file 2 %q: %q", files[2].Name, files[2].Data)
	}
}

func TestExtractFilesEdges(t *testing.T) {
	in := FileBeginPrefix + "../etc/passwd\n" + FileEndPrefix + "x\n" + FileBeginPrefix + "cut.log\npartial\nlines"
	files, rest := ExtractFiles([]byte(in))
	if string(rest) != FileBeginPrefix+"../etc/passwd\n"+FileEndPrefix+"x\n" {
		t.Errorf("rest %q: an invalid name and a stray end line are output", rest)
	}
	if len(files) != 1 || files[0].Name != "cut.log" || !files[0].Truncated || string(files[0].Data) != "partial\nlines\n" {
		t.Errorf("files %+v", files)
	}
	if err := WriteFileBlock(&bytes.Buffer{}, "a/b", nil); err == nil {
		t.Error("a name with a slash was accepted")
	}
	for _, bad := range []string{"", ".hidden", "-x", "a b", "..", strings.Repeat("a", 129)} {
		if ValidFileName(bad) {
			t.Errorf("%q is valid", bad)
		}
	}
}

// FuzzExtractFiles checks that any content written as blocks comes back
// exactly, whatever surrounds it, and that extraction never panics.
func FuzzExtractFiles(f *testing.F) {
	f.Add([]byte("plain\n"), []byte("a\nb\n"), "x.log")
	f.Add([]byte(FileBeginPrefix+"x.log\n"), []byte("\\\\"+FileEndPrefix+"x.log"), "x.log")
	f.Add([]byte(""), []byte(FileBeginPrefix+"y\n"+FileEndPrefix+"y\n"), "y")
	f.Fuzz(func(t *testing.T, before, data []byte, name string) {
		ExtractFiles(before)
		if !ValidFileName(name) {
			return
		}
		// before must end in a newline and hold no unfinished block.
		before = append(bytes.ReplaceAll(before, []byte(fileMarker), []byte("x")), '\n')
		var out bytes.Buffer
		out.Write(before)
		WriteFileBlock(&out, name, data)
		out.WriteString("after\n")
		files, rest := ExtractFiles(out.Bytes())
		want := string(data)
		if want != "" && !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		if len(files) != 1 || files[0].Name != name || string(files[0].Data) != want || files[0].Truncated {
			t.Fatalf("files %+v, want %q as %s", files, want, name)
		}
		if string(rest) != string(before)+"after\n" {
			t.Fatalf("rest %q", rest)
		}
	})
}
