package elfdeps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"testing"
)

// buildCache writes entries as a little-endian ld.so.cache in the new
// format, preceded by an old-format part with oldEntries entries when
// oldEntries >= 0.
func buildCache(entries []CacheEntry, oldEntries int) []byte {
	le := binary.LittleEndian
	var strs bytes.Buffer
	offs := make([][2]uint32, len(entries))
	base := cacheHeaderNew + cacheEntryNew*len(entries)
	for i, e := range entries {
		offs[i][0] = uint32(base + strs.Len())
		strs.WriteString(e.Name + "\x00")
		offs[i][1] = uint32(base + strs.Len())
		strs.WriteString(e.Path + "\x00")
	}
	var b bytes.Buffer
	if oldEntries >= 0 {
		b.WriteString(cacheMagicOld + "\x00")
		binary.Write(&b, le, uint32(oldEntries))
		b.Write(make([]byte, cacheEntryOld*oldEntries))
		pad(&b, uint64(b.Len()+7)&^7)
	}
	b.WriteString(cacheMagicNew)
	binary.Write(&b, le, []uint32{uint32(len(entries)), uint32(strs.Len())})
	b.Write([]byte{2, 0, 0, 0})                // little-endian, padding
	binary.Write(&b, le, []uint32{0, 0, 0, 0}) // extension offset, unused
	for i, e := range entries {
		binary.Write(&b, le, []uint32{uint32(e.Flags), offs[i][0], offs[i][1], 0})
		binary.Write(&b, le, e.HWCap)
	}
	b.Write(strs.Bytes())
	return b.Bytes()
}

var testCacheEntries = []CacheEntry{
	{Name: "libz.so.1", Path: "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1", Flags: 0x0303, HWCap: 1<<62 | 1},
	{Name: "libz.so.1", Path: "/lib/x86_64-linux-gnu/libz.so.1", Flags: 0x0303},
	{Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6", Flags: 0x0303},
	{Name: "libc.so.6", Path: "/lib32/libc.so.6", Flags: 0x0003},
}

func TestParseCacheRoundTrip(t *testing.T) {
	for _, old := range []int{-1, 0, 3} {
		got, err := ParseCache(buildCache(testCacheEntries, old))
		if err != nil {
			t.Fatalf("old part %d: %v", old, err)
		}
		if !reflect.DeepEqual(got, testCacheEntries) {
			t.Errorf("old part %d: got %+v", old, got)
		}
	}
}

func TestCacheIndexPrefersBaseline(t *testing.T) {
	got := CacheIndex(testCacheEntries)
	want := map[string][]string{
		"libz.so.1": {"/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1"},
		"libc.so.6": {"/lib/x86_64-linux-gnu/libc.so.6", "/lib32/libc.so.6"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseCacheRejects(t *testing.T) {
	good := buildCache(testCacheEntries, -1)
	bigEndian := bytes.Clone(good)
	bigEndian[28] = 3
	badOffset := bytes.Clone(good)
	binary.LittleEndian.PutUint32(badOffset[cacheHeaderNew+4:], 1<<30)
	for name, b := range map[string][]byte{
		"empty":       nil,
		"other magic": []byte("ld.so-2.0.0 whatever"),
		"truncated":   good[:40],
		"too many":    good[:cacheHeaderNew+cacheEntryNew],
		"big endian":  bigEndian,
		"bad offset":  badOffset,
		"old only":    append([]byte(cacheMagicOld+"\x00"), 0, 0, 0, 0),
	} {
		if _, err := ParseCache(b); !errors.Is(err, ErrBadCache) {
			t.Errorf("%s: got %v, want ErrBadCache", name, err)
		}
	}
}

// TestParseHostCache reads this machine's /etc/ld.so.cache.
func TestParseHostCache(t *testing.T) {
	b, err := os.ReadFile(CachePath)
	if err != nil {
		t.Skipf("no loader cache on this host: %v", err)
	}
	entries, err := ParseCache(b)
	if err != nil {
		t.Fatal(err)
	}
	libc := CacheIndex(entries)["libc.so.6"]
	if len(libc) == 0 {
		t.Fatalf("%d entries, none for libc.so.6", len(entries))
	}
	if _, err := os.Stat(libc[0]); err != nil {
		t.Errorf("libc.so.6 -> %s: %v", libc[0], err)
	}
}

func FuzzParseCache(f *testing.F) {
	f.Add(buildCache(testCacheEntries, -1))
	f.Add(buildCache(testCacheEntries, 2))
	f.Add([]byte(cacheMagicNew))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseCache(b)
		if err != nil && !errors.Is(err, ErrBadCache) {
			t.Fatalf("error %v does not wrap ErrBadCache", err)
		}
		if err == nil {
			CacheIndex(entries)
		}
	})
}
