package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ValidateXML checks doc against the XML schema file xsd with xmllint
// (Debian's libxml2-utils), failing t with xmllint's complaints. Without
// xmllint it skips, or fails under [RequireVM] (CI installs it).
func ValidateXML(t testing.TB, xsd string, doc []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		SkipNotPossible(t, "xmllint not found: apt-get install libxml2-utils")
	}
	path := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput()
	if err != nil {
		t.Errorf("not valid against %s: %v\n%s\n--- document ---\n%s", xsd, err, out, doc)
	}
}
