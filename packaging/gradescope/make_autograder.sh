#!/usr/bin/env bash
# Builds the Gradescope autograder zip: setup.sh, run_autograder,
# submission.py and autograder.env at the root of the archive. No sources
# and no reference solutions: setup.sh fetches threadlings at the pinned
# revision while the image is built and deletes the checkout again.
#
#   make_autograder.sh OUT.zip [EXERCISE] [GIT_URL] [REF]
#
# EXERCISE defaults to counter; GIT_URL to this checkout's `origin`; REF to
# its current commit (which must be pushed).
set -euo pipefail
out="${1:?usage: make_autograder.sh OUT.zip [EXERCISE] [GIT_URL] [REF]}"
exercise="${2:-counter}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
git_url="${3:-$(git -C "$here" remote get-url origin 2>/dev/null || true)}"
ref="${4:-$(git -C "$here" rev-parse HEAD 2>/dev/null || true)}"
[[ -n "$git_url" ]] || { echo "make_autograder.sh: give the git URL of threadlings" >&2; exit 2; }
[[ -n "$ref" ]] || { echo "make_autograder.sh: give the revision to build" >&2; exit 2; }
for v in "$exercise" "$git_url" "$ref"; do
    [[ "$v" != *[[:space:]\'\"\$\`\\]* ]] || { echo "make_autograder.sh: unsafe value: $v" >&2; exit 2; }
done
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -m 0755 "$here/setup.sh" "$here/run_autograder" "$here/submission.py" "$stage/"
{
    grep '^#' "$here/autograder.env"
    printf 'THREADLINGS_EXERCISE=%s\nTHREADLINGS_GIT=%s\nTHREADLINGS_REF=%s\n' \
        "$exercise" "$git_url" "$ref"
} >"$stage/autograder.env"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
rm -f "$out"
(cd "$stage" && python3 -m zipfile -c "$out" setup.sh run_autograder submission.py autograder.env)
echo "$out: autograder for $exercise at $git_url $ref"
