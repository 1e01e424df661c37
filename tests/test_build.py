"""The build as users meet it: meson install with covet.pc, `.load covet` without a path,
a program linked against the static library, only the entry point exported, and a clear
`meson setup` error when a dependency is missing.

usage: test_build.py SOURCE_DIR BUILD_DIR
"""
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE, BUILD = sys.argv[1], sys.argv[2]
MODULE = os.path.join(BUILD, "ext", "covet.so")


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.TemporaryDirectory()
        result = run(["meson", "install", "-C", BUILD, "--destdir", cls.dest.name, "--no-rebuild"])
        assert result.returncode == 0, result.stdout + result.stderr
        prefix = run(["meson", "introspect", "--buildoptions", BUILD]).stdout
        import json
        options = {o["name"]: o["value"] for o in json.loads(prefix)}
        cls.root = cls.dest.name + options["prefix"]
        cls.libdir = os.path.join(cls.root, options["libdir"])
        cls.includedir = os.path.join(cls.root, options["includedir"])

    def test_installs_module_header_library_and_pkgconfig(self):
        for path in [os.path.join(self.libdir, "covet.so"), os.path.join(self.libdir, "libcovet-ext.a"),
                     os.path.join(self.includedir, "covet", "extension.h"),
                     os.path.join(self.libdir, "pkgconfig", "covet.pc")]:
            self.assertTrue(os.path.exists(path), path)
        self.assertTrue(os.path.exists(os.path.join(self.libdir, "pkgconfig", "covet-cpp.pc")))
        self.assertTrue(os.path.exists(os.path.join(self.includedir, "covet", "covet.hpp")))
        pc = open(os.path.join(self.libdir, "pkgconfig", "covet.pc")).read()
        self.assertIn("-lcovet-ext", pc)
        self.assertIn("Requires: sqlite3", pc)

    def test_load_without_a_path_finds_the_installed_module(self):
        # dlopen("covet") searches LD_LIBRARY_PATH and the system library directories; after
        # `meson install` with --prefix=/usr the module lands in one of the latter.
        env = dict(os.environ, LD_LIBRARY_PATH=self.libdir)
        result = run(["/usr/bin/sqlite3", ":memory:", ".load covet", "SELECT covet_version();"], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "0.1.0")
        # Without the library directory on the path it is not found: the test above is not vacuous.
        result = run(["/usr/bin/sqlite3", ":memory:", ".load covet"], env=dict(os.environ, LD_LIBRARY_PATH=""))
        self.assertNotEqual(result.returncode, 0)

    def test_a_program_links_the_static_library(self):
        source = os.path.join(self.dest.name, "app.cpp")
        with open(source, "w") as f:
            f.write('#include <covet/extension.h>\n#include <cstdio>\n#include <cstring>\n'
                    'int main() { sqlite3* db; sqlite3_open(":memory:", &db);\n'
                    '  if (covet_register_extension(db) != SQLITE_OK) return 1;\n'
                    '  sqlite3_stmt* s; sqlite3_prepare_v2(db, "SELECT covet_version()", -1, &s, 0);\n'
                    '  sqlite3_step(s); std::puts((const char*)sqlite3_column_text(s, 0));\n'
                    '  sqlite3_finalize(s); return sqlite3_close(db); }\n')
        exe = os.path.join(self.dest.name, "app")
        result = run(["c++", "-std=c++20", "-I", self.includedir, source, "-o", exe, "-L", self.libdir,
                      "-lcovet-ext", "-lsqlite3"])
        self.assertEqual(result.returncode, 0, result.stderr)
        result = run([exe])
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "0.1.0"))


    def test_a_cpp_program_builds_with_the_installed_pkgconfig(self):
        source = os.path.join(self.dest.name, "models.cpp")
        with open(source, "w") as f:
            f.write('#include <covet/covet.hpp>\n'
                    'struct Note { std::int64_t id = 0; std::string text{}; };\n'
                    'BOOST_HANA_ADAPT_STRUCT(Note, id, text);\n'
                    'int main() { covet::Database db{":memory:"}; db.migrate<Note>();\n'
                    '  db.create(Note{.text = "hi"});\n'
                    '  return db.objects<Note>().count() == 1 ? 0 : 1; }\n')
        # The .pc files name the install prefix: point copies of them at the staging directory.
        pkgconfig = os.path.join(self.dest.name, "pkgconfig")
        os.makedirs(pkgconfig, exist_ok=True)
        for name in ["covet.pc", "covet-cpp.pc"]:
            text = open(os.path.join(self.libdir, "pkgconfig", name)).read()
            prefix = next(line for line in text.splitlines() if line.startswith("prefix="))
            with open(os.path.join(pkgconfig, name), "w") as f:
                f.write(text.replace(prefix, "prefix=" + self.root, 1))
        env = dict(os.environ, PKG_CONFIG_PATH=pkgconfig)
        flags = run(["pkg-config", "--cflags", "--libs", "--static", "covet-cpp"], env=env)
        self.assertEqual(flags.returncode, 0, flags.stderr)
        exe = os.path.join(self.dest.name, "models")
        result = run(["c++", source, "-o", exe] + flags.stdout.split())
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(run([exe]).returncode, 0)


class Module(unittest.TestCase):
    def test_exports_only_the_entry_point(self):
        result = run(["nm", "-D", "--defined-only", MODULE])
        symbols = [line.split()[-1] for line in result.stdout.splitlines()]
        self.assertEqual(symbols, ["sqlite3_covet_init"])

    def test_load_from_the_build_directory(self):
        result = run(["/usr/bin/sqlite3", ":memory:", ".load " + MODULE[:-3], "SELECT covet_version();"])
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "0.1.0"), result.stderr)


class Setup(unittest.TestCase):
    def test_missing_dependency_names_the_package(self):
        with tempfile.TemporaryDirectory() as build:
            env = dict(os.environ, PKG_CONFIG_LIBDIR="/nonexistent", PKG_CONFIG_PATH="")
            result = run(["meson", "setup", os.path.join(build, "b"), SOURCE], env=env, cwd=SOURCE)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("apt-get install libsqlite3-dev", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
