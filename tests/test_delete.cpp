// covet_delete(table, keys): Django's delete() with the whole set checked first.
#include "support.hpp"

using namespace covet::test;

namespace {

// The connection's SQLITE_DBCONFIG_ENABLE_TRIGGER setting: 1 when triggers fire.
int triggers_setting(Db& db) {
    int now = -1;
    REQUIRE(sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &now) == SQLITE_OK);
    return now;
}

// covet's own checks still run: a book must name an existing author.
void reference_check_runs(Db& db) {
    CHECK(triggers_setting(db) == 1);
    CHECK(contains(db.error("INSERT INTO books(id, title, author_id) VALUES (100, 'Orphan', 99)"),
                   "covet: books.author_id must reference an existing authors.id"));
}

std::vector<Row> log_rows(Db& db) { return db.rows("SELECT what FROM log ORDER BY what"); }

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

TEST_CASE("a user's trigger on a table the delete writes still fires; the result is the same") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec("CREATE TABLE log(what TEXT);"
            "CREATE TRIGGER books_gone AFTER DELETE ON books BEGIN INSERT INTO log VALUES ('book ' || OLD.id); END");
    CHECK(db.value("SELECT covet_delete('authors', 1)") ==
          R"({"total": 6, "per_table": {"authors": 1, "books": 2, "books_categories": 2, "profiles": 1}})");
    CHECK(log_rows(db) == std::vector<Row>{{"book 1"}, {"book 2"}});
    CHECK(db.integer("SELECT count(*) FROM _covet_doomed") == 0);
    reference_check_runs(db);
}

TEST_CASE("the writes of a TEMP trigger on a table the delete writes still meet covet's triggers") {
    // TEMP triggers fire even with the connection's triggers off (SQLite 3.35+), but covet's
    // (in main) would not: category 2's junction rows would be left behind.
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec("CREATE TEMP TRIGGER first_book_gone AFTER DELETE ON main.books WHEN OLD.id = 1 BEGIN "
            "DELETE FROM categories WHERE id = 2; END");
    CHECK(db.value("SELECT covet_delete('authors', 1)") ==
          R"({"total": 6, "per_table": {"authors": 1, "books": 2, "books_categories": 2, "profiles": 1}})");
    CHECK(db.rows("SELECT id FROM categories") == std::vector<Row>{{"1"}});
    CHECK(db.integer("SELECT count(*) FROM books_categories") == 0);  // (3, 2) went with category 2
    CHECK(db.integer("SELECT count(*) FROM _covet_doomed") == 0);
}

TEST_CASE("a user's update trigger on a table whose rows SET_NULL changes still fires") {
    Db db;
    users_posts(db);
    db.exec("CREATE TABLE log(what TEXT);"
            "CREATE TRIGGER post_changed AFTER UPDATE OF editor_id ON posts BEGIN "
            "INSERT INTO log VALUES ('post ' || OLD.id || ' editor ' || OLD.editor_id || ' -> ' || "
            "coalesce(NEW.editor_id, 'NULL')); END");
    CHECK(db.value("SELECT covet_delete('users', 2)") == R"({"total": 1, "per_table": {"users": 1}})");
    CHECK(log_rows(db) == std::vector<Row>{{"post 1 editor 2 -> NULL"}});
}

TEST_CASE("with foreign_keys ON, a user's trigger on a table SQLite's own ON DELETE CASCADE reaches still fires") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec(R"(PRAGMA foreign_keys = ON;
               CREATE TABLE log(what TEXT);
               CREATE TABLE notes(id INTEGER PRIMARY KEY, book_id INTEGER REFERENCES books(id) ON DELETE CASCADE);
               INSERT INTO notes VALUES (1, 1), (2, 3);
               CREATE TRIGGER note_gone AFTER DELETE ON notes BEGIN INSERT INTO log VALUES ('note ' || OLD.id); END;)");
    db.value("SELECT covet_delete('authors', 1)");
    CHECK(db.rows("SELECT id FROM notes") == std::vector<Row>{{"2"}});
    CHECK(log_rows(db) == std::vector<Row>{{"note 1"}});
}

