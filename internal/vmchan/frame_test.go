package vmchan

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, KindHello, Hello{Uptime: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if _, err := (Writer{W: &buf}).Write([]byte("line 1\n")); err != nil {
		t.Fatal(err)
	}
	if err := Write(&buf, KindAck, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&buf)
	if err != nil || f.Kind != KindHello {
		t.Fatalf("first frame %v, %v", f, err)
	}
	var h Hello
	if err := f.Decode(&h); err != nil || h.Uptime != 1500*time.Millisecond {
		t.Errorf("hello %+v, %v", h, err)
	}
	if f, err = Read(&buf); err != nil || f.Kind != KindOutput || string(f.Payload) != "line 1\n" {
		t.Errorf("output frame %v, %v", f, err)
	}
	if f, err = Read(&buf); err != nil || f.Kind != KindAck || len(f.Payload) != 0 {
		t.Errorf("ack frame %v, %v", f, err)
	}
	if _, err = Read(&buf); err != io.EOF {
		t.Errorf("after the last frame: %v, want io.EOF", err)
	}
}

func TestReadRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		is   error
	}{
		{"unknown kind", []byte{'Z', 0, 0, 0, 0}, ErrBadFrame},
		{"huge length", []byte{'O', 0xff, 0xff, 0xff, 0xff}, ErrBadFrame},
		{"cut payload", []byte{'O', 0, 0, 0, 9, 'a'}, io.ErrUnexpectedEOF},
		{"cut header", []byte{'O', 0}, io.ErrUnexpectedEOF},
	} {
		if _, err := Read(bytes.NewReader(tc.in)); !errors.Is(err, tc.is) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.is)
		}
	}
	var f Frame
	f.Kind, f.Payload = KindStatus, []byte("{")
	if err := f.Decode(&Status{}); err == nil || !strings.Contains(err.Error(), "decode S frame") {
		t.Errorf("bad JSON: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	var seed bytes.Buffer
	WriteJSON(&seed, KindStatus, Status{Exit: 1, Signal: "killed"})
	f.Add(seed.Bytes())
	f.Add([]byte{'O', 0, 0, 0, 1, 'x'})
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, err := Read(bytes.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, fr.Kind, fr.Payload); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), in[:out.Len()]) {
			t.Fatalf("re-encoded frame differs from its input")
		}
	})
}
