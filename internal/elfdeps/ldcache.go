package elfdeps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ld.so.cache: the loader's index of library names to paths, written by
// ldconfig. Since glibc 2.32 it holds only the "new" format:
//
//	header (48 bytes): magic "glibc-ld.so.cache" version "1.1",
//	  uint32 nlibs, uint32 len_strings, uint8 flags, 3 pad,
//	  uint32 extension_offset, 3 x uint32 unused
//	nlibs entries (24 bytes): int32 flags, uint32 key, uint32 value,
//	  uint32 osversion, uint64 hwcap
//	string table; key and value are offsets from the header's start
//
// Older files start with the "ld.so-1.7.0" format (12-byte entries) and
// carry the new format after it, aligned to 8 bytes.

// CachePath is where the loader's cache lives.
const CachePath = "/etc/ld.so.cache"

const (
	cacheMagicNew  = "glibc-ld.so.cache1.1"
	cacheMagicOld  = "ld.so-1.7.0"
	cacheHeaderNew = 48
	cacheEntryNew  = 24
	cacheHeaderOld = 16 // magic (11) padded to 12, uint32 nlibs
	cacheEntryOld  = 12

	// cacheBigEndian is the header flags value for a big-endian file
	// (2 is little-endian, 0 unknown); this parser reads little-endian.
	cacheBigEndian = 3
)

// CacheEntry is one library of the loader's cache.
type CacheEntry struct {
	// Name is the soname the loader looks up, e.g. libc.so.6.
	Name string
	// Path is the library's file, e.g. /lib/x86_64-linux-gnu/libc.so.6.
	Path string
	// Flags is ldconfig's type word: 0x0303 is a 64-bit x86-64 glibc
	// library (FLAG_ELF_LIBC6 | FLAG_X8664_LIB64).
	Flags int32
	// HWCap is non-zero for a library in a hardware-capability
	// subdirectory (glibc-hwcaps/x86-64-v3 and the like).
	HWCap uint64
}

// ErrBadCache means the cache is truncated or not in a format this parser
// reads.
var ErrBadCache = errors.New("ld.so.cache: unknown format")

// ParseCache reads a little-endian ld.so.cache in the new format (alone or
// after the old one). Entries keep the file's order, which is the
// loader's order of preference.
func ParseCache(b []byte) ([]CacheEntry, error) {
	start, err := newFormatStart(b)
	if err != nil {
		return nil, err
	}
	d := b[start:]
	le := binary.LittleEndian
	if len(d) < cacheHeaderNew {
		return nil, fmt.Errorf("%w: header truncated", ErrBadCache)
	}
	if d[28]&3 == cacheBigEndian {
		return nil, fmt.Errorf("%w: big-endian cache", ErrBadCache)
	}
	n := uint64(le.Uint32(d[20:]))
	if n*cacheEntryNew > uint64(len(d)-cacheHeaderNew) {
		return nil, fmt.Errorf("%w: %d entries do not fit in %d bytes", ErrBadCache, n, len(d))
	}
	out := make([]CacheEntry, 0, n)
	for i := uint64(0); i < n; i++ {
		e := d[cacheHeaderNew+i*cacheEntryNew:]
		name, ok1 := cString(d, le.Uint32(e[4:]))
		path, ok2 := cString(d, le.Uint32(e[8:]))
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: entry %d has a string offset outside the file", ErrBadCache, i)
		}
		out = append(out, CacheEntry{Name: name, Path: path, Flags: int32(le.Uint32(e)), HWCap: le.Uint64(e[16:])})
	}
	return out, nil
}

// newFormatStart returns the offset of the new-format header in b.
func newFormatStart(b []byte) (int, error) {
	switch {
	case bytes.HasPrefix(b, []byte(cacheMagicNew)):
		return 0, nil
	case bytes.HasPrefix(b, []byte(cacheMagicOld)):
		if len(b) < cacheHeaderOld {
			return 0, fmt.Errorf("%w: old header truncated", ErrBadCache)
		}
		n := uint64(binary.LittleEndian.Uint32(b[12:]))
		off := (uint64(cacheHeaderOld) + n*cacheEntryOld + 7) &^ 7
		if off > uint64(len(b)) || !bytes.HasPrefix(b[off:], []byte(cacheMagicNew)) {
			return 0, fmt.Errorf("%w: old format without a new-format part", ErrBadCache)
		}
		return int(off), nil
	}
	return 0, ErrBadCache
}

// cString returns the NUL-terminated string at off in d.
func cString(d []byte, off uint32) (string, bool) {
	if uint64(off) >= uint64(len(d)) {
		return "", false
	}
	end := bytes.IndexByte(d[off:], 0)
	if end < 0 {
		return "", false
	}
	return string(d[off : int(off)+end]), true
}
