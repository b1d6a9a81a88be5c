# shellcheck shell=bash
# Builds the native `cove` client (clients/go/cmd/cove, Go, standard library only). Source this file, then call:
#
#   cove_build_native ROOT BUILD_DIR
#
# after each build of Cove. With Go 1.19 or newer (on the PATH, or in /usr/lib/go*/bin or /usr/local/go/bin) it
# builds BUILD_DIR/native/cove, prints nothing and returns 0. Offline: the client needs no module, and the build
# may not download one (GOPROXY=off). Without a usable Go it removes an old client (it belongs to an older build),
# says once — BUILD_DIR/no-go remembers it was said — that the CLI runs on the JVM and how to get the fast client,
# and returns 1. A failed build prints its output, removes the old client, and returns 1: until the next build
# every command runs on the JVM, which is slower but right.

# cove_find_go: sets cove_go to a `go` of version 1.19 or newer, or returns 1.
cove_find_go() {
    local candidate version major minor
    cove_go=""
    for candidate in "$(command -v go 2>/dev/null)" /usr/lib/go/bin/go /usr/lib/go-*/bin/go /usr/local/go/bin/go; do
        if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then continue; fi
        version=$("$candidate" version 2>/dev/null) || continue   # "go version go1.19.8 linux/amd64"
        version=${version#go version go}
        major=${version%%.*}
        minor=${version#*.}
        minor=${minor%%[!0-9]*}
        if [ "${major:-0}" -gt 1 ] 2>/dev/null || { [ "${major:-0}" = 1 ] && [ "${minor:-0}" -ge 19 ]; }; then
            cove_go=$candidate
            return 0
        fi
    done
    return 1
}

cove_build_native() {
    local root=$1 build_dir=$2
    local out=$build_dir/native/cove
    local tmp=$out.$$.tmp log=$build_dir/native/build.log
    if ! cove_find_go; then
        rm -f "$out"
        if [ ! -e "$build_dir/no-go" ]; then
            echo "cove: the CLI runs on the JVM (~0.1-0.2 s a command); install Go 1.19 or newer (e.g." \
                 "\`sudo apt-get install golang\`) and every command gets a fast native client from the next build." >&2
            mkdir -p "$build_dir" && : >"$build_dir/no-go"
        fi
        return 1
    fi
    rm -f "$build_dir/no-go"   # (said again if Go goes away)
    mkdir -p "$build_dir/native" || return 1
    # GOCACHE and GOPATH in the build folder: any user can build, and nothing lands in their home. GOTOOLCHAIN=local:
    # a newer Go must not fetch another toolchain. -buildvcs=false: no `git` run (it fails on a checkout owned by
    # someone else). GOFLAGS, GOOS, GOARCH and a go.env of the user's are not this build's.
    if (cd "$root/clients/go" && env -u GOOS -u GOARCH -u GOWORK GOENV=off GOFLAGS= GOTOOLCHAIN=local GOPROXY=off \
            CGO_ENABLED=0 GO111MODULE=on GOCACHE="$build_dir/go-cache" GOPATH="$build_dir/go-path" \
            "$cove_go" build -buildvcs=false -trimpath -ldflags='-s -w' -o "$tmp" ./cmd/cove) >"$log" 2>&1; then
        mv -f "$tmp" "$out"
        return 0
    fi
    cat "$log" >&2
    echo "cove: building the native client failed (output above, also in $log); commands run on the JVM until" \
         "the next build." >&2
    rm -f "$tmp" "$out"
    return 1
}
