#!/usr/bin/env python3
"""The two halves of run_autograder that need care.

pick SUBMISSION WANT DEST NOTE
    Chooses the file to grade in Gradescope's submission folder and copies
    it to DEST. It looks at the top level, or inside the one folder there
    when the upload is a zipped folder. Links are never followed (every open
    is O_NOFOLLOW, relative to a directory opened the same way). The choice
    is deterministic: the exercise's own file name WANT, else the only .rs
    file, else the first .rs file by name. NOTE receives what was graded and
    what was not, for the student. Exit status 1: nothing to grade.

finish WORK RESULTS
    Writes RESULTS (results.json) atomically from the grader's output in
    WORK, with the note first in `output`. When the grader failed (no
    checks came back), the student gets 0 and a message saying it is the
    autograder's fault.
"""

import json
import os
import stat
import sys

MAX_BYTES = 1 << 20
# Added by archivers, never a student's file.
IGNORED = ("__MACOSX",)


def open_dir(name, dir_fd=None):
    return os.open(
        name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd
    )


def entries(dir_fd):
    """(name, kind) of the visible entries, kind from lstat, sorted by name."""
    found = []
    for name in sorted(os.listdir(dir_fd)):
        if name.startswith(".") or name in IGNORED:
            continue
        mode = os.lstat(name, dir_fd=dir_fd).st_mode
        if stat.S_ISLNK(mode):
            kind = "link"
        elif stat.S_ISDIR(mode):
            kind = "dir"
        elif stat.S_ISREG(mode):
            kind = "file"
        else:
            kind = "other"
        found.append((name, kind))
    return found


def pick(submission, want, dest, note_path):
    notes = []

    def done(status):
        with open(note_path, "w") as f:
            f.write("\n".join(notes) + "\n")
        return status

    top = open_dir(submission)
    listing = entries(top)
    where, prefix = top, ""
    rs = [n for n, k in listing if k == "file" and n.endswith(".rs")]
    dirs = [n for n, k in listing if k == "dir"]
    if not rs and len(dirs) == 1:
        # A zipped folder: the files are one level down.
        where = open_dir(dirs[0], dir_fd=top)
        prefix = dirs[0] + "/"
        listing = entries(where)
        rs = [n for n, k in listing if k == "file" and n.endswith(".rs")]
    links = [prefix + n for n, k in listing if k == "link"]
    if links:
        notes.append(
            "Not followed (links are never followed): " + ", ".join(links) + "."
        )
    if want in rs:
        chosen = want
    elif rs:
        chosen = rs[0]
    else:
        notes.insert(
            0,
            f"Nothing was graded: your upload holds no {want} (and no other .rs "
            f"file). Upload {want} itself, or a zipped folder holding it.",
        )
        return done(1)
    others = [prefix + n for n in rs if n != chosen]
    if chosen == want or not others:
        notes.insert(0, f"Graded {prefix}{chosen}.")
    else:
        notes.insert(
            0,
            f"Graded {prefix}{chosen}: your upload holds several .rs files and "
            f"none is named {want}, so the first by name was graded. Name the "
            f"file to grade {want}.",
        )
    if others:
        notes.append("Not graded: " + ", ".join(others) + ".")
    fd = os.open(chosen, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=where)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            notes.insert(0, f"Nothing was graded: {prefix}{chosen} is not a file.")
            return done(1)
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        notes.insert(
            0, f"Nothing was graded: {prefix}{chosen} is larger than 1 MiB."
        )
        return done(1)
    with open(dest, "wb") as f:
        f.write(data)
    return done(0)


def read(path, default=""):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return default


def finish(work, results_path):
    note = read(os.path.join(work, "note"))
    status = read(os.path.join(work, "status"), None)
    stderr = read(os.path.join(work, "stderr")).strip()
    results = None
    if status is not None and status.strip() == "0":
        try:
            results = json.loads(read(os.path.join(work, "results.json")))
        except ValueError:
            results = None
    graded = results is not None and bool(results.get("tests"))
    if graded:
        results["output"] = note + "\n" + results.get("output", "")
    elif status is None and note:
        # Nothing to grade: the note says why.
        results = {"score": 0, "output": note, "tests": []}
    else:
        # No checks at all: the tool failed (whatever its exit status). Its
        # own words stay, less any line about a sandbox it never reached.
        said = "" if results is None else results.get("output", "")
        said = "\n".join(
            line for line in said.splitlines() if not line.startswith("Sandbox:")
        )
        results = {
            "score": 0,
            "output": note
            + "\nThe autograder could not check this submission. This is a fault "
            "of the autograder, not of your code: please tell your instructor.\n"
            + said
            + "\n"
            + stderr[-4000:],
            "tests": [],
        }
    tmp = results_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(tmp, results_path)
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "pick":
        return pick(*argv[2:])
    if len(argv) == 4 and argv[1] == "finish":
        return finish(*argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
