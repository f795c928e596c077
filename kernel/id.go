package kernel

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// IDKind says how a KTSTR_KERNEL value was read.
type IDKind int

// The forms a KTSTR_KERNEL value can take.
const (
	IDPath    IDKind = iota + 1 // a kernel tree or image path
	IDVersion                   // a release such as 6.14.2 or 6.12.8-custom
	IDKey                       // a cache key such as 6.14.2-tarball-x86_64
)

// ID is a parsed KTSTR_KERNEL value.
type ID struct {
	Kind  IDKind
	Value string
}

var (
	versionRE = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+(\.[0-9]+)?$`)
	// cacheKeyRE matches every key form the cache writes; see [CacheKey].
	cacheKeyRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+_~-]*-(tarball|file|tree|import)(-[0-9a-f]{8})?-(x86_64|aarch64)$`)
	// releaseRE is what a version taken from a tree or an image may look
	// like: it ends up in a directory name, so no slashes or spaces.
	releaseRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+_~-]*$`)
)

// ParseID reads s the way KTSTR_KERNEL is read: a cache key
// ("6.14.2-tarball-x86_64"), a path (anything with a slash or starting
// with a dot, e.g. "../linux"), or a version: a release starting with a
// digit ("6.14.2", or "6.12.8-custom" as recorded by an import). Anything
// else is an error naming s and the accepted forms.
func ParseID(s string) (ID, error) {
	switch {
	case s == "":
		return ID{}, fmt.Errorf("empty kernel id: want a path, a version (6.14.2) or a cache key (6.14.2-tarball-x86_64)")
	case cacheKeyRE.MatchString(s):
		return ID{Kind: IDKey, Value: s}, nil
	case strings.ContainsRune(s, '/') || strings.HasPrefix(s, "."):
		return ID{Kind: IDPath, Value: s}, nil
	case releaseRE.MatchString(s):
		return ID{Kind: IDVersion, Value: s}, nil
	}
	return ID{}, fmt.Errorf("kernel id %q: not a path (./linux), a version (6.14.2) or a cache key (6.14.2-tarball-x86_64)", s)
}

// CheckVersion reports whether v is a release that can be downloaded:
// MAJOR.MINOR or MAJOR.MINOR.PATCH.
func CheckVersion(v string) error {
	if !versionRE.MatchString(v) {
		return fmt.Errorf("unknown version format %q: want MAJOR.MINOR[.PATCH], e.g. 6.12.8", v)
	}
	return nil
}

// CheckRelease reports whether v can name a kernel release in the cache:
// a digit first, then letters, digits and . + _ ~ - (it becomes part of a
// directory name).
func CheckRelease(v string) error {
	if !releaseRE.MatchString(v) {
		return fmt.Errorf("version %q: want a release such as 6.12.8 (digits first; letters, digits and . + _ ~ - only)", v)
	}
	return nil
}

// compareRelease orders kernel release strings such as
// "6.12.117+deb12-cloud-amd64" by their numeric runs, then textually.
func compareRelease(a, b string) int {
	as, bs := releaseParts(a), releaseParts(b)
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := comparePart(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}

// releaseParts splits s into alternating digit and non-digit runs.
func releaseParts(s string) []string {
	var parts []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isDigit(s[i]) != isDigit(s[i-1]) {
			parts = append(parts, s[start:i])
			start = i
		}
	}
	return parts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func comparePart(a, b string) int {
	an, aerr := strconv.Atoi(a)
	bn, berr := strconv.Atoi(b)
	if aerr == nil && berr == nil {
		return cmp.Compare(an, bn)
	}
	return strings.Compare(a, b)
}
