#!/usr/bin/env bash
# Gradescope autograder setup: runs once when the autograder image is built.
# The autograder zip holds this file, run_autograder, and the threadlings
# source tree as threadlings/ (see docs/grading.md).
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends build-essential curl ca-certificates
if ! command -v cargo >/dev/null; then
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
fi
. "$HOME/.cargo/env"
cargo install --locked --path /autograder/source/threadlings --root /usr/local
# Build the check harness once, now, so each submission only compiles itself.
mkdir -p /tmp/warm/reference
cp /autograder/source/threadlings/solutions/counter.rs /tmp/warm/reference/counter.rs
threadlings grade /tmp/warm --exercise counter --format json --output /dev/null
rm -rf /tmp/warm
