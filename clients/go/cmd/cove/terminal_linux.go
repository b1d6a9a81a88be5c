//go:build linux && !(ppc64 || ppc64le || mips || mipsle || mips64 || mips64le)

package main

import (
	"syscall"
	"unsafe"
)

// tcgets is Linux's TCGETS on the architectures this file builds for (the syscall package does not name it;
// ppc and mips number it differently and get terminal_other.go).
const tcgets = 0x5401

// isTerminal is isatty(3): the terminal driver answers TCGETS only for a terminal.
func isTerminal(fd int) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), tcgets, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

// terminalSize is the terminal's columns and lines (TIOCGWINSZ), or 0, 0.
func terminalSize(fd int) (columns, lines int) {
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0, 0
	}
	return int(ws.Col), int(ws.Row)
}
