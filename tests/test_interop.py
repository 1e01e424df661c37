"""covet's enforcement is plain SQL: clients that never load covet.so get it too.

    /usr/bin/python3 tests/test_interop.py build/ext/covet.so

Connection 1 loads covet.so into Debian's stdlib sqlite3, creates the library schema in a
temporary database file and registers its relations through covet_relations. Then
  * connection 2, in the same process, which never loads covet, and
  * a separate /usr/bin/python3 process, which never loads covet either,
run the same client code (CLIENT below) and must see the same enforcement, with PRAGMA
recursive_triggers both ON and OFF: deleting an author cascades to books, profile and junction
rows; a PROTECT relation refuses a delete with a message naming it, and the refused delete
changes nothing; a book for a missing author is refused. Finally connection 2 loads covet and
finds the relations persisted, and covet_delete() works on them.

Only the standard library: sqlite3, subprocess, unittest. Ends with one summary line; exits
non-zero on any failure.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

PYTHON = "/usr/bin/python3"
MODULE = None  # argv[1], set in main()

SCHEMA = """
CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
CREATE TABLE profiles(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, bio TEXT, website TEXT);
CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL,
                   published_date TEXT, pages INTEGER);
CREATE TABLE reviews(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, stars INTEGER NOT NULL);
"""

RELATIONS = """
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
    VALUES ('one_to_one', 'profiles', 'author_id', 'authors', 'CASCADE', 'profile');
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
    VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE', 'books');
INSERT INTO covet_relations(name, kind, from_table, to_table, related_name)
    VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books');
INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
    VALUES ('foreign_key', 'reviews', 'book_id', 'books', 'PROTECT', 'reviews');
"""

# Ann (1) has a profile and two books; Bob (2) has one book, which has a review: deleting Bob
# reaches that book through books.author (CASCADE), and reviews.book PROTECTs it.
ROWS = """
INSERT INTO authors VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'bob@example.com');
INSERT INTO profiles VALUES (1, 1, 'Award-winning author', 'https://ann.example.com');
INSERT INTO categories VALUES (1, 'Fiction'), (2, 'Science Fiction');
INSERT INTO books VALUES (1, 'Future Worlds', 1, '2024-01-01', 350), (2, 'Old Worlds', 1, '2020-05-01', 120),
                         (3, 'Bob''s Book', 2, '2021-03-03', 200);
