package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

func TestScanGlobals(t *testing.T) {
	cases := []struct {
		args []string
		want globals
	}{
		{nil, globals{}},
		{[]string{"status"}, globals{}},
		{[]string{"--instance", "x", "status"}, globals{instance: "x", hasInstance: true}},
		{[]string{"--instance=x", "status"}, globals{instance: "x", hasInstance: true}},
		{[]string{"--data-dir", "/d", "ls"}, globals{dataDir: "/d", hasDataDir: true}},
		{[]string{"--data-dir=/d", "ls"}, globals{dataDir: "/d", hasDataDir: true}},
		// anywhere: picocli's inherited options come after the command too
		{[]string{"search", "gamma", "--all", "--instance", "b", "--data-dir=rel"},
			globals{instance: "b", hasInstance: true, dataDir: "rel", hasDataDir: true}},
		// `--` ends the options: what follows is an operand
		{[]string{"call", "m", "--", "--instance", "x"}, globals{}},
		{[]string{"--instance", "a", "call", "--", "--data-dir=/x"}, globals{instance: "a", hasInstance: true}},
		// a value is the next word, whatever it looks like
		{[]string{"--data-dir", "--instance", "status"}, globals{dataDir: "--instance", hasDataDir: true}},
		{[]string{"--instance", "--data-dir", "x"}, globals{instance: "--data-dir", hasInstance: true}},
		{[]string{"--data-dir", "--", "--instance", "i"}, globals{dataDir: "--", hasDataDir: true, instance: "i", hasInstance: true}},
		{[]string{"--data-dir=--instance=z"}, globals{dataDir: "--instance=z", hasDataDir: true}},
		// empty values and a missing one
		{[]string{"--instance=", "status"}, globals{instance: "", hasInstance: true}},
		{[]string{"status", "--instance"}, globals{}},
		// the last one wins (a repeated option is the CLI's error to report)
		{[]string{"--instance", "a", "--instance=b"}, globals{instance: "b", hasInstance: true}},
		// look-alikes are not the options
		{[]string{"--instances", "x", "--data-dirs=y", "-instance", "z"}, globals{}},
	}
	for _, c := range cases {
		if got := scanGlobals(c.args); got != c.want {
			t.Errorf("scanGlobals(%q) = %+v, want %+v", c.args, got, c.want)
		}
	}
	g := scanGlobals([]string{"--data-dir", "-d", "--instance", "i"})
	if got := g.args(); !reflect.DeepEqual(got, []string{"--data-dir=-d", "--instance=i"}) {
		t.Errorf("args() = %q", got)
	}
}

func TestCommandEnv(t *testing.T) {
	env := commandEnv([]string{
		"COVE_DATA_DIR=/d", "COVE_SELF=/r/bin/cove", "XDG_DATA_HOME=/x", "XDG_CONFIG_HOME=/c", "HOME=/h",
		"USER=u", "TERM=xterm", "COLUMNS=100", "LINES=40", "NO_COLOR=", "LANG=C.UTF-8", "LC_ALL=fr_FR.UTF-8",
		"LC_TIME=C", "PATH=/bin", "AWS_SECRET_ACCESS_KEY=s", "SSH_AUTH_SOCK=/s", "COVEX=1", "LANGUAGE=fr",
		"JAVA_HOME=/j", "NOEQUALS", "=odd", "HOME2=/no",
	})
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"COLUMNS", "COVE_DATA_DIR", "COVE_SELF", "HOME", "LANG", "LC_ALL", "LC_TIME", "LINES",
		"NO_COLOR", "TERM", "USER", "XDG_CONFIG_HOME", "XDG_DATA_HOME"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("kept %q, want %q", keys, want)
	}
	if env["LC_ALL"] != "fr_FR.UTF-8" || env["NO_COLOR"] != "" || env["COVE_DATA_DIR"] != "/d" {
		t.Fatalf("values: %v", env)
	}
}

