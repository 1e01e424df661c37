// covet_delete(table, keys): Django's delete() with the whole set checked first.
#include "support.hpp"

using namespace covet::test;

namespace {



}  // namespace

TEST_CASE("returns total and per-table counts, leaving out tables with nothing removed") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.value("SELECT covet_delete('authors', 1)") ==
          R"({"total": 6, "per_table": {"authors": 1, "books": 2, "books_categories": 2, "profiles": 1}})");
    CHECK(db.integer("SELECT count(*) FROM books") == 1);
    CHECK(db.integer("SELECT count(*) FROM books_categories") == 1);
    CHECK(db.integer("SELECT count(*) FROM _covet_doomed") == 0);
    CHECK(db.value("SELECT covet_delete('categories', 1)") == R"({"total": 1, "per_table": {"categories": 1}})");
    CHECK(db.value("SELECT covet_delete('authors', 42)") == R"({"total": 0, "per_table": {}})");
}

TEST_CASE("keys: one key, a JSON array, text keys") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.value("SELECT json_extract(covet_delete('authors', '[1, 2]'), '$.total')") == "9");
    CHECK(db.integer("SELECT count(*) FROM authors") == 0);

    db.exec(R"(CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT);
               CREATE TABLE cities(id INTEGER PRIMARY KEY, country_code TEXT REFERENCES countries);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES ('foreign_key', 'cities', 'country_code', 'countries');
               INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany');
               INSERT INTO cities VALUES (1, 'fr'), (2, 'fr'), (3, 'de');)");
    CHECK(db.value("SELECT covet_delete('countries', 'fr')") == R"({"total": 3, "per_table": {"cities": 2, "countries": 1}})");
    CHECK(db.value("SELECT covet_delete('countries', '[\"de\"]')") == R"({"total": 2, "per_table": {"cities": 1, "countries": 1}})");
}

TEST_CASE("RESTRICT: a restricted row that is itself cascaded does not block (Django's Artist/Album/Song)") {
    Db db;
    artist_album_song(db);
    CHECK(db.value("SELECT covet_delete('artist', 1)") ==
          R"({"total": 3, "per_table": {"album": 1, "artist": 1, "song": 1}})");
    std::string before = db.snapshot();
    std::string message = db.error("SELECT covet_delete('album', 2)");
    CHECK(message.rfind("covet: RESTRICT", 0) == 0);
    CHECK(contains(message, "song.album"));
    CHECK(contains(message, "[song rows: 2]"));
    CHECK(db.snapshot() == before);
}

TEST_CASE("multi-key deletes are as permissive as Django, where row-by-row triggers are stricter") {
    Db db;
    artist_album_song(db);
    db.exec("INSERT INTO album VALUES (3, 2); INSERT INTO song VALUES (3, 1, 3)");
    // Song 3 (artist 1) is on album 3 (artist 2): deleting artist 2 alone is restricted ...
    CHECK(contains(db.error("SELECT covet_delete('artist', 2)"), "covet: RESTRICT"));
    // ... but deleting both artists at once removes song 3 too, so nothing survives to restrict.
    CHECK(db.value("SELECT covet_delete('artist', '[1, 2]')") ==
          R"({"total": 8, "per_table": {"album": 3, "artist": 2, "song": 3}})");
}

TEST_CASE("PROTECT blocks even when the referencing row would be cascaded; the error lists the rows") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec(R"(CREATE TABLE reviews(id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, author_id INTEGER NOT NULL);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) VALUES ('foreign_key', 'reviews', 'book_id', 'books', 'PROTECT');
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES ('foreign_key', 'reviews', 'author_id', 'authors', 'CASCADE', 'reviews');
               INSERT INTO reviews VALUES (7, 1, 1), (8, 2, 1);)");
    std::string before = db.snapshot();
    std::string message = db.error("SELECT covet_delete('authors', 1)");
    CHECK(message.rfind("covet: PROTECT", 0) == 0);
    CHECK(contains(message, "reviews.book"));
    CHECK(contains(message, "[reviews rows: 7, 8]"));
    CHECK(db.snapshot() == before);
    CHECK(db.value("SELECT json_extract(covet_delete('authors', 2), '$.per_table.books')") == "1");
}

