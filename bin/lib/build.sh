# shellcheck shell=bash
# shellcheck disable=SC2154  # root, bin_dir, self, build_dir, packaged and the t_* folders come from bin/cove
# Build on demand, for bin/cove in a checkout: whether the sources changed since the last build, the Maven build,
# the native client (bin/lib/native.sh, when Go is installed) and the build's id. Sourced by bin/cove with $root,
# $build_dir, $JAVA_HOME and $COVE_JAVA_MAJOR set, and $t_cli, $t_daemon, $t_graphql, $t_desktop (the modules'
# target folders, or an installed tree's lib/ folders, where COVE_NO_BUILD=1 and nothing here builds).
#
#   cove_needs_build   true when the jars are missing or older than the sources
#   cove_build         builds them (exits on failure), then the native client; writes $build_dir/stamp and build-id
#   cove_needs_native  true when only the native client is out of date (its Go sources changed, or never tried)
#   cove_build_native_only
#
# Every command that reaches the JVM path runs the checks, so they start no other program (a fork costs
# milliseconds): globs, not find.

stamp=$build_dir/stamp

cove_jars_present() {
    compgen -G "$t_cli/cove-cli-*.jar" >/dev/null \
        && compgen -G "$t_daemon/cove-daemon-*.jar" >/dev/null \
        && [ -d "$t_cli/lib" ] && [ -d "$t_daemon/lib" ] \
        && compgen -G "$t_graphql/cove-graphql-*.jar" >/dev/null \
        && compgen -G "$t_desktop/cove-desktop-*.jar" >/dev/null
}

# cove_newer_than_stamp GLOB...: true when a file or folder under $root that a glob (globstar on) matches is newer
# than the last build. A folder counts too, so that a new or deleted file does.
cove_newer_than_stamp() {
    local f p restore=""
    # (restores the two options as they were; `$(shopt -p …)` would cost a fork)
    shopt -q globstar || restore="shopt -u globstar;"
    shopt -q nullglob || restore="$restore shopt -u nullglob;"
    shopt -s globstar nullglob
    for p in "$@"; do
        # shellcheck disable=SC2231  # $p is a glob, expanded here
        for f in "$root"/$p; do
            case $f in */node_modules/*|*/target/*) continue ;; esac
            if [ "$f" -nt "$stamp" ]; then eval "$restore"; return 0; fi
        done
    done
    eval "$restore"
    return 1
}

# The Java side: a pom.xml, or a file or folder under a module's src/main. (The native client checks the same,
# plus its own Go sources.)
cove_changed_since_stamp() {
    cove_newer_than_stamp pom.xml '*/pom.xml' '*/*/pom.xml' '*/*/*/pom.xml' \
        '*/src/main/**' '*/*/src/main/**' '*/*/*/src/main/**'
}

cove_go_changed_since_stamp() {
    cove_newer_than_stamp clients/go/go.mod 'clients/go/**/*.go'
}

cove_needs_build() {
    if [ "${COVE_NO_BUILD:-}" = 1 ] && cove_jars_present; then
        return 1   # the jars there are what the caller wants run (e.g. just built by Maven itself)
    fi
    [ -f "$stamp" ] && cove_jars_present && ! cove_changed_since_stamp && return 1
    return 0
}

# Only when bin/lib/native.sh can build the client: after its Go sources changed, or once when it is missing
# (Go may have been installed since; native.tried keeps a machine without Go from trying on every command).
cove_needs_native() {
    [ -z "$packaged" ] && [ "${COVE_NO_BUILD:-}" != 1 ] && [ -f "$bin_dir/lib/native.sh" ] || return 1
    if [ ! -e "$build_dir/native/cove" ] && [ ! -e "$build_dir/native.tried" ]; then return 0; fi
    [ -f "$stamp" ] && cove_go_changed_since_stamp
}

# The native client, built by bin/lib/native.sh (its own messages; no Go toolchain is not an error: the JVM path
# serves every command then).
cove_native() {
    if [ -f "$bin_dir/lib/native.sh" ]; then
        # shellcheck source=/dev/null
        . "$bin_dir/lib/native.sh"
        if command -v cove_build_native >/dev/null 2>&1; then
            cove_build_native "$root" "$build_dir" || true
        fi
        : >"$build_dir/native.tried"
    fi
}

cove_build_native_only() {
    local started=$build_dir/stamp.new
    touch "$started"
    cove_native
    if [ -f "$stamp" ]; then mv -f "$started" "$stamp"; else rm -f "$started"; fi
}

cove_build() {
    if [ "${COVE_NO_BUILD:-}" = 1 ]; then
        echo "cove: the build is missing (no jars under */target), and COVE_NO_BUILD=1 forbids building." >&2
        exit 1
    fi
    if ! command -v mvn >/dev/null 2>&1; then
        echo "cove: building Cove needs Apache Maven 3.8 or newer: install it (e.g. 'sudo apt-get install maven'" \
             "or 'brew install maven') and run cove again." >&2
        exit 1
    fi
    if [ ! -x "$JAVA_HOME/bin/javac" ]; then
        echo "cove: $JAVA_HOME is a Java runtime without a compiler; building Cove needs a JDK 21 or newer" \
             "(e.g. 'sudo apt-get install openjdk-21-jdk'), or set JAVA_HOME to one." >&2
        exit 1
    fi
    if [ -f "$stamp" ]; then
        echo "Building Cove (sources changed)…" >&2
    else
        echo "Building Cove (first run)…" >&2
    fi
    local started=$build_dir/stamp.new log=$build_dir/build.log
    touch "$started"   # taken before the build, so edits made during it trigger the next one
    local maven_opts=${MAVEN_OPTS:-}
    if [ "${COVE_JAVA_MAJOR:-0}" -ge 23 ]; then
        maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"  # Maven's Guava warns on JDK 23+
    fi
    if ! (cd "$root" && MAVEN_OPTS=$maven_opts \
            mvn -q -B -DskipTests -pl clients/cli,clients/graphql,clients/desktop,daemon/server,examples/hello-plugin,examples/kv-daemon -am package) >"$log" 2>&1; then
        cat "$log" >&2
        echo "cove: the build failed (output above, also in $log). Fix it, or run" \
             "'mvn -B -DskipTests package' in $root to see more." >&2
        rm -f "$started"
        exit 1
    fi
    # A new id for every build: the native client compares it with the running daemon's (its hello's "build") and
    # restarts a daemon that holds another build's CLI.
    printf '%s\n' "${EPOCHREALTIME:-$SECONDS}-$RANDOM$RANDOM" >"$build_dir/build-id"
    cove_native
    mv -f "$started" "$stamp"
}
