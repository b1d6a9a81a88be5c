package cove

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
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

// createPrivateDir makes dir with mode 0700 (tightening it if it exists), as the Java client does.
func createPrivateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		st, serr := os.Stat(dir)
		if serr != nil {
			return err
		}
		if !st.IsDir() {
			return fmt.Errorf("%s exists and is not a folder", dir)
		}
	}
	return os.Chmod(dir, 0o700)
}

func (p paths) createDaemonDir() error {
	if _, err := os.Stat(p.dataDir); os.IsNotExist(err) {
		if err := createPrivateDir(p.dataDir); err != nil {
			return err
		}
	}
	return createPrivateDir(p.daemonDir())
}

// connectPath is the path to connect to: the socket itself, or, when that is longer than the kernel
// accepts, the same socket through the private short link /tmp/cove-$USER/<hash> that the daemon
// binds through (the hash is the first 12 hex digits of SHA-256 of the daemon folder, as in Java).
func (p paths) connectPath() (string, error) {
	sock := p.socket()
	if len(sock) <= maxSocketPathBytes {
		return sock, nil
	}
	base := filepath.Join("/tmp", "cove-"+userName())
	if st, err := os.Lstat(base); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("%s is a symlink; refusing to use it for the short socket path. Remove it, or choose a shorter --data-dir", base)
	}
	if err := createPrivateDir(base); err != nil {
		return "", err
	}
	if err := p.createDaemonDir(); err != nil {
		return "", err
	}
	if owner(base) != owner(p.daemonDir()) {
		return "", fmt.Errorf("%s belongs to another user; choose a shorter --data-dir", base)
	}
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

func owner(path string) int {
	st, err := os.Lstat(path)
	if err != nil {
		return -1
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid)
	}
	return -1
}