TEST_CASE("SET_NULL and SET_DEFAULT update surviving rows; SET_DEFAULT to a row being deleted is refused") {
    Db db;
    users_posts(db);
    CHECK(db.value("SELECT covet_delete('users', 2)") == R"({"total": 1, "per_table": {"users": 1}})");
    CHECK(db.rows("SELECT id, editor_id, owner_id FROM posts ORDER BY id") ==
          std::vector<Row>{{"1", "NULL", "1"}, {"2", "3", "3"}});
    std::string message = db.error("SELECT covet_delete('users', '[1, 3]')");
    CHECK(message.rfind("covet: SET_DEFAULT", 0) == 0);
    CHECK(contains(message, "posts.owner"));
}

TEST_CASE("bad input: unknown table, table not text; and a clear error inside a write statement") {
    Db db;
    library_schema(db);
    library_rows(db);
    CHECK(db.error("SELECT covet_delete('nope', 1)") == "covet: covet_delete: no table \"nope\" in the main schema");
    CHECK(contains(db.error("SELECT covet_delete(1, 1)"), "table must be a table name"));
    // A savepoint cannot open inside another write statement: refused before anything changes.
    db.exec("CREATE TABLE log(result TEXT)");
    std::string before = db.snapshot();
    CHECK(contains(db.error("INSERT INTO log SELECT covet_delete('authors', 1)"),
                   "covet: covet_delete() must run in a statement of its own"));
    CHECK(db.snapshot() == before);
}

TEST_CASE("inside an explicit transaction, a ROLLBACK undoes a covet_delete") {
    Db db;
    library_schema(db);
    library_rows(db);
    std::string before = db.snapshot();
    db.exec("BEGIN");
    db.value("SELECT covet_delete('authors', 1)");
    CHECK(db.integer("SELECT count(*) FROM authors") == 1);
    db.exec("ROLLBACK");
    CHECK(db.snapshot() == before);
}

TEST_CASE("refused: a table without row identity, and a delete whose reach a broken relation makes unknown") {
    Db db;
    db.exec("CREATE TABLE pairs(a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID");
    CHECK(db.error("SELECT covet_delete('pairs', 1)") ==
          "covet: covet_delete: table pairs has no row identity (a WITHOUT ROWID table needs a single-column "
          "primary key)");

    library_schema(db);
    library_rows(db);
    // SQLite rewrites covet's triggers on a rename, so a plain DELETE still cascades; but the
    // relation no longer names an existing table, so covet_delete cannot know what it reaches.
    db.exec("ALTER TABLE books RENAME TO volumes");
    std::string before = db.snapshot();
    std::string message = db.error("SELECT covet_delete('authors', 1)");
    CHECK(message.rfind("covet: covet_delete: relation books.author no longer matches the schema", 0) == 0);
    CHECK(contains(message, "repair it first (see covet_check())"));
    CHECK(db.snapshot() == before);
    CHECK(db.error("SELECT * FROM covet_delete_plan('authors', 1)").rfind("covet: covet_delete_plan: relation", 0) == 0);
    // A delete that reaches no broken relation is not held up.
    db.exec("CREATE TABLE notes(id INTEGER PRIMARY KEY); INSERT INTO notes VALUES (1)");
    CHECK(db.value("SELECT covet_delete('notes', 1)") == R"({"total": 1, "per_table": {"notes": 1}})");
}

TEST_CASE("covet_sync() rebuilds what covet_check() reports missing, and only that") {
    Db db;
    CHECK(db.value("SELECT covet_sync()") == "0");  // no relations stored yet: nothing to do
    library_schema(db);
    CHECK(db.value("SELECT covet_sync()") == "0");
    std::string before = db.snapshot();
    db.exec("DROP TRIGGER \"covet_delete:authors\"; DROP TRIGGER \"covet_insert:books\"");
    CHECK(db.value("SELECT covet_sync()") == "2");
    CHECK(db.snapshot() == before);
    db.exec("CREATE TABLE log(x)");
    CHECK(contains(db.error("INSERT INTO log SELECT covet_sync()"), "covet: covet_sync() must run in a statement of its own"));
}