INSERT INTO books_categories(books_id, categories_id) VALUES (1, 1), (1, 2), (3, 2);
INSERT INTO reviews VALUES (1, 3, 5);
"""

RELATION_NAMES = ["profiles.author", "books.author", "books.categories", "reviews.book"]

# The client: opens its own connection, never loads covet, and reports what it saw as a dict.
# Run in this process (exec) and in a child process (python3 -c), so both run the same code.
CLIENT = r'''
import json, sqlite3, sys

def snapshot(db):
    out = {}
    for (name,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table' "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"):
        quoted = '"' + name.replace('"', '""') + '"'
        out[name] = [list(r) for r in db.execute("SELECT * FROM " + quoted + " ORDER BY 1, 2")]
    return out

def attempt(db, sql):
    """Runs sql; returns None on success, else the error message."""
    try:
        db.execute(sql)
        return None
    except sqlite3.Error as e:
        return str(e)

def observe(path, recursive_triggers):
    db = sqlite3.connect(path, isolation_level=None)  # autocommit: each statement is its own
    try:
        seen = {}
        db.execute("PRAGMA recursive_triggers = " + ("ON" if recursive_triggers else "OFF"))
        seen["recursive_triggers"] = db.execute("PRAGMA recursive_triggers").fetchone()[0]
        # Proof that covet is not loaded here: neither its functions nor its tables exist.
        seen["covet_version_error"] = attempt(db, "SELECT covet_version()")
        seen["covet_relations_error"] = attempt(db, "SELECT * FROM covet_relations")
        seen["initial"] = snapshot(db)

        seen["protect_error"] = attempt(db, "DELETE FROM authors WHERE id = 2")
        seen["after_protect"] = snapshot(db)
        seen["protect_book_error"] = attempt(db, "DELETE FROM books WHERE id = 3")
        seen["missing_author_error"] = attempt(
            db, "INSERT INTO books(id, title, author_id) VALUES (10, 'Orphan', 99)")
        seen["missing_book_error"] = attempt(
            db, "INSERT INTO books_categories(books_id, categories_id) VALUES (99, 1)")
        seen["after_refusals"] = snapshot(db)

        seen["cascade_error"] = attempt(db, "DELETE FROM authors WHERE id = 1")
        seen["cascade_changes"] = db.total_changes
        seen["after_cascade"] = snapshot(db)
        return seen
    finally:
        db.close()

if __name__ == "__main__":
    print(json.dumps(observe(sys.argv[1], sys.argv[2] == "on")))
'''


def client_namespace():
    namespace = {"__name__": "covet_interop_client"}
    exec(compile(CLIENT, "<client>", "exec"), namespace)
    return namespace


def load_covet(db):
    db.enable_load_extension(True)
    db.load_extension(MODULE)
    db.enable_load_extension(False)


def create_library(path):
    """Connection 1: loads covet, creates the schema, registers the relations, adds rows."""
    db = sqlite3.connect(path, isolation_level=None)
    load_covet(db)
    db.executescript(SCHEMA)
    db.executescript(RELATIONS)
    db.executescript(ROWS)
    return db


class Interop(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="covet-interop-")
        self.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "library.db")
        # Connection 1 stays open, with covet loaded, while the other clients work.
        self.covet_db = None
        self.addCleanup(lambda: self.covet_db and self.covet_db.close())
        self.fresh_library()
        self.initial = client_namespace()["snapshot"](self.covet_db)

    def fresh_library(self):
        if self.covet_db:
            self.covet_db.close()
        if os.path.exists(self.path):
            os.remove(self.path)
        self.covet_db = create_library(self.path)

    def check_enforcement(self, seen, recursive_triggers):
        self.assertEqual(seen["recursive_triggers"], 1 if recursive_triggers else 0)
        self.assertIn("no such function: covet_version", seen["covet_version_error"] or "(none)")
        self.assertIn("no such table: covet_relations", seen["covet_relations_error"] or "(none)")
        self.assertEqual(seen["initial"], self.initial)

        # PROTECT, reached through the CASCADE of books.author: refused, named, nothing changed.
        for key in ("protect_error", "protect_book_error"):
            message = seen[key]
            self.assertIsNotNone(message, key + ": the delete should have been refused")
            self.assertTrue(message.startswith("covet: PROTECT"), message)
            self.assertIn("reviews.book", message)
        self.assertEqual(seen["after_protect"], self.initial)

        self.assertIsNotNone(seen["missing_author_error"], "a book for a missing author was accepted")
        self.assertTrue(seen["missing_author_error"].startswith("covet: "), seen["missing_author_error"])
        self.assertIn("books.author", seen["missing_author_error"])
        self.assertIsNotNone(seen["missing_book_error"], "a junction row for a missing book was accepted")
        self.assertIn("books.categories", seen["missing_book_error"])
        self.assertEqual(seen["after_refusals"], self.initial)

        # CASCADE: Ann, her profile, her two books and their junction rows go; the rest stays.
        self.assertIsNone(seen["cascade_error"])
        after = seen["after_cascade"]
        self.assertEqual(after["authors"], [[2, "Bob", "bob@example.com"]])
        self.assertEqual(after["profiles"], [])
        self.assertEqual(after["books"], [[3, "Bob's Book", 2, "2021-03-03", 200]])
        self.assertEqual([row[1:] for row in after["books_categories"]], [[3, 2]])
        self.assertEqual(after["categories"], self.initial["categories"])
        self.assertEqual(after["reviews"], self.initial["reviews"])
        self.assertEqual(after["_covet_doomed"], [])
        self.assertEqual(after["_covet_relations"], self.initial["_covet_relations"])

    def observe_in_process(self, recursive_triggers):
        return client_namespace()["observe"](self.path, recursive_triggers)

    def observe_in_child(self, recursive_triggers):
        child = subprocess.run(
            [PYTHON, "-c", CLIENT, self.path, "on" if recursive_triggers else "off"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(child.returncode, 0, child.stderr)
        return json.loads(child.stdout)

    def test_same_process_recursive_triggers_off(self):
        self.check_enforcement(self.observe_in_process(False), False)

    def test_same_process_recursive_triggers_on(self):
        self.check_enforcement(self.observe_in_process(True), True)

    def test_other_process_recursive_triggers_off(self):
        self.check_enforcement(self.observe_in_child(False), False)

    def test_other_process_recursive_triggers_on(self):
        self.check_enforcement(self.observe_in_child(True), True)

    def test_both_clients_see_the_same(self):
        for recursive_triggers in (False, True):
            # Each observation ends with the cascade, so each needs a fresh database.
            in_process = self.observe_in_process(recursive_triggers)
            self.fresh_library()
            in_child = self.observe_in_child(recursive_triggers)
            self.assertEqual(in_process, in_child)
            self.fresh_library()

    def test_the_covet_connection_sees_the_plain_clients_changes(self):
        self.observe_in_process(False)
        counts = {t: self.covet_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("authors", "profiles", "books", "books_categories")}
        self.assertEqual(counts, {"authors": 1, "profiles": 0, "books": 1, "books_categories": 1})

    def test_loading_covet_later_finds_the_relations(self):
        self.covet_db.close()
        self.covet_db = None
        db = sqlite3.connect(self.path, isolation_level=None)
        self.addCleanup(db.close)
        with self.assertRaisesRegex(sqlite3.OperationalError, "no such function: covet_delete"):
            db.execute("SELECT covet_delete('authors', 1)")
        load_covet(db)

        rows = db.execute("SELECT name, kind, on_delete, through_table FROM covet_relations").fetchall()
        self.assertEqual(sorted(rows), sorted([
            ("profiles.author", "one_to_one", "CASCADE", None),
            ("books.author", "foreign_key", "CASCADE", None),
            ("books.categories", "many_to_many", None, "books_categories"),
            ("reviews.book", "foreign_key", "PROTECT", None),
        ]))

        with self.assertRaises(sqlite3.IntegrityError) as refused:
            db.execute("SELECT covet_delete('authors', '[2]')")
        self.assertTrue(str(refused.exception).startswith("covet: PROTECT"), str(refused.exception))
        self.assertIn("reviews.book", str(refused.exception))
        self.assertEqual(db.execute("SELECT count(*) FROM authors").fetchone()[0], 2)

        result = json.loads(db.execute("SELECT covet_delete('authors', '[1]')").fetchone()[0])
        self.assertEqual(result, {"total": 6, "per_table": {
            "authors": 1, "books": 2, "books_categories": 2, "profiles": 1}})
        self.assertEqual(db.execute("SELECT id FROM authors").fetchall(), [(2,)])
        self.assertEqual(db.execute("SELECT id FROM books").fetchall(), [(3,)])

        # Once the review is gone, Bob can go too: his book and its junction row with him.
        db.execute("DELETE FROM reviews")
        result = json.loads(db.execute("SELECT covet_delete('authors', 2)").fetchone()[0])
        self.assertEqual(result, {"total": 3, "per_table": {"authors": 1, "books": 1, "books_categories": 1}})


def main():
    global MODULE
    if len(sys.argv) != 2:
        print("usage: test_interop.py /path/to/covet.so", file=sys.stderr)
        print("test_interop: FAILED (no module path)")
        return 2
    MODULE = os.path.abspath(sys.argv[1])
    if not os.path.exists(MODULE):
        print(f"test_interop: FAILED (no such file: {MODULE})")
        return 2
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(Interop)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    if result.wasSuccessful():
        print(f"test_interop: OK ({result.testsRun} tests, SQLite {sqlite3.sqlite_version}, {MODULE})")
        return 0
    print(f"test_interop: FAILED ({len(result.failures)} failures, {len(result.errors)} errors "
          f"of {result.testsRun} tests)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
