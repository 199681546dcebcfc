#!/usr/bin/env bash
# Gradescope autograder setup: runs once, as root, while Gradescope builds
# the autograder image (a Docker build: no CAP_SYS_ADMIN). It installs Rust,
# threadlings and the prebuilt check harness where the sandbox's uid (65534)
# can read them, then grades the reference solution through run_autograder
# exactly as a student's upload will be graded, and fails the build unless
# it earns every point. Nothing it leaves behind holds a reference solution
# that the sandbox's uid could read. See docs/grading.md.
#
# Settings come from autograder.env next to this script (made by
# make_autograder.sh; Gradescope unpacks the zip into /autograder/source).
# The environment can override where things go:
#   THREADLINGS_HOME       toolchain, tool and harness cache    [/opt/threadlings]
#   THREADLINGS_TOOLCHAIN  an installed Rust toolchain (a sysroot) to copy
#                          instead of downloading one with rustup
#   THREADLINGS_SRC        a threadlings source tree instead of cloning
#                          THREADLINGS_GIT at THREADLINGS_REF
#   THREADLINGS_BIN        a built threadlings binary instead of building one
set -euo pipefail

home="${THREADLINGS_HOME:-/opt/threadlings}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
. "$here/autograder.env"
: "${THREADLINGS_EXERCISE:?autograder.env must set THREADLINGS_EXERCISE}"

say() { printf 'setup.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Files made here must be readable by the sandbox's uid.
umask 022
# Zips made on some systems lose the executable bit.
chmod 0755 "$here/run_autograder"

need=()
command -v cc >/dev/null || need+=(build-essential)
command -v python3 >/dev/null || need+=(python3)
if [[ -z "${THREADLINGS_TOOLCHAIN:-}" ]]; then
    command -v curl >/dev/null || need+=(curl ca-certificates)
fi
if [[ -z "${THREADLINGS_SRC:-}" ]]; then
    command -v git >/dev/null || need+=(git ca-certificates)
fi
if ((${#need[@]})); then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# A directory every uid can traverse; the tool itself goes in private/,
# which only root can enter: the binary embeds the reference solutions.
mkdir -p "$home/cache" "$home/private"
chmod 0755 "$home" "$home/cache"
chmod 0700 "$home/private"

# 1. The Rust toolchain, outside /root (mode 0700) so the sandbox can run it.
export RUSTUP_HOME="$home/rustup" CARGO_HOME="$home/cargo"
if [[ -n "${THREADLINGS_TOOLCHAIN:-}" ]]; then
    [[ -x "$THREADLINGS_TOOLCHAIN/bin/rustc" ]] ||
        die "THREADLINGS_TOOLCHAIN=$THREADLINGS_TOOLCHAIN holds no bin/rustc"
    rm -rf "$home/toolchain"
    # Hard links when on the same file system: instant, and no second copy.
    cp -al "$THREADLINGS_TOOLCHAIN" "$home/toolchain" 2>/dev/null ||
        cp -a "$THREADLINGS_TOOLCHAIN" "$home/toolchain"
    mkdir -p "$CARGO_HOME/bin"
    ln -sfn "$home/toolchain/bin/rustc" "$CARGO_HOME/bin/rustc"
    ln -sfn "$home/toolchain/bin/cargo" "$CARGO_HOME/bin/cargo"
elif [[ ! -x "$CARGO_HOME/bin/rustc" ]]; then
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs -o "$scratch/rustup-init.sh"
    sh "$scratch/rustup-init.sh" -y --no-modify-path --profile minimal \
        --default-toolchain "${THREADLINGS_RUST:-stable}"
fi
export PATH="$CARGO_HOME/bin:$PATH"
sysroot="$(rustc --print sysroot)" || die "the Rust toolchain does not run"
say "Rust toolchain: $sysroot"

# 2. The tool, from a source tree that is deleted again below.
if [[ -n "${THREADLINGS_SRC:-}" ]]; then
    src="$THREADLINGS_SRC"
else
    : "${THREADLINGS_GIT:?autograder.env must set THREADLINGS_GIT (or set THREADLINGS_SRC)}"
    src="$scratch/threadlings"
    git init -q "$src"
    git -C "$src" fetch -q --depth 1 "$THREADLINGS_GIT" "${THREADLINGS_REF:-HEAD}"
    git -C "$src" checkout -q FETCH_HEAD
fi
if [[ -n "${THREADLINGS_BIN:-}" ]]; then
    install -m 0700 "$THREADLINGS_BIN" "$home/private/threadlings"
else
    # Grading needs no tutor: without the `tui` feature the image never
    # compiles a terminal UI (ratatui, crossterm, ...).
    CARGO_TARGET_DIR="$scratch/target" cargo install --locked --no-default-features \
        --path "$src" --root "$scratch/install"
    install -m 0700 "$scratch/install/bin/threadlings" "$home/private/threadlings"
fi

# What run_autograder needs, in one place.
{
    # shellcheck disable=SC2016 # $PATH expands when run_autograder sources it
    printf 'export PATH=%q:"$PATH"\n' "$CARGO_HOME/bin"
    printf 'export RUSTUP_HOME=%q CARGO_HOME=%q\n' "$RUSTUP_HOME" "$CARGO_HOME"
    printf 'export THREADLINGS_CACHE=%q\n' "$home/cache"
    printf 'THREADLINGS=%q\n' "$home/private/threadlings"
} >"$home/env"

# 3. The check harness and the exercise drivers, built once into the image's
#    cache (the sandbox's uid reads them; it never builds them itself).
THREADLINGS_CACHE="$home/cache" "$home/private/threadlings" prepare --harness-only ||
    die "threadlings could not build its check harness"

# 4. Warm-up: grade the reference solution exactly as a student's upload.
file="$("$home/private/threadlings" list |
    awk -v id="$THREADLINGS_EXERCISE" '$1 == id { print $2 }')"
[[ -n "$file" ]] || die "threadlings has no exercise \"$THREADLINGS_EXERCISE\""
file="$(basename "$file")"
reference="$src/pack/$THREADLINGS_EXERCISE/solution.rs"
[[ -f "$reference" ]] || die "no reference solution at $reference"
warm="$scratch/warm"
mkdir -p "$warm/submission"
cp "$reference" "$warm/submission/$file"
# Whatever the installers' umask was: the sandbox's uid reads the toolchain.
for dir in "$home/rustup" "$home/toolchain" "$home/cargo"; do
    [[ ! -d "$dir" ]] || chmod -R a+rX "$dir"
done
AUTOGRADER_ROOT="$warm" AUTOGRADER_SOURCE="$here" THREADLINGS_HOME="$home" \
    bash "$here/run_autograder"
python3 - "$warm/results/results.json" <<'PY' || die "the reference solution did not earn every point: the image would give wrong grades"
import json, sys
r = json.load(open(sys.argv[1]))
print(r.get("output", ""), file=sys.stderr)
tests = r.get("tests", [])
full = sum(t["max_score"] for t in tests)
bad = [t["name"] for t in tests if t.get("status") != "passed"]
for t in tests:
    if t.get("status") != "passed":
        print(f"  {t['name']}: {t.get('output', '')}", file=sys.stderr)
sys.exit(0 if tests and not bad and r["score"] == full else 1)
PY
say "the reference solution of $THREADLINGS_EXERCISE earns every point; the autograder is ready"
