# shellcheck shell=bash
# Finds a Java runtime for Cove. Source this file, then call:
#
#   cove_find_java [MIN_MAJOR]   # default 21
#
# On success it sets and exports JAVA_HOME and COVE_JAVA (the java binary), sets COVE_JAVA_MAJOR,
# and returns 0. Otherwise it prints what to install on stderr and returns 1.
# Search order: $JAVA_HOME, `java` on the PATH, then the usual JVM folders (newest version first):
# /usr/lib/jvm/*, /usr/java/*, /opt/java/*, /Library/Java/JavaVirtualMachines/*/Contents/Home.

# cove_java_major JAVA_HOME_DIR: prints the major version of the JDK in that folder, or nothing.
cove_java_major() {
    cove_java_release "$1"
    printf '%s' "$COVE_RELEASE_MAJOR"
}

# cove_java_release JAVA_HOME_DIR: sets COVE_RELEASE_MAJOR (e.g. 21; empty when not a JDK) and
# COVE_RELEASE_RUNTIME (JAVA_RUNTIME_VERSION, e.g. 25.0.1+8-LTS; may be empty). Reads the folder's `release`
# file (written by every JDK build) with bash alone: `cove` runs this on every command, and each program
# started costs milliseconds. Runs `java -version` only for a JDK without one.
cove_java_release() {
    local home=$1 version="" key value
    COVE_RELEASE_MAJOR=""
    COVE_RELEASE_RUNTIME=""
    [ -x "$home/bin/java" ] || return 0
    if [ -r "$home/release" ]; then
        while IFS='=' read -r key value; do
            value=${value#\"}
            value=${value%%\"*}
            case $key in
                JAVA_VERSION) version=$value ;;
                JAVA_RUNTIME_VERSION) COVE_RELEASE_RUNTIME=$value ;;
            esac
        done <"$home/release"
    fi
    if [ -z "$version" ]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    version=${version#1.}              # 1.8.0_372 -> 8.0_372
    version=${version%%[!0-9]*}        # 21.0.2 -> 21, 25-ea -> 25
    COVE_RELEASE_MAJOR=$version
}

# cove_java_home_of JAVA_BINARY: the JDK folder of a java binary, following symlinks
# (/usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/x/bin/java gives /usr/lib/jvm/x).
cove_java_home_of() {
    local bin=$1 link
    while [ -L "$bin" ]; do
        link=$(readlink "$bin")
        case $link in
            /*) bin=$link ;;
            *) bin=$(dirname "$bin")/$link ;;
        esac
    done
    (cd "$(dirname "$bin")/.." 2>/dev/null && pwd -P)
}

cove_find_java() {
    local min=${1:-21} home major best="" best_major=0 candidate seen="" java_on_path
    # 1. JAVA_HOME, 2. java on the PATH: the user's choice wins when it is new enough
    # (the PATH's java is resolved only when JAVA_HOME does not do: that takes a few programs)
    for home in "${JAVA_HOME:-}" path; do
        if [ "$home" = path ]; then
            java_on_path=$(command -v java 2>/dev/null) || continue
            home=$(cove_java_home_of "$java_on_path")
        fi
        [ -n "$home" ] || continue
        cove_java_release "$home"
        major=$COVE_RELEASE_MAJOR
        if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
            best=$home
            best_major=$major
            break
        fi
        seen="$seen $home (Java ${major:-unknown})"
    done
    # 3. the usual folders: the newest qualifying JDK
    if [ -z "$best" ]; then
        for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
            [ -d "$candidate" ] && [ ! -L "$candidate" ] || continue
            cove_java_release "$candidate"
            major=$COVE_RELEASE_MAJOR
            if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
                best=$candidate
                best_major=$major
            fi
        done
    fi
    if [ -z "$best" ]; then
        {
            echo "cove: no Java $min or newer found.${seen:+ Found, too old:$seen.}"
            echo "Install a JDK $min or newer, e.g. 'sudo apt-get install openjdk-$min-jdk' (Debian/Ubuntu),"
            echo "'sudo dnf install java-$min-openjdk-devel' (Fedora) or 'brew install openjdk@$min' (macOS),"
            echo "or set JAVA_HOME to one."
        } >&2
        return 1
    fi
    JAVA_HOME=$best
    COVE_JAVA=$best/bin/java
    COVE_JAVA_MAJOR=$best_major
    export JAVA_HOME COVE_JAVA
    return 0
}
