package cove

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// DefaultInstance is the instance name used when none is given.
const DefaultInstance = "default"

var instanceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// maxSocketPathBytes: sun_path is 108 bytes on Linux and 104 on macOS, both counting the NUL.
const maxSocketPathBytes = 100

// DefaultDataDir resolves the data folder the way every Cove program does: COVE_DATA_DIR, else
// $XDG_DATA_HOME/cove, else $HOME/.local/share/cove.
func DefaultDataDir() string {
	if d := os.Getenv("COVE_DATA_DIR"); d != "" {
		return absClean(d)
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return absClean(filepath.Join(x, "cove"))
	}
	home := os.Getenv("HOME")
	if home == "" {
		if u, err := user.Current(); err == nil {
			home = u.HomeDir
		}
	}
	return absClean(filepath.Join(home, ".local", "share", "cove"))
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// paths mirrors the Java InstancePaths: where one instance keeps its socket, locks and logs.
type paths struct {
	dataDir  string
	instance string
}

func newPaths(dataDir, instance string) (paths, error) {
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	if instance == "" {
		instance = DefaultInstance
	}
	if !instanceName.MatchString(instance) {
		return paths{}, newError(CodeInvalidInput, "instance name '%s' must be 1-40 characters of a-z, 0-9, '-' and '_', "+
			"starting with a letter or digit", instance)
	}
	return paths{dataDir: absClean(dataDir), instance: instance}, nil
}

func (p paths) isDefault() bool { return p.instance == DefaultInstance }

func (p paths) suffix() string {
	if p.isDefault() {
		return ""
	}
	return "-" + p.instance
}

func (p paths) daemonDir() string { return filepath.Join(p.dataDir, "daemon") }
func (p paths) socket() string    { return filepath.Join(p.daemonDir(), "daemon"+p.suffix()+".sock") }
func (p paths) spawnLockFile() string {
	return filepath.Join(p.daemonDir(), "spawn"+p.suffix()+".lock")
}
func (p paths) logDir() string        { return filepath.Join(p.dataDir, "logs") }
func (p paths) logFile() string       { return filepath.Join(p.logDir(), "daemon"+p.suffix()+".log") }
func (p paths) startupOutput() string { return filepath.Join(p.logDir(), "daemon"+p.suffix()+".out") }

// startCommand is the command that starts this instance's daemon, for error messages.
func (p paths) startCommand() string {
	s := "cove"
	if p.dataDir != DefaultDataDir() {
		s += " --data-dir " + p.dataDir
	}
	if !p.isDefault() {
		s += " --instance " + p.instance
	}
	return s + " start"
}

// userLabel is "name (uid N)" for messages, or "uid N" for a uid without a name.
func userLabel(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("%s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

func modeOf(st *syscall.Stat_t) string { return fmt.Sprintf("%04o", uint32(st.Mode)&0o7777) }

// parentProblem says why the folder parent lets others replace what we keep in it, or "".
func parentProblem(parent string, st *syscall.Stat_t) string {
	if int(st.Uid) != os.Getuid() && st.Uid != 0 {
		return fmt.Sprintf("its parent %s belongs to %s, mode %s: neither you nor root, so its owner can replace it",
			parent, userLabel(int(st.Uid)), modeOf(st))
	}
	if uint32(st.Mode)&0o022 != 0 && uint32(st.Mode)&syscall.S_ISVTX == 0 {
		return fmt.Sprintf("its parent %s (owner %s, mode %s) is writable by others and not sticky, so they can "+
			"replace it", parent, userLabel(int(st.Uid)), modeOf(st))
	}
	return ""
}

// privateFolder applies the path rule (docs/reliability.md, "Security") to one folder on the way to the
// socket: dir is created 0700 if absent, then opened without following a link (O_NOFOLLOW|O_DIRECTORY)
// and judged through that descriptor: it must be ours, and its parent ours or root's and not writable by
// others unless sticky. Ours but looser than 0700 is tightened with fchmod on the descriptor, never by
// path: a path can be swapped for a link between a check and a chmod. It returns why the folder cannot
// be used (nothing changed then), or "".
func privateFolder(dir string) (string, error) {
	dir = absClean(dir)
	parent := filepath.Dir(dir)
	if parent == dir {
		return "it is the root folder", nil
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	pfd, err := syscall.Open(parent, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: parent, Err: err}
	}
	var pst syscall.Stat_t
	err = syscall.Fstat(pfd, &pst)
	_ = syscall.Close(pfd)
	if err != nil {
		return "", &os.PathError{Op: "fstat", Path: parent, Err: err}
	}
	if why := parentProblem(parent, &pst); why != "" {
		return why, nil
	}
	if err := syscall.Mkdir(dir, 0o700); err != nil && err != syscall.EEXIST {
		return "", &os.PathError{Op: "mkdir", Path: dir, Err: err}
	} // an existing one is judged below like any other, whoever made it
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		// O_NOFOLLOW|O_DIRECTORY on a symlink fails with ELOOP or ENOTDIR, depending on the system
		switch err {
		case syscall.ELOOP, syscall.ENOTDIR:
			var st syscall.Stat_t
			if lerr := syscall.Lstat(dir, &st); lerr != nil {
				return "it vanished while Cove was opening it", nil
			}
			switch uint32(st.Mode) & syscall.S_IFMT {
			case syscall.S_IFLNK:
				if to, rerr := os.Readlink(dir); rerr == nil {
					return fmt.Sprintf("it is a symlink (to %s)", to), nil
				}
				return "it is a symlink", nil
			case syscall.S_IFDIR:
				// a folder now, not a moment ago: swapped with a symlink while we opened it
				return "it was swapped with a symlink while Cove opened it", nil
			}
			return fmt.Sprintf("it is not a folder (owner %s, mode %s)", userLabel(int(st.Uid)), modeOf(&st)), nil
		case syscall.ENOENT:
			return "it vanished while Cove was creating it", nil
		}
		return "", &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return "", &os.PathError{Op: "fstat", Path: dir, Err: err}
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Sprintf("it belongs to %s (mode %s), not to you", userLabel(int(st.Uid)), modeOf(&st)), nil
	}
	if uint32(st.Mode)&0o7777 != 0o700 {
		log.Printf("cove: %s was mode %s; tightened to 0700 (Cove's folders are their owner's alone)", dir, modeOf(&st))
		if err := syscall.Fchmod(fd, 0o700); err != nil {
			return "", &os.PathError{Op: "fchmod", Path: dir, Err: err}
		}
	}
	return "", nil
}

// createPrivateDir makes dir with mode 0700, or uses it if it is ours (tightened to 0700); otherwise it
// fails with BAD_DATA_DIR, naming the folder, its owner and mode, and the fix.
func createPrivateDir(dir string) error {
	why, err := privateFolder(dir)
	if err != nil {
		return err
	}
	if why == "" {
		return nil
	}
	var fix string
	switch {
	case strings.HasPrefix(why, "it is a symlink"):
		fix = fmt.Sprintf("Cove does not follow links on the way to its socket: use the real folder as the data "+
			"folder (--data-dir or COVE_DATA_DIR), or replace the link %s with a folder of your own", dir)
	case strings.HasPrefix(why, "it is not a folder"):
		fix = fmt.Sprintf("Move %s away, or choose another --data-dir", dir)
	case strings.HasPrefix(why, "its parent"):
		parent := filepath.Dir(dir)
		fix = fmt.Sprintf("Make %s yours and not writable by others (`chmod go-w %s`), or choose a data folder "+
			"elsewhere (--data-dir or COVE_DATA_DIR)", parent, parent)
	default:
		fix = fmt.Sprintf("Another user may have made it to capture your daemon's clients; Cove does not use it. "+
			"Remove it (as root if need be: `sudo rm -rf %s`), or choose another --data-dir", dir)
	}
	return badDataDir(dir, fmt.Sprintf("%s cannot be used: %s", dir, why), fix)
}

// badDataDir is the error of a folder that breaks the path rule, with the Java client's details.
func badDataDir(folder, problem, fix string) *Error {
	return &Error{Code: CodeBadDataDir, Message: problem + ". Fix: " + fix,
		Details: map[string]any{"folder": folder, "problem": problem, "fix": fix}}
}

func (p paths) createDaemonDir() error {
	if err := createPrivateDir(p.dataDir); err != nil {
		return err
	}
	return createPrivateDir(p.daemonDir())
}

// connectPath is the path to connect to: the socket itself, or, when that is longer than the kernel
// accepts, the same socket through the private short link /tmp/cove-$USER/<hash> that the daemon
// binds through ($XDG_RUNTIME_DIR/cove/<hash> when another user took /tmp/cove-$USER), as Java's
// InstancePaths.connectPath.
func (p paths) connectPath() (string, error) {
	fallback := ""
	if rt := os.Getenv("XDG_RUNTIME_DIR"); strings.TrimSpace(rt) != "" {
		fallback = filepath.Join(rt, "cove")
	}
	return p.connectPathVia(filepath.Join("/tmp", "cove-"+userName()), fallback)
}

// connectPathVia is connectPath with the link folder and its fallback given ("" for none).
func (p paths) connectPathVia(linkDir, fallback string) (string, error) {
	sock := p.socket()
	if len(sock) <= maxSocketPathBytes {
		return sock, nil
	}
	base := linkDir
	why, err := privateFolder(linkDir)
	if err != nil {
		return "", err
	}
	if why != "" {
		fallbackWhy := "XDG_RUNTIME_DIR is not set"
		if fallback != "" {
			if fallbackWhy, err = privateFolder(fallback); err != nil {
				return "", err
			}
		}
		if fallbackWhy != "" {
			alternative := fallbackWhy
			if fallback != "" {
				alternative = fallback + " is no alternative either: " + fallbackWhy
			}
			problem := fmt.Sprintf("%s cannot hold the short link to the socket: %s", linkDir, why)
			fix := fmt.Sprintf("remove %s (as root if need be), set XDG_RUNTIME_DIR, or choose a shorter --data-dir", linkDir)
			e := badDataDir(linkDir, problem, fix)
			e.Message = fmt.Sprintf("%s. Another user may have created it to capture your daemon's clients; Cove refuses "+
				"to use it (%s). Remove %s (as root if need be), set XDG_RUNTIME_DIR, or choose a shorter --data-dir",
				problem, alternative, linkDir)
			return "", e
		}
		log.Printf("cove: %s cannot hold the short link to the socket: %s; using %s instead (clients find it there "+
			"as long as they see the same XDG_RUNTIME_DIR)", linkDir, why, fallback)
		base = fallback
	}
	if err := p.createDaemonDir(); err != nil {
		return "", err
	}
	// the same name as Java's: the first 12 hex digits of SHA-256 of the daemon folder
	sum := sha256.Sum256([]byte(p.daemonDir()))
	link := filepath.Join(base, hex.EncodeToString(sum[:8])[:12])
	target := p.daemonDir()
	if cur, err := os.Readlink(link); err == nil {
		if cur != target {
			_ = os.Remove(link)
			if err := os.Symlink(target, link); err != nil && !os.IsExist(err) {
				return "", err
			}
		}
	} else {
		_ = os.Remove(link)
		if err := os.Symlink(target, link); err != nil && !os.IsExist(err) {
			return "", err
		}
	}
	return filepath.Join(link, filepath.Base(sock)), nil
}

// userName is what Java's user.name gives: the login name of the effective user.
func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}
