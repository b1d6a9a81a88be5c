package main

import "strings"

// globals are the CLI's global options that pick the daemon: the client needs them before the command
// runs, to know which socket to connect to. Everything else is the CLI's to parse, in the daemon.
type globals struct {
	dataDir, instance string
	hasDataDir        bool
	hasInstance       bool
}

// scanGlobals finds --instance NAME, --instance=NAME, --data-dir DIR and --data-dir=DIR anywhere in
// args, as picocli takes them (they are inherited by every subcommand), up to a `--`, after which
// everything is an operand. The word after a bare option is its value whatever it looks like, so
// `--data-dir --instance` is a data folder named "--instance". The last occurrence wins; a repeated
// option is the CLI's usage error to report, to whichever daemon answers.
func scanGlobals(args []string) globals {
	var g globals
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"--instance", "--data-dir"} {
			value, ok := "", false
			if a == name {
				if i+1 >= len(args) {
					break // no value: the CLI says so
				}
				i++
				value, ok = args[i], true
			} else if strings.HasPrefix(a, name+"=") {
				value, ok = a[len(name)+1:], true
			}
			if !ok {
				continue
			}
			if name == "--instance" {
				g.instance, g.hasInstance = value, true
			} else {
				g.dataDir, g.hasDataDir = value, true
			}
			break
		}
	}
	return g
}

// args gives the options back in the one form that cannot be misread (`--data-dir=-x`), for `cove restart`.
func (g globals) args() []string {
	var out []string
	if g.hasDataDir {
		out = append(out, "--data-dir="+g.dataDir)
	}
	if g.hasInstance {
		out = append(out, "--instance="+g.instance)
	}
	return out
}

// commandEnv is the part of the environment the CLI reads, as NAME=VALUE lines: Cove's own settings, where
// the user's folders are (XDG_*, HOME), who they are (USER), and how to print (TERM, COLUMNS, LINES,
// NO_COLOR, the locale). The rest — PATH, secrets in the shell — stays in the client.
func commandEnv(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(name, "COVE_"), strings.HasPrefix(name, "XDG_"), strings.HasPrefix(name, "LC_"):
		case name == "HOME", name == "USER", name == "TERM", name == "COLUMNS", name == "LINES", name == "NO_COLOR",
			name == "LANG":
		default:
			continue
		}
		out[name] = value
	}
	return out
}
