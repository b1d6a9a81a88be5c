//go:build !linux || ppc64 || ppc64le || mips || mipsle || mips64 || mips64le

package main

// Elsewhere the client says "no terminal": the command then prints as it does into a pipe (no progress
// bars, no questions), which is right, only plainer.
func isTerminal(fd int) bool { return false }

func terminalSize(fd int) (columns, lines int) { return 0, 0 }
