#!/usr/bin/env python3
"""Builds one target that must not compile, and checks that the compiler says what we expect.

usage: expect_compile_error.py BUILD_DIR TARGET EXPECTED...
Passes when `ninja -C BUILD_DIR TARGET` fails and its output contains every EXPECTED string.
"""
import subprocess
import sys


def main() -> int:
    build_dir, target, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
    result = subprocess.run(['ninja', '-C', build_dir, target], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    output = result.stdout
    if result.returncode == 0:
        print(output)
        print(f'FAIL: {target} compiled, but it must not')
        return 1
    missing = [e for e in expected if e not in output]
    if missing:
        print(output[-20000:])
        print(f'FAIL: the compiler output of {target} lacks: {missing}')
        return 1
    if 'error:' not in output:
        print(output[-20000:])
        print(f'FAIL: {target} failed without a compiler error')
        return 1
    print(f'ok: {target} does not compile, and says {expected}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