TEST_CASE("with only covet's triggers to fire, covet_delete keeps its bookkeeping in a TEMP table") {
    // Triggers are paused then (nothing else would run), so nothing needs _covet_doomed.
    auto temp_store_exists = [](Db& db) {
        return db.integer("SELECT count(*) FROM temp.sqlite_schema WHERE name = '_covet_deleting'") == 1;
    };
    Db db;
    library_schema(db);
    library_rows(db);
    // A user trigger on a table the delete does not write does not matter.
    db.exec("CREATE TABLE log(what TEXT);"
            "CREATE TRIGGER category_gone AFTER DELETE ON categories BEGIN INSERT INTO log VALUES (OLD.id); END");
    db.value("SELECT covet_delete('authors', 1)");
    CHECK(temp_store_exists(db));
    CHECK(db.integer("SELECT count(*) FROM temp._covet_deleting") == 0);
    reference_check_runs(db);

    Db other;
    library_schema(other);
    library_rows(other);
    other.exec("CREATE TABLE log(what TEXT);"
               "CREATE TRIGGER book_gone AFTER DELETE ON books BEGIN INSERT INTO log VALUES (OLD.id); END");
    other.value("SELECT covet_delete('authors', 1)");
    CHECK_FALSE(temp_store_exists(other));
}

TEST_CASE("triggers are on again after covet_delete, whether it succeeded, was refused or failed") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec(R"(CREATE TABLE reviews(id INTEGER PRIMARY KEY, book_id INTEGER,
                                    editor_id INTEGER CHECK (editor_id IS NOT NULL));
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'reviews', 'book_id', 'books', 'PROTECT', 'reviews');
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'reviews', 'editor_id', 'authors', 'SET_NULL', 'edited');
               INSERT INTO reviews VALUES (1, 3, 1);)");

    SUBCASE("succeeded") {
        db.exec("DELETE FROM reviews");
        CHECK(db.value("SELECT json_extract(covet_delete('authors', 2), '$.total')") == "3");
    }
    SUBCASE("refused before writing: PROTECT") {
        refused(db, "SELECT covet_delete('authors', 2)", "covet: PROTECT", "reviews.book");
    }
    SUBCASE("failed while writing: the SET_NULL update breaks a CHECK constraint") {
        refused(db, "SELECT covet_delete('authors', 1)", "covet: CHECK constraint failed");
    }
    reference_check_runs(db);
    // Nothing left over to count in the next one.
    CHECK(db.value("SELECT covet_delete('categories', 1)") ==
          R"({"total": 2, "per_table": {"books_categories": 1, "categories": 1}})");
}

TEST_CASE("triggers the connection had turned off stay off") {
    Db db;
    library_schema(db);
    library_rows(db);
    int now = -1;
    REQUIRE(sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &now) == SQLITE_OK);
    CHECK(db.value("SELECT json_extract(covet_delete('authors', 2), '$.total')") == "3");
    CHECK(triggers_setting(db) == 0);
    REQUIRE(sqlite3_db_config(db.get(), SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, &now) == SQLITE_OK);
    reference_check_runs(db);
}

TEST_CASE("the connection's other statements run on: one mid-way, and a prepared covet_delete run again") {
    // Turning triggers off and on expires every prepared statement of the connection.
    Db db;
    library_schema(db);
    library_rows(db);
    sqlite3_stmt* categories = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), "SELECT id FROM categories ORDER BY id", -1, &categories, nullptr) ==
            SQLITE_OK);
    REQUIRE(sqlite3_step(categories) == SQLITE_ROW);

    sqlite3_stmt* remove = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), "SELECT json_extract(covet_delete('authors', ?1), '$.total')", -1, &remove,
                               nullptr) == SQLITE_OK);
    for (int author : {1, 2}) {
        sqlite3_bind_int(remove, 1, author);
        REQUIRE(sqlite3_step(remove) == SQLITE_ROW);
        CHECK(sqlite3_column_int(remove, 0) == (author == 1 ? 6 : 3));
        CHECK(sqlite3_step(remove) == SQLITE_DONE);
        sqlite3_reset(remove);
    }
    sqlite3_finalize(remove);

    CHECK(sqlite3_column_int(categories, 0) == 1);
    REQUIRE(sqlite3_step(categories) == SQLITE_ROW);
    CHECK(sqlite3_column_int(categories, 0) == 2);
    CHECK(sqlite3_step(categories) == SQLITE_DONE);
    sqlite3_finalize(categories);
    CHECK(db.integer("SELECT count(*) FROM authors") == 0);
}

