package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sourcesChanged tells whether a checkout's sources changed since its last build ($COVE_BUILD_DIR/stamp),
// by the rule of bin/cove's changed_since_stamp, so that the two never disagree (if this said "changed" and
// bash did not, bash would never rebuild and every command would take the slow way):
//
//	"$root"/pom.xml "$root"/*/pom.xml "$root"/*/*/pom.xml "$root"/*/*/*/pom.xml
//	"$root"/*/src/main/** "$root"/*/*/src/main/** "$root"/*/*/*/src/main/**   (files and folders)
//	"$root"/clients/go/go.mod "$root"/clients/go/**/*.go                      (this client's own sources)
//
// with bash's glob semantics: no hidden names, `**` does not enter linked folders, a path containing
// /node_modules/ or /target/ is skipped, and `-nt` compares the modification times of what links point to,
// a missing stamp making everything newer.
func sourcesChanged(root, stamp string) bool {
	st, err := os.Stat(stamp)
	if err != nil {
		return true
	}
	s := scan{since: st.ModTime()}
	if s.newer(filepath.Join(root, "pom.xml")) || s.newer(filepath.Join(root, "clients", "go", "go.mod")) {
		return true
	}
	for _, sub := range s.subfolders(root) {
		if s.modules(sub, 1) {
			return true
		}
	}
	return s.tree(filepath.Join(root, "clients", "go"), func(name string) bool { return strings.HasSuffix(name, ".go") })
}

type scan struct{ since time.Time }

// skipped is bin/cove's `case $f in */node_modules/*|*/target/*) continue`.
func skipped(path string) bool {
	return strings.Contains(path, "/node_modules/") || strings.Contains(path, "/target/")
}

// newer is `[ "$path" -nt "$stamp" ]` for a path a glob matched (so it exists, or is a dangling link: false).
func (s scan) newer(path string) bool {
	if skipped(path) {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.ModTime().After(s.since)
}

// modules looks at the pom.xml and src/main of dir, a folder at depth 1-3, then at its subfolders, as
// the `*` levels of the globs do. A folder named node_modules or target is not entered: everything under it
// is skipped anyway.
func (s scan) modules(dir string, depth int) bool {
	if s.newer(filepath.Join(dir, "pom.xml")) {
		return true
	}
	main := filepath.Join(dir, "src", "main")
	if st, err := os.Stat(main); err == nil && st.IsDir() && !skipped(main) &&
		(st.ModTime().After(s.since) || s.tree(main, func(string) bool { return true })) {
		return true
	}
	if depth == 3 {
		return false
	}
	for _, sub := range s.subfolders(dir) {
		if s.modules(sub, depth+1) {
			return true
		}
	}
	return false
}

// subfolders are the folders a `*` matches in dir (links to folders too), less node_modules and target,
// under which everything is skipped anyway.
func (s scan) subfolders(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || name == "node_modules" || name == "target" {
			continue
		}
		sub := filepath.Join(dir, name)
		if !e.IsDir() {
			if e.Type()&os.ModeSymlink == 0 {
				continue // a file
			}
			if st, err := os.Stat(sub); err != nil || !st.IsDir() {
				continue // `*` goes through a link to a folder, and only to one
			}
		}
		out = append(out, sub)
	}
	return out
}

// tree is `dir/**` (folders and files below dir, not dir itself) filtered by want on the names of files;
// folders count only when every name counts (src/main/**, where a new or deleted file shows as a newer
// folder).
func (s scan) tree(dir string, want func(name string) bool) bool {
	allNames := want("")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		if skipped(path) {
			continue
		}
		isDir := e.IsDir() // false for a link: `**` lists it, does not enter it
		if (isDir && allNames) || (!isDir && want(name)) {
			if e.Type()&os.ModeSymlink != 0 {
				if s.newer(path) {
					return true
				}
			} else if info, err := e.Info(); err == nil && info.ModTime().After(s.since) {
				return true
			}
		}
		if isDir && s.tree(path, want) {
			return true
		}
	}
	return false
}
