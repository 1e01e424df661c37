#!/usr/bin/env python3
"""Django's side of covet's benchmark: the workloads W1..W7 of bench/workloads.hpp (which defines
what each does and the outcome it reports), on copies of the benchmark's dataset file.
bench/bench.cpp runs it when Django is installed (Debian: python3-django):

    /usr/bin/python3 bench/django/run.py --db DATASET --params '{"w3_books": 10000, ...}' \\
        [--runs 7] [--only W1,W3] [--work DIR] [--json FILE|-]

--params holds the workloads' parameters (bench.cpp passes its Sizes). Each workload runs once
under CaptureQueriesContext (its statement count and its outcome), then --runs times, timed; the
output is a JSON list of {"id", "seconds" (median), "statements", "rows", "checksum", "per_table"}.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time


def configure(database):
    """Django configured in code: the library app (next to this file) on one SQLite file."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        USE_TZ=False,
        INSTALLED_APPS=["library"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def copy_database(source, target):
    """Copies a database file no connection is writing, replacing target and its WAL files."""
    for suffix in ("-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(source, target)


def outcome(rows, checksum, per_table=None):
    return {"rows": rows, "checksum": checksum, "per_table": per_table or {}}


class Workload:
    """One workload: run() is timed. Each run starts from a fresh copy of `base` when `writes`."""

    writes = False

    def __init__(self, params, dataset, without_books):
        self.params = params
        self.base = dataset


class CreateBooks(Workload):
    """W1. bulk_create of the books with their ids (Django 3.2 cannot read back the ids SQLite
    assigns to a bulk insert), then of the junction rows through the M2M's through model: the
    efficient form of book.categories.add() for many books."""

    writes = True

    def __init__(self, params, dataset, without_books):
        super().__init__(params, dataset, without_books)
        self.base = without_books
        with sqlite3.connect(dataset) as source:  # the books to create, read untimed
            self.books = source.execute(
                "SELECT id, title, author_id, published_date, pages FROM books ORDER BY id").fetchall()
            self.links = source.execute(
                "SELECT book_id, category_id FROM books_categories ORDER BY id").fetchall()
        source.close()

    def run(self):
        from django.db import transaction
        from library.models import Book

        link = Book.categories.through
        with transaction.atomic():
            books = Book.objects.bulk_create(
                Book(id=id, title=title, author_id=author_id, published_date=published_date, pages=pages)
                for id, title, author_id, published_date, pages in self.books)
            links = link.objects.bulk_create(link(book_id=b, category_id=c) for b, c in self.links)
        checksum = sum(book.id for book in books) + sum(row.category_id for row in links)
        return outcome(len(books), checksum, {"books": len(books), "books_categories": len(links)})


class SelectRelated(Workload):
    """W2."""

    def run(self):
        from library.models import Book

        rows = checksum = 0
        for book in Book.objects.select_related("author__profile").iterator():
            rows += 1
            checksum += book.id + len(book.author.name) + len(book.author.profile.bio)
        return outcome(rows, checksum)


class PrefetchCategories(Workload):
    """W3."""

    def run(self):
        from library.models import Book

        rows = checksum = 0
        for book in Book.objects.filter(id__lte=self.params["w3_books"]).prefetch_related("categories"):
            checksum += book.id
            for category in book.categories.all():
                rows += 1
                checksum += book.id * category.id + len(category.name) + (category.parent_id or 0)
        return outcome(rows, checksum)


class PrefetchBooks(Workload):
    """W4."""

    def run(self):
        from library.models import Author

        rows = checksum = 0
        for author in Author.objects.prefetch_related("books"):
            checksum += author.id
            for book in author.books.all():
                rows += 1
                checksum += author.id * book.id + book.pages
        return outcome(rows, checksum)


class LazyAuthor(Workload):
    """W5."""

    def run(self):
        from library.models import Book

        rows = checksum = 0
        for book in Book.objects.filter(id__lte=self.params["w5_books"]):
            author = book.author  # one query each
            rows += 1
            checksum += book.id * author.id + len(author.name)
        return outcome(rows, checksum)


class CascadeDelete(Workload):
    """W6: Django's Collector collects and deletes in Python (the tables have no SQL foreign keys)."""

    writes = True

    def run(self):
        from django.apps import apps
        from library.models import Author

        total, per_model = Author.objects.filter(id__lte=self.params["w6_authors"]).delete()
        per_table = {apps.get_model(label)._meta.db_table: n for label, n in per_model.items() if n}
        return outcome(total, 0, per_table)


class CrossRelationFilter(Workload):
    """W7."""

    def run(self):
        from library.models import Book

        books = Book.objects.filter(author__email__contains=self.params["w7_email_part"],
                                    categories__name=self.params["w7_category"]).distinct()
        rows = checksum = 0
        for book in books:
            rows += 1
            checksum += book.id + book.pages
        return outcome(rows, checksum)


WORKLOADS = {"W1": CreateBooks, "W2": SelectRelated, "W3": PrefetchCategories, "W4": PrefetchBooks,
             "W5": LazyAuthor, "W6": CascadeDelete, "W7": CrossRelationFilter}


def measure(workload_id, workload, database, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def install():  # untimed: the file this run starts from, on a new connection
        connection.close()
        copy_database(workload.base, database)

    install()
    with CaptureQueriesContext(connection) as queries:
        first = workload.run()
    seconds = []
    for _ in range(runs):
        if workload.writes:
            install()
        start = time.perf_counter()
        result = workload.run()
        seconds.append(time.perf_counter() - start)
        if result != first:
            raise RuntimeError(f"{workload_id}: a timed run returned {result}, the first one {first}")
    return {"id": workload_id, "seconds": statistics.median(seconds), "statements": len(queries), **first}


def without_books_copy(dataset, work):
    """The dataset's authors, profiles and categories alone: what W1 starts from."""
    path = os.path.join(work, "without-books.db")
    copy_database(dataset, path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM books_categories")
        db.execute("DELETE FROM books")
    db.execute("VACUUM")
    db.close()
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the benchmark's dataset file (only copied)")
    parser.add_argument("--params", required=True, help="the workloads' parameters, a JSON object")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads, comma-separated")
    parser.add_argument("--work", help="a directory for the copies (default: a temporary one)")
    parser.add_argument("--json", default="-", help="where to write the results (-: standard output)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="covet-bench-django-") as temporary:
        work = args.work or temporary
        database = os.path.join(work, "django.db")
        configure(database)
        params = json.loads(args.params)
        without_books = without_books_copy(args.db, work)
        results = []
        for workload_id in args.only.split(","):
            workload = WORKLOADS[workload_id](params, args.db, without_books)
            results.append(measure(workload_id, workload, database, args.runs))
    text = json.dumps(results, indent=1) + "\n"
    if args.json == "-":
        sys.stdout.write(text)
    else:
        with open(args.json, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