TEST_CASE("SET_DEFAULT to a row that does not exist is refused up front; a NULL default sets NULL") {
    Db db;
    db.exec(R"(CREATE TABLE users(id INTEGER PRIMARY KEY);
               CREATE TABLE notes(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
               CREATE TABLE drafts(id INTEGER PRIMARY KEY, user_id INTEGER DEFAULT NULL);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name,
                                           default_value)
                   VALUES ('foreign_key', 'notes', 'user_id', 'users', 'SET_DEFAULT', 'notes', 99);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'drafts', 'user_id', 'users', 'SET_DEFAULT', 'drafts');
               INSERT INTO users VALUES (1), (2);
               INSERT INTO notes VALUES (1, 1);
               INSERT INTO drafts VALUES (1, 2);)");
    std::string message = refused(db, "SELECT covet_delete('users', 1)", "covet: SET_DEFAULT", "notes.user");
    CHECK(contains(message, "does not exist or is deleted too"));
    CHECK(contains(message, "[notes rows: 1]"));
    CHECK(db.rows("SELECT action, pk, blocking FROM covet_delete_plan('users', 1)") ==
          std::vector<Row>{{"delete", "1", "0"}, {"set_default", "1", "1"}});
    // The trigger refuses the same way.
    refused(db, "DELETE FROM users WHERE id = 1", "covet: SET_DEFAULT", "notes.user");

    CHECK(db.value("SELECT covet_delete('users', 2)") == R"({"total": 1, "per_table": {"users": 1}})");
    CHECK(db.value("SELECT user_id FROM drafts") == "NULL");
}

TEST_CASE("a referencing column compares with the referenced key's collation, not its own") {
    // cities.country is COLLATE NOCASE, countries.code is not: the city holding 'fr' references
    // 'fr' only (as the insert check says), whatever happens to 'FR'.
    Db db;
    db.exec(R"(CREATE TABLE countries(code TEXT PRIMARY KEY);
               CREATE TABLE cities(id INTEGER PRIMARY KEY, country TEXT COLLATE NOCASE);
               CREATE TABLE rivers(id INTEGER PRIMARY KEY, country TEXT COLLATE NOCASE);
               CREATE TABLE roads(id INTEGER PRIMARY KEY, country TEXT COLLATE NOCASE);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'cities', 'country', 'countries', 'PROTECT', 'cities'),
                          ('foreign_key', 'rivers', 'country', 'countries', 'SET_NULL', 'rivers'),
                          ('foreign_key', 'roads', 'country', 'countries', 'CASCADE', 'roads');
               INSERT INTO countries VALUES ('fr'), ('FR');
               INSERT INTO cities VALUES (1, 'fr');
               INSERT INTO rivers VALUES (1, 'fr');
               INSERT INTO roads VALUES (1, 'fr');)");
    SUBCASE("covet_delete") {
        CHECK(db.value("SELECT covet_delete('countries', 'FR')") == R"({"total": 1, "per_table": {"countries": 1}})");
    }
    SUBCASE("a plain DELETE") { db.exec("DELETE FROM countries WHERE code = 'FR'"); }
    CHECK(db.rows("SELECT country FROM rivers") == std::vector<Row>{{"fr"}});
    CHECK(db.integer("SELECT count(*) FROM roads") == 1);
    refused(db, "SELECT covet_delete('countries', 'fr')", "covet: PROTECT", "cities.country");
}