// TestSourcesChanged builds a small checkout and touches one thing at a time, as bin/cove's
// changed_since_stamp would see it.
func TestSourcesChanged(t *testing.T) {
	root := t.TempDir()
	stamp := filepath.Join(root, ".cove-build", "stamp")
	files := []string{
		"pom.xml", "rpc/pom.xml", "rpc/src/main/java/A.java", "daemon/server/pom.xml",
		"daemon/server/src/main/java/dev/B.java", "daemon/server/src/main/resources/x.txt",
		"clients/go/go.mod", "clients/go/client.go", "clients/go/cmd/cove/main.go", "clients/go/README.md",
		"clients/desktop/src/main/web/node_modules/pkg/index.js", "rpc/target/classes/A.class",
		"rpc/target/src/main/Gen.java", "rpc/src/test/java/ATest.java", "docs/cli.md",
		"a/b/c/src/main/deep.txt", "a/b/c/d/src/main/too-deep.txt", "a/b/c/d/pom.xml",
		"rpc/src/main/.hidden", ".git/src/main/x", "node_modules/src/main/y",
	}
	old := time.Now().Add(-time.Hour)
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// everything an hour old, the stamp a minute old
	_ = filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, old, old) })
	if err := os.MkdirAll(filepath.Dir(stamp), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stampTime := time.Now().Add(-time.Minute)
	_ = os.Chtimes(stamp, stampTime, stampTime)

	if sourcesChanged(root, stamp) {
		t.Fatal("a fresh stamp: nothing changed")
	}
	if !sourcesChanged(root, stamp+".missing") {
		t.Fatal("no stamp: never built, so changed")
	}

	touch := func(rel string, changed bool) {
		t.Helper()
		p := filepath.Join(root, rel)
		now := time.Now()
		if _, err := os.Stat(p); os.IsNotExist(err) {
			if err := os.MkdirAll(p, 0o755); err != nil { // a new folder
				t.Fatal(err)
			}
		}
		if err := os.Chtimes(p, now, now); err != nil {
			t.Fatal(err)
		}
		if got := sourcesChanged(root, stamp); got != changed {
			t.Errorf("after touching %s: changed=%v, want %v", rel, got, changed)
		}
		if got, ok := bashChanged(t, root, stamp); ok && got != changed {
			t.Errorf("after touching %s: bash's rule says changed=%v, want %v", rel, got, changed)
		}
		_ = os.Chtimes(p, old, old)
		_ = os.Chtimes(filepath.Dir(p), old, old) // a new folder made its parent newer too
	}
	if got, ok := bashChanged(t, root, stamp); ok && got {
		t.Fatal("bash's rule: a fresh stamp, yet changed")
	}
	// what does not count
	touch("rpc/target/classes/A.class", false)
	touch("rpc/target/src/main/Gen.java", false)
	touch("clients/desktop/src/main/web/node_modules/pkg/index.js", false)
	touch("rpc/src/test/java/ATest.java", false)
	touch("docs/cli.md", false)
	touch("clients/go/README.md", false)
	touch("rpc/src/main/.hidden", false)
	touch(".git/src/main/x", false)
	touch("node_modules/src/main/y", false)
	touch("a/b/c/d/src/main/too-deep.txt", false)
	touch("a/b/c/d/pom.xml", false)
	touch(".cove-build/stamp-other", false)
	// what does
	touch("pom.xml", true)
	touch("rpc/pom.xml", true)
	touch("daemon/server/pom.xml", true)
	touch("rpc/src/main/java/A.java", true)
	touch("daemon/server/src/main/java/dev/B.java", true)
	touch("daemon/server/src/main/resources/x.txt", true)
	touch("a/b/c/src/main/deep.txt", true)
	touch("rpc/src/main/java/newpkg", true) // a new folder
	touch("rpc/src/main", true)             // a deleted file shows as a newer folder
	touch("clients/desktop/src/main/web/node_modules", true)
	touch("clients/go/go.mod", true)
	touch("clients/go/client.go", true)
	touch("clients/go/cmd/cove/main.go", true)
}

// changedSinceStamp is bin/cove's changed_since_stamp with the native client's sources added: the rule
// sourcesChanged must agree with (bin/cove runs it to decide whether to build, this client to decide
// whether to hand over to bin/cove).
const changedSinceStamp = `
root=$1 stamp=$2
shopt -s globstar nullglob
for f in "$root"/pom.xml "$root"/*/pom.xml "$root"/*/*/pom.xml "$root"/*/*/*/pom.xml \
        "$root"/*/src/main/** "$root"/*/*/src/main/** "$root"/*/*/*/src/main/** \
        "$root"/clients/go/go.mod "$root"/clients/go/**/*.go; do
    case $f in */node_modules/*|*/target/*) continue ;; esac
    if [ "$f" -nt "$stamp" ]; then exit 0; fi
done
exit 1
`

// bashChanged runs changedSinceStamp; ok is false without bash.
func bashChanged(t *testing.T, root, stamp string) (changed, ok bool) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		return false, false
	}
	err = exec.Command(bash, "-c", changedSinceStamp, "bash", root, stamp).Run()
	if ee, isExit := err.(*exec.ExitError); isExit && ee.ExitCode() == 1 {
		return false, true
	}
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return true, true
}
