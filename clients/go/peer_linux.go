package cove

import (
	"net"
	"syscall"
)

// serverUID is the uid of the process serving the connected socket (SO_PEERCRED); ok is false where the
// system cannot tell.
func serverUID(nc *net.UnixConn) (uid int, ok bool, err error) {
	raw, err := nc.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var cred *syscall.Ucred
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		cred, gerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return 0, false, err
	}
	if gerr != nil {
		return 0, false, gerr
	}
	return int(cred.Uid), true, nil
}