TEST_CASE("cascades through a cycle of two tables and a diamond: every row once, by covet_delete and by a DELETE") {
    // a -> c -> b and a -> b (a diamond: b's rows come from two places); b -> x, and x <-> y
    // cascade to each other (a cycle, the only part that needs recursion).
    Db db;
    db.exec(R"(CREATE TABLE a(id INTEGER PRIMARY KEY);
               CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER, c_id INTEGER);
               CREATE TABLE c(id INTEGER PRIMARY KEY, a_id INTEGER);
               CREATE TABLE x(id INTEGER PRIMARY KEY, b_id INTEGER, y_id INTEGER);
               CREATE TABLE y(id INTEGER PRIMARY KEY, x_id INTEGER);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name) VALUES
                   ('foreign_key', 'b', 'a_id', 'a', 'CASCADE', 'b_set'),
                   ('foreign_key', 'b', 'c_id', 'c', 'CASCADE', 'b_set'),
                   ('foreign_key', 'c', 'a_id', 'a', 'CASCADE', 'c_set'),
                   ('foreign_key', 'x', 'b_id', 'b', 'CASCADE', 'x_set'),
                   ('foreign_key', 'x', 'y_id', 'y', 'CASCADE', 'x_set'),
                   ('foreign_key', 'y', 'x_id', 'x', 'CASCADE', 'y_set');
               INSERT INTO a VALUES (1), (2);
               INSERT INTO c VALUES (1, 1), (2, 2);
               INSERT INTO b VALUES (1, 1, 1), (2, 2, 1), (3, 2, 2);  -- b 2 through c 1 only
               INSERT INTO x VALUES (1, 2, NULL), (2, 3, NULL), (3, NULL, NULL);
               INSERT INTO y VALUES (1, 1), (2, 3), (3, 2);
               UPDATE x SET y_id = 1 WHERE id = 3;)");
    // Deleting a 1 takes c 1, b 1 and b 2 (through c 1 only), then x 1 (b 2), y 1 (x 1), x 3
    // (y 1) and y 2 (x 3): round the cycle twice.
    const std::string expected = R"({"total": 8, "per_table": {"a": 1, "b": 2, "c": 1, "x": 2, "y": 2}})";
    SUBCASE("covet_delete") { CHECK(db.value("SELECT covet_delete('a', 1)") == expected); }
    SUBCASE("a plain DELETE") { db.exec("DELETE FROM a WHERE id = 1"); }
    CHECK(db.rows("SELECT 'b', id FROM b UNION ALL SELECT 'c', id FROM c UNION ALL SELECT 'x', id FROM x "
                  "UNION ALL SELECT 'y', id FROM y") ==
          std::vector<Row>{{"b", "3"}, {"c", "2"}, {"x", "2"}, {"y", "3"}});
}

TEST_CASE("a SET_NULL column that another relation references keeps the update trigger's check") {
    // accounts.user_id is set to NULL when its user goes, but badges reference accounts by it:
    // the update trigger refuses to change it, so covet_delete lets that trigger run.
    Db db;
    db.exec(R"(CREATE TABLE users(id INTEGER PRIMARY KEY);
               CREATE TABLE accounts(id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE);
               CREATE TABLE badges(id INTEGER PRIMARY KEY, account_user INTEGER);
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
                   VALUES ('foreign_key', 'accounts', 'user_id', 'users', 'SET_NULL', 'accounts');
               INSERT INTO covet_relations(kind, from_table, from_column, to_table, to_column, on_delete,
                                           related_name)
                   VALUES ('foreign_key', 'badges', 'account_user', 'accounts', 'user_id', 'CASCADE', 'badges');
               INSERT INTO users VALUES (1), (2);
               INSERT INTO accounts VALUES (1, 1), (2, 2);
               INSERT INTO badges VALUES (1, 1);)");
    refused(db, "SELECT covet_delete('users', 1)", "covet: cannot change accounts.user_id", "badges.account_user");
    CHECK(db.value("SELECT covet_delete('users', 2)") == R"({"total": 1, "per_table": {"users": 1}})");
    CHECK(db.value("SELECT user_id FROM accounts WHERE id = 2") == "NULL");
}
