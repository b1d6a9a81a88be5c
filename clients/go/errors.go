package cove

import (
	"errors"
	"fmt"
)

// Error codes. The daemon's codes travel on the wire (docs/protocol.md, "Error codes"); the last
// five are the client's own, as in the Java CoreClient, and never travel.
const (
	CodeBadFrame           = "BAD_FRAME"
	CodeUnsupportedVersion = "UNSUPPORTED_VERSION"
	CodeMethodNotFound     = "METHOD_NOT_FOUND"
	CodeDecodeError        = "DECODE_ERROR"
	CodeInvalidInput       = "INVALID_INPUT"
	CodeNotFound           = "NOT_FOUND"
	CodeConflict           = "CONFLICT"
	CodeExecutionError     = "EXECUTION_ERROR"
	CodeTimeout            = "TIMEOUT"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeFrameTooLarge      = "FRAME_TOO_LARGE"
	CodeOverloaded         = "OVERLOADED"
	CodeShuttingDown       = "SHUTTING_DOWN"

	CodeUnavailable    = "UNAVAILABLE"     // no daemon answers: not running, stale socket, permission denied, failed to start
	CodeConnectionLost = "CONNECTION_LOST" // the connection broke with the call in flight
	CodeCancelled      = "CANCELLED"       // the caller's context was cancelled
	// the socket is served by another user's process; nothing was sent (details socket, user, uid)
	CodeUntrustedServer = "UNTRUSTED_SERVER"
	// a folder on the way to the socket breaks the path rule (docs/reliability.md; details folder, problem, fix)
	CodeBadDataDir = "BAD_DATA_DIR"
)

// Error is what the daemon (or this client, for the three client codes) answered. Use errors.As to
// read the code:
//
//	var ce *cove.Error
//	if errors.As(err, &ce) && ce.Code == cove.CodeNotFound { ... }
//
// or errors.Is with one of the Err values below, which match by code alone.
type Error struct {
	Code    string
	Message string
	Details map[string]any
	cause   error
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Unwrap gives the underlying cause, e.g. context.DeadlineExceeded for a local TIMEOUT.
func (e *Error) Unwrap() error { return e.cause }

// Is matches another *Error with the same code and no message (the Err values below).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Reason is Details["reason"] as a string ("" if absent), e.g. "not_running" or "schema_mismatch".
func (e *Error) Reason() string {
	s, _ := e.Details["reason"].(string)
	return s
}

// Sentinels for errors.Is(err, cove.ErrNotFound).
var (
	ErrUnavailable    = &Error{Code: CodeUnavailable}
	ErrConnectionLost = &Error{Code: CodeConnectionLost}
	ErrNotFound       = &Error{Code: CodeNotFound}
	ErrConflict       = &Error{Code: CodeConflict}
	ErrInvalidInput   = &Error{Code: CodeInvalidInput}
	ErrDecodeError    = &Error{Code: CodeDecodeError}
	ErrTimeout        = &Error{Code: CodeTimeout}
)

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Details: map[string]any{}}
}

func codeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
