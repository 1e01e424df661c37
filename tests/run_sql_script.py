"""Runs a sql/*.sql script in the sqlite3 shell with covet loaded, as a user would.

    run_sql_script.py --sqlite3 /usr/bin/sqlite3 --module build/ext/covet.so sql/demo.sql
        prints the shell's output (the demo: `ninja -C build demo`)
    ... --expected sql/expected/demo.out
        compares stdout+stderr with the expected output (a meson test); prints a diff on mismatch
    ... --expected sql/expected/demo.out --update
        (re)writes the expected output

The shell runs as `sqlite3 -batch -init <empty> :memory: -cmd '.load <module>' < script`, in a
temporary directory with HOME pointing there (no ~/.sqliterc), so the output depends on the
script and covet alone. The module is loaded by its path without the .so suffix, the way
`.load build/ext/covet` is written by hand; the shell adds the suffix. stderr goes into the same
pipe as stdout (the shell flushes stdout before it reports an error, so the order is that of a
terminal). In compare mode the shell's exit status is appended as a last line: the shell exits 1
when any statement failed, and a crash would show as a signal.
"""

import argparse
import difflib
import os
import subprocess
import sys
import tempfile


def run_shell(sqlite3, module, script):
    load = module[:-3] if module.endswith(".so") else module
    with tempfile.TemporaryDirectory(prefix="covet-sql-") as home, open(script, "rb") as stdin:
        init = os.path.join(home, "sqliterc")
        open(init, "w").close()
        env = dict(os.environ, HOME=home, LC_ALL="C.UTF-8")
        child = subprocess.run([sqlite3, "-batch", "-init", init, ":memory:", "-cmd", ".load " + load],
                               stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=home,
                               env=env, timeout=300)
    output = child.stdout.decode("utf-8", errors="replace")
    # An error message that mentions the module should not tie the output to this build's path.
    return output.replace(load, "<covet>"), child.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite3", default="sqlite3", help="the sqlite3 shell (default: sqlite3 on PATH)")
    parser.add_argument("--module", required=True, help="the built covet.so")
    parser.add_argument("--expected", help="the expected output: compare with it (or write it, with --update)")
    parser.add_argument("--update", action="store_true", help="write the output to --expected")
    parser.add_argument("script", help="the .sql script, fed to the shell's stdin")
    args = parser.parse_args()
    name = os.path.basename(args.script)

    output, status = run_shell(args.sqlite3, os.path.abspath(args.module), args.script)
    if not args.expected:
        sys.stdout.write(output)
        if status < 0:
            print(f"{name}: sqlite3 killed by signal {-status}")
            return 1
        return 0

    actual = output + ("" if output.endswith("\n") or not output else "\n") + f"-- sqlite3 exit status: {status}\n"
    if args.update:
        os.makedirs(os.path.dirname(os.path.abspath(args.expected)), exist_ok=True)
        with open(args.expected, "w", encoding="utf-8") as f:
            f.write(actual)
        print(f"{name}: wrote {args.expected}")
        return 0
    try:
        with open(args.expected, encoding="utf-8") as f:
            expected = f.read()
    except FileNotFoundError:
        sys.stdout.write(actual)
        print(f"{name}: FAILED: no expected output {args.expected} (write it with --update)")
        return 1
    if actual == expected:
        print(f"{name}: OK, output matches {os.path.basename(args.expected)}")
        return 0
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                               args.expected, "sqlite3 output"))
    print(f"{name}: FAILED: output differs from {args.expected} (<covet> = {os.path.abspath(args.module)};"
          " after an intended change: --update)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
