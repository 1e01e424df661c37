// related(relation, keys): the (source, target) pairs of a relation, in both directions, as a
// table to join; covet_related() under a second name.
#include "support.hpp"

#include <string>
#include <vector>

using namespace covet::test;

namespace {


using Rows = std::vector<Row>;

// The library, with profile 5 for author 2 so that no pair reads the same both ways.
void library(Db& db) {
    library_schema(db);
    library_rows(db);
    db.exec("INSERT INTO profiles VALUES (5, 2, 'Debut author', NULL)");
}

Rows pairs(Db& db, const std::string& from) { return db.rows("SELECT source, target FROM " + from + " ORDER BY 1, 2"); }

}  // namespace

TEST_CASE("foreign_key: forward pairs (book, author), reverse pairs (author, book)") {
    Db db;
    library(db);
    CHECK(pairs(db, "related('books.author')") == Rows{{"1", "1"}, {"2", "1"}, {"3", "2"}});
    CHECK(pairs(db, "related('authors.books')") == Rows{{"1", "1"}, {"1", "2"}, {"2", "3"}});
    CHECK(pairs(db, "related('books.author', 3)") == Rows{{"3", "2"}});
    CHECK(pairs(db, "related('authors.books', 1)") == Rows{{"1", "1"}, {"1", "2"}});
}

TEST_CASE("many_to_many: forward pairs (book, category), reverse pairs (category, book)") {
    Db db;
    library(db);
    CHECK(pairs(db, "related('books.categories')") == Rows{{"1", "1"}, {"1", "2"}, {"3", "2"}});
    CHECK(pairs(db, "related('categories.books')") == Rows{{"1", "1"}, {"2", "1"}, {"2", "3"}});
    CHECK(pairs(db, "related('books.categories', 1)") == Rows{{"1", "1"}, {"1", "2"}});
    CHECK(pairs(db, "related('categories.books', 2)") == Rows{{"2", "1"}, {"2", "3"}});
    CHECK(pairs(db, "related('books.categories', 2)").empty());
}

TEST_CASE("one_to_one: forward pairs (profile, author), reverse pairs (author, profile)") {
    Db db;
    library(db);
    CHECK(pairs(db, "related('profiles.author')") == Rows{{"1", "1"}, {"5", "2"}});
    CHECK(pairs(db, "related('authors.profile')") == Rows{{"1", "1"}, {"2", "5"}});
    CHECK(pairs(db, "related('authors.profile', 2)") == Rows{{"2", "5"}});
}

TEST_CASE("keys: one key, a JSON array, omitted for every pair") {
    Db db;
    library(db);
    CHECK(pairs(db, "related('authors.books', 2)") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', '2')") == Rows{{"2", "3"}});  // the column's affinity applies
    CHECK(pairs(db, "related('authors.books', 99)").empty());
    CHECK(pairs(db, "related('authors.books', '[2, 1]')") == Rows{{"1", "1"}, {"1", "2"}, {"2", "3"}});
    CHECK(pairs(db, "related('authors.books', '[2, 99]')") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', '[\"2\"]')") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', '[]')").empty());
    CHECK(pairs(db, "related('authors.books', NULL)").empty());
    // Omitted: one pair per book.
    db.exec("INSERT INTO books VALUES (4, 'Late Worlds', 2, NULL, 90)");
    CHECK(pairs(db, "related('books.author')") == Rows{{"1", "1"}, {"2", "1"}, {"3", "2"}, {"4", "2"}});
    CHECK(db.integer("SELECT count(*) FROM related('authors.books')") == db.integer("SELECT count(*) FROM books"));
    // The keys may come from another table of the query.
    CHECK(db.rows("SELECT r.target FROM authors a, related('authors.books', a.id) r WHERE a.name = 'Bob' "
                  "ORDER BY 1") == Rows{{"3"}, {"4"}});
}

TEST_CASE("keys: whatever SQLite reads as a JSON array is one, anything else one key") {
    Db db;
    library(db);
    Rows both{{"1", "1"}, {"1", "2"}, {"2", "3"}}, ann{{"1", "1"}, {"1", "2"}};
    CHECK(pairs(db, "related('authors.books', ' [2, 1]')") == both);  // white space around
    CHECK(pairs(db, "related('authors.books', '[2,1] ')") == both);
    CHECK(pairs(db, "related('authors.books', '[2, \"1\", 2, 1]')") == both);  // each key once
    CHECK(pairs(db, "related('authors.books', '[1e0, 2.0]')") == both);
    CHECK(pairs(db, "related('authors.books', '[true]')") == ann);  // json_each reads true as 1
    CHECK(pairs(db, "related('authors.books', '[1, [2]]')") == ann);  // [2] is a key of its own
    CHECK(pairs(db, "related('authors.books', '[\"\\u0031\", null]')") == ann);
    CHECK(pairs(db, "related('authors.books', 2.0)") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', ' 1')") == ann);  // the column's affinity applies
    // Not JSON arrays: one key each, matching nothing here.
    for (std::string keys : {"'[1, 2,]'", "'[1'", "'[01]'", "'{\"a\": 1}'", "'\"1\"'", "'1 2'", "''"}) {
        INFO(keys);
        CHECK(pairs(db, "related('authors.books', " + keys + ")").empty());
    }
}

TEST_CASE("the hidden columns relation and keys show the arguments") {
    Db db;
    library(db);
    CHECK(db.rows("SELECT source, target, relation, keys FROM related('authors.books', 2)") ==
          Rows{{"2", "3", "authors.books", "2"}});
    CHECK(db.rows("SELECT relation, keys FROM related('books.author', '[3]')") == Rows{{"books.author", "[3]"}});
    CHECK(db.rows("SELECT * FROM related('books.author', 3)") == Rows{{"3", "2"}});  // only source, target
    // The arguments may also be written as constraints.
    CHECK(pairs(db, "related WHERE relation = 'authors.books' AND keys = 2") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', 2) WHERE keys = 1").empty());
}

TEST_CASE("WHERE source = ? and WHERE source IN (...) narrow the scan, IN in one pass") {
    Db db;
    library(db);
    CHECK(pairs(db, "related('authors.books') WHERE source = 1") == Rows{{"1", "1"}, {"1", "2"}});
    CHECK(contains(db.plan("SELECT * FROM related('authors.books') WHERE source = 1"), "relation source ="));
    CHECK(pairs(db, "related('books.author') WHERE source IN (1, 3)") == Rows{{"1", "1"}, {"3", "2"}});
    CHECK(pairs(db, "related('categories.books') WHERE source IN (1, 2)") == Rows{{"1", "1"}, {"2", "1"}, {"2", "3"}});
    CHECK(pairs(db, "related('authors.books') WHERE source IN (SELECT id FROM authors WHERE name = 'Bob')") ==
          Rows{{"2", "3"}});
    // All values reach xFilter at once (sqlite3_vtab_in), not one xFilter per value.
    CHECK(contains(db.plan("SELECT * FROM related('books.author') WHERE source IN (1, 3)"), "relation source IN"));
    // With keys too: both narrow.
    CHECK(pairs(db, "related('authors.books', '[1, 2]') WHERE source IN (2, 7)") == Rows{{"2", "3"}});
    CHECK(pairs(db, "related('authors.books', 1) WHERE source = 2").empty());
    // A join on source searches per outer row.
    CHECK(db.rows("SELECT a.name, r.target FROM authors a JOIN related('authors.books') r ON r.source = a.id "
                  "ORDER BY 1, 2") == Rows{{"Ann", "1"}, {"Ann", "2"}, {"Bob", "3"}});
    CHECK(contains(db.plan("SELECT * FROM authors a JOIN related('authors.books') r ON r.source = a.id"),
                   "relation source ="));
    // SQLite still applies its own comparison to source: an untyped column does not convert '1'.
    CHECK(pairs(db, "related('authors.books') WHERE source = '1'").empty());
}

TEST_CASE("joins like a table: the pairs lead, books is searched by its primary key") {
    Db db;
    library(db);
    std::string sql = "SELECT r.source, b.title FROM related('authors.books', '[1,2,3]') r "
                      "JOIN books b ON b.id = r.target";
    CHECK(db.rows(sql + " ORDER BY 1, 2") ==
          Rows{{"1", "Future Worlds"}, {"1", "Old Worlds"}, {"2", "Bob's Book"}});
    std::string p =
        db.plan("SELECT r.source, b.* FROM related('authors.books', '[1,2,3]') r JOIN books b ON b.id = r.target");
    CHECK(contains(p, "SCAN r VIRTUAL TABLE INDEX 3:relation keys"));
    CHECK(contains(p, "SEARCH b USING INTEGER PRIMARY KEY"));
    CHECK_FALSE(contains(p, "SCAN b"));
}

TEST_CASE("a query that does not read source: the same rows, and rowids that still need it") {
    Db db;
    library(db);
    // The books of authors 1 and 2, found by the pair's target alone (related() then reads no source).
    CHECK(db.rows("SELECT b.title, b.author_id FROM related('authors.books', '[1,2]') r "
                  "JOIN books b ON b.id = r.target ORDER BY 1") ==
          Rows{{"Bob's Book", "2"}, {"Future Worlds", "1"}, {"Old Worlds", "1"}});
    CHECK(db.rows("SELECT target FROM related('categories.books', 2) ORDER BY 1") == Rows{{"1"}, {"3"}});
    // A book's pair (book, author) is named by the book, the source: rowids still tell them apart.
    CHECK(db.integer("SELECT count(*) FROM (SELECT DISTINCT rowid + 0 FROM related('books.author'))") == 3);
    CHECK(db.rows("SELECT target FROM related WHERE (relation = 'books.author' AND keys = 1) OR "
                  "(relation = 'books.author' AND keys = 3) ORDER BY 1") == Rows{{"1"}, {"2"}});
    CHECK(db.rows("SELECT target FROM related WHERE (relation = 'books.categories' AND keys = 1) OR "
                  "(relation = 'books.categories' AND keys = '[1, 3]') ORDER BY 1") == Rows{{"1"}, {"2"}, {"2"}});
}

TEST_CASE("several scans in one query: rowids keep the rows of different relations apart") {
    Db db;
    library(db);
    // SQLite combines the two OR terms by rowid: equal pairs of two relations must both stay.
    std::string sql = "SELECT relation, source, target FROM related WHERE (relation = 'authors.books' AND source = 1) "
                      "OR (relation = 'books.author' AND source = 1) ORDER BY 1, 2, 3";
    CHECK(db.rows(sql) == Rows{{"authors.books", "1", "1"}, {"authors.books", "1", "2"}, {"books.author", "1", "1"}});
    // ... and a row found by both terms of one relation is returned once.
    CHECK(pairs(db, "related WHERE (relation = 'authors.books' AND source = 1 AND target = 1) OR "
                    "(relation = 'authors.books' AND source IN (1, 2))") == Rows{{"1", "1"}, {"1", "2"}, {"2", "3"}});
    CHECK(db.rows("SELECT relation, source, target FROM related WHERE relation IN ('authors.books', 'books.author') "
                  "AND source = 3 ORDER BY 1") == Rows{{"books.author", "3", "2"}});
    // Two scans needing the same inner statement at once.
    CHECK(db.integer("SELECT count(*) FROM related('authors.books', 1) x, related('authors.books', 1) y") == 4);
}

TEST_CASE("many_to_many: rowids tell the junction's rows apart, with or without a UNIQUE pair") {
    Db db;
    library(db);
    // The junction covet creates has UNIQUE (books_id, categories_id).
    CHECK(pairs(db, "related WHERE (relation = 'books.categories' AND source = 1) OR "
                    "(relation = 'books.categories' AND source IN (1, 3))") ==
          Rows{{"1", "1"}, {"1", "2"}, {"3", "2"}});
    CHECK(db.rows("SELECT relation, source, target FROM related WHERE (relation = 'books.categories' AND source = 1) "
                  "OR (relation = 'categories.books' AND source = 1) ORDER BY 1, 2, 3") ==
          Rows{{"books.categories", "1", "1"}, {"books.categories", "1", "2"}, {"categories.books", "1", "1"}});
    CHECK(db.integer("SELECT count(DISTINCT rowid) FROM related('books.categories')") == 3);
    // A junction of one's own, without one: a pair may repeat, and each row still counts.
    db.exec(R"(
        CREATE TABLE tags(id INTEGER PRIMARY KEY);
        CREATE TABLE book_tags(id INTEGER PRIMARY KEY, book INTEGER, tag INTEGER);
        INSERT INTO covet_relations(name, kind, from_table, to_table, through_table, through_from_column,
                                    through_to_column, related_name)
            VALUES ('books.tags', 'many_to_many', 'books', 'tags', 'book_tags', 'book', 'tag', 'books');
        INSERT INTO tags VALUES (1), (2);
        INSERT INTO book_tags(book, tag) VALUES (1, 1), (1, 1), (1, 2), (2, 2);
    )");
    CHECK(pairs(db, "related WHERE (relation = 'books.tags' AND source = 1) OR "
                    "(relation = 'books.tags' AND source IN (1, 2))") ==
          Rows{{"1", "1"}, {"1", "1"}, {"1", "2"}, {"2", "2"}});
}

TEST_CASE("a junction unique on its pair: rowids are its rows' identities, looked up by the pair") {
    // Two junctions with the same rows, one UNIQUE on (book, tag): a scan of the unique one does
    // not read the identity, xRowid finds it by the pair. Both give the junction row's id mixed
    // with the relation's salt, so the two rowids of a row differ by the same bits for every row.
    Db db;
    db.exec(R"(
        CREATE TABLE books(id INTEGER PRIMARY KEY);
        CREATE TABLE tags(id INTEGER PRIMARY KEY);
        CREATE TABLE plain_tags(id INTEGER PRIMARY KEY, book INTEGER, tag INTEGER);
        CREATE TABLE unique_tags(id INTEGER PRIMARY KEY, book INTEGER, tag INTEGER, UNIQUE (tag, book));
        INSERT INTO covet_relations(name, kind, from_table, to_table, through_table, through_from_column,
                                    through_to_column, related_name)
            VALUES ('books.plain', 'many_to_many', 'books', 'tags', 'plain_tags', 'book', 'tag', 'plain_books'),
                   ('books.unique', 'many_to_many', 'books', 'tags', 'unique_tags', 'book', 'tag', 'unique_books');
        INSERT INTO books VALUES (1), (2);
        INSERT INTO tags VALUES (1), (2);
        INSERT INTO plain_tags VALUES (10, 1, 1), (25, 1, 2), (31, 2, 2);
        INSERT INTO unique_tags VALUES (10, 1, 1), (25, 1, 2), (31, 2, 2);
    )");
    for (const auto& [plain, unique] : {std::pair<std::string, std::string>{"books.plain", "books.unique"},
                                        {"tags.plain_books", "tags.unique_books"}}) {
        Rows a = db.rows("SELECT source, target, rowid FROM related('" + plain + "') ORDER BY 1, 2");
        Rows b = db.rows("SELECT source, target, rowid FROM related('" + unique + "') ORDER BY 1, 2");
        REQUIRE(a.size() == 3);
        REQUIRE(b.size() == 3);
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(a[i][0] == b[i][0]);
            CHECK(a[i][1] == b[i][1]);
            CHECK((std::stoll(a[i][2]) ^ std::stoll(b[i][2])) == (std::stoll(a[0][2]) ^ std::stoll(b[0][2])));
        }
        // The same row has the same rowid whichever scan finds it, so OR terms combine.
        CHECK(db.integer("SELECT count(*) FROM related WHERE (relation = '" + unique + "' AND source = 1) OR "
                         "(relation = '" + unique + "' AND source IN (1, 2))") == 3);
    }
    // A pair is looked up as its unique index compares it, not as its columns do: 'a' and 'A' are
    // two rows here, although the tag column compares them equal.
    db.exec(R"(
        CREATE TABLE labels(name TEXT PRIMARY KEY);
        CREATE TABLE book_labels(id INTEGER PRIMARY KEY, book INTEGER, label TEXT COLLATE NOCASE,
                                 UNIQUE (book, label COLLATE BINARY));
        INSERT INTO covet_relations(name, kind, from_table, to_table, through_table, through_from_column,
                                    through_to_column, related_name)
            VALUES ('books.labels', 'many_to_many', 'books', 'labels', 'book_labels', 'book', 'label', 'labelled');
        INSERT INTO labels VALUES ('a'), ('A');
        INSERT INTO book_labels(book, label) VALUES (1, 'a'), (1, 'A');
    )");
    Rows rowids = db.rows("SELECT rowid FROM related('books.labels')");
    REQUIRE(rowids.size() == 2);
    CHECK(rowids[0] != rowids[1]);
}

TEST_CASE("text keys: a TEXT PRIMARY KEY referenced by a foreign key") {
    Db db;
    db.exec(R"(
        CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE cities(id INTEGER PRIMARY KEY, name TEXT, country_code TEXT NOT NULL);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'cities', 'country_code', 'countries', 'cities');
        INSERT INTO countries VALUES ('fr', 'France'), ('de', 'Germany'), ('it', 'Italy');
        INSERT INTO cities VALUES (1, 'Paris', 'fr'), (2, 'Lyon', 'fr'), (3, 'Berlin', 'de');
    )");
    CHECK(pairs(db, "related('countries.cities', 'fr')") == Rows{{"fr", "1"}, {"fr", "2"}});
    CHECK(pairs(db, "related('countries.cities', '[\"de\", \"it\"]')") == Rows{{"de", "3"}});
    CHECK(pairs(db, "related('countries.cities') WHERE source IN ('de', 'fr')") ==
          Rows{{"de", "3"}, {"fr", "1"}, {"fr", "2"}});
    CHECK(pairs(db, "related('cities.country_code', 3)") == Rows{{"3", "de"}});
    CHECK(db.rows("SELECT c.name FROM related('countries.cities', 'fr') r JOIN cities c ON c.id = r.target "
                  "ORDER BY 1") == Rows{{"Lyon"}, {"Paris"}});
    // A number is compared with the TEXT column as json_each() hands it over: not as text.
    db.exec("INSERT INTO countries VALUES ('1', 'One'); INSERT INTO cities VALUES (4, 'Uno', '1')");
    CHECK(pairs(db, "related('countries.cities', '1')") == Rows{{"1", "4"}});
    CHECK(pairs(db, "related('countries.cities', 1)").empty());
    CHECK(pairs(db, "related('countries.cities', '[1]')").empty());
}

TEST_CASE("NULL references relate nothing: skipped in both directions") {
    Db db;
    db.exec(R"(
        CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE tasks(id INTEGER PRIMARY KEY, title TEXT, owner_id INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('foreign_key', 'tasks', 'owner_id', 'people', 'SET_NULL', 'tasks');
        INSERT INTO people VALUES (1, 'Ann');
        INSERT INTO tasks VALUES (10, 'owned', 1), (11, 'orphan', NULL), (12, 'also owned', 1);
    )");
    CHECK(pairs(db, "related('tasks.owner')") == Rows{{"10", "1"}, {"12", "1"}});
    CHECK(pairs(db, "related('tasks.owner', 11)").empty());
    CHECK(pairs(db, "related('people.tasks')") == Rows{{"1", "10"}, {"1", "12"}});
}

TEST_CASE("identifiers with spaces and quotes; no primary key: the rowid; main tables, not temp ones") {
    Db db;
    db.exec(R"(
        CREATE TABLE "the authors"("the id" INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE "my books"("book ""id""" INTEGER PRIMARY KEY, "the ""author""" INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'my books', 'the "author"', 'the authors', 'my "books"');
        INSERT INTO "the authors" VALUES (1, 'Ann'), (2, 'Bob');
        INSERT INTO "my books" VALUES (7, 1), (8, 2), (9, 2);
    )");
    REQUIRE(db.value("SELECT name FROM covet_relations") == "my books.the \"author\"");
    CHECK(pairs(db, "related('my books.the \"author\"')") == Rows{{"7", "1"}, {"8", "2"}, {"9", "2"}});
    CHECK(pairs(db, "related('the authors.my \"books\"', 2)") == Rows{{"2", "8"}, {"2", "9"}});
    CHECK(pairs(db, "related('the authors.my \"books\"') WHERE source IN (1, 3)") == Rows{{"1", "7"}});

    // A table without a declared primary key: its rows are named by rowid.
    db.exec(R"(
        CREATE TABLE notes(body TEXT, author INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'notes', 'author', 'the authors', 'notes');
        INSERT INTO notes(rowid, body, author) VALUES (40, 'a', 2), (41, 'b', 1);
    )");
    CHECK(pairs(db, "related('notes.author')") == Rows{{"40", "2"}, {"41", "1"}});
    CHECK(pairs(db, "related('the authors.notes', 2)") == Rows{{"2", "40"}});

    // A temp table of the same name does not take the place of the main one.
    db.exec(R"(CREATE TEMP TABLE "my books"("book ""id""" INTEGER PRIMARY KEY, "the ""author""" INTEGER);
               INSERT INTO temp."my books" VALUES (100, 1);)");
    CHECK(pairs(db, "related('the authors.my \"books\"', 1)") == Rows{{"1", "7"}});
}

TEST_CASE("covet_related: the same table when the database has its own table named related") {
    Db db;
    library(db);
    db.exec("CREATE TABLE related(id INTEGER PRIMARY KEY, note TEXT); INSERT INTO related VALUES (1, 'mine')");
    CHECK(db.rows("SELECT * FROM related") == Rows{{"1", "mine"}});  // the user's table wins
    CHECK(pairs(db, "covet_related('authors.books', 1)") == Rows{{"1", "1"}, {"1", "2"}});
    CHECK(pairs(db, "covet_related('categories.books') WHERE source IN (2)") == Rows{{"2", "1"}, {"2", "3"}});
    CHECK(contains(db.plan("SELECT r.source, b.* FROM covet_related('authors.books', '[1,2,3]') r "
                            "JOIN books b ON b.id = r.target"),
                   "SEARCH b USING INTEGER PRIMARY KEY"));
}

TEST_CASE("usable from views when the schema is not trusted (innocuous, read-only)") {
    Db db;
    library(db);
    db.exec("CREATE VIEW book_authors AS SELECT source AS book, target AS author FROM related('books.author')");
    db.exec("PRAGMA trusted_schema = OFF");
    CHECK(db.integer("SELECT count(*) FROM book_authors") == 3);
    CHECK(contains(db.error("DELETE FROM related WHERE relation = 'books.author'"), "may not be modified"));
}

TEST_CASE("a changed relation reads from its new column; statements are finalized on close") {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
    REQUIRE(covet_register_extension(raw) == SQLITE_OK);
    auto exec = [&](const std::string& sql) {
        char* message = nullptr;
        int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &message);
        std::string text = message ? message : "";
        sqlite3_free(message);
        REQUIRE_MESSAGE(rc == SQLITE_OK, text);
    };
    auto targets = [&](const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        std::vector<std::int64_t> out;
        while (sqlite3_step(stmt) == SQLITE_ROW) out.push_back(sqlite3_column_int64(stmt, 0));
        CHECK(sqlite3_finalize(stmt) == SQLITE_OK);
        return out;
    };
    exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY);
        CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER, editor_id INTEGER);
        INSERT INTO authors VALUES (1), (2);
        INSERT INTO books VALUES (1, 1, 2), (2, 1, 2), (3, 2, 1);
        INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, related_name)
            VALUES ('books.author', 'foreign_key', 'books', 'author_id', 'authors', 'books');
    )");
    std::string sql = "SELECT target FROM related('authors.books', 1) ORDER BY 1";
    CHECK(targets(sql) == std::vector<std::int64_t>{1, 2});
    CHECK(targets(sql) == std::vector<std::int64_t>{1, 2});  // again, from the kept statement
    auto kept = [&](const std::string& part) {  // the runs of each kept inner statement reading part
        std::vector<int> runs;
        for (sqlite3_stmt* s = sqlite3_next_stmt(raw, nullptr); s; s = sqlite3_next_stmt(raw, s))
            if (std::string(sqlite3_sql(s)).find(part) != std::string::npos)
                runs.push_back(sqlite3_stmt_status(s, SQLITE_STMTSTATUS_RUN, 0));
        return runs;
    };
    CHECK(kept("\"author_id\" IS NOT NULL") == std::vector<int>{2});
    exec(R"(
        DELETE FROM covet_relations WHERE name = 'books.author';
        INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, related_name)
            VALUES ('books.author', 'foreign_key', 'books', 'editor_id', 'authors', 'books');
    )");
    CHECK(targets(sql) == std::vector<std::int64_t>{3});
    CHECK(kept("\"editor_id\" IS NOT NULL") == std::vector<int>{1});
    // The kept statements belong to the table and go with it: the connection closes cleanly.
    CHECK(sqlite3_close(raw) == SQLITE_OK);
}

TEST_CASE("a name resolved once follows the relation's stored row and the schema") {
    Db db;
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY);
        CREATE TABLE books(id INTEGER PRIMARY KEY, author_id INTEGER, editor_id INTEGER);
        INSERT INTO authors VALUES (1), (2);
        INSERT INTO books VALUES (1, 1, 2), (2, 1, 2), (3, 2, 1);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'books', 'author_id', 'authors', 'books');
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, related_name)
            VALUES ('foreign_key', 'books', 'editor_id', 'authors', 'edited');
    )");
    CHECK(pairs(db, "related('authors.books', 1)") == Rows{{"1", "1"}, {"1", "2"}});
    CHECK(pairs(db, "related('authors.edited', 1)") == Rows{{"1", "3"}});
    // The two relations trade reverse names, with no change to the schema: authors.books now
    // names the other relation.
    std::string version = db.value("PRAGMA schema_version");
    db.exec("UPDATE covet_relations SET related_name = 'written' WHERE name = 'books.author'");
    db.exec("UPDATE covet_relations SET related_name = 'books' WHERE name = 'books.editor'");
    CHECK(db.value("PRAGMA schema_version") == version);
    CHECK(pairs(db, "related('authors.books', 1)") == Rows{{"1", "3"}});
    CHECK(pairs(db, "related('authors.written', 1)") == Rows{{"1", "1"}, {"1", "2"}});
    CHECK(starts_with(db.error("SELECT * FROM related('authors.edited', 1)"),
                      "covet: related(): no relation named 'authors.edited'"));
    // ... and back, when a transaction that renamed it rolls back.
    db.exec("BEGIN; UPDATE covet_relations SET related_name = 'edits' WHERE name = 'books.editor'");
    CHECK(pairs(db, "related('authors.edits', 1)") == Rows{{"1", "3"}});
    db.exec("ROLLBACK");
    CHECK(pairs(db, "related('authors.books', 1)") == Rows{{"1", "3"}});
    CHECK(starts_with(db.error("SELECT * FROM related('authors.edits', 1)"), "covet: related(): no relation named"));
    // A schema change, with no change to the stored row.
    db.exec("ALTER TABLE books RENAME COLUMN editor_id TO reviewer_id");
    CHECK(starts_with(db.error("SELECT * FROM related('authors.books', 1)"),
                      "covet: related(): relation books.editor no longer matches the schema"));
    CHECK(pairs(db, "related('books.author', 3)") == Rows{{"3", "2"}});
    // Without the store, no name resolves.
    db.exec("DROP TABLE _covet_relations");
    CHECK(starts_with(db.error("SELECT * FROM related('books.author', 3)"),
                      "covet: related(): no relation named 'books.author'"));
}

TEST_CASE("errors: unknown relation, missing relation, bad arguments") {
    Db db;
    library(db);
    std::string unknown = db.error("SELECT * FROM related('authors.novels', 1)");
    CHECK(starts_with(unknown, "covet: related(): no relation named 'authors.novels'"));
    CHECK(contains(unknown, "books.author"));
    CHECK(contains(unknown, "authors.books"));
    CHECK(starts_with(db.error("SELECT * FROM covet_related('nope')"), "covet: related(): no relation named 'nope'"));

    for (const char* sql : {"SELECT * FROM related", "SELECT * FROM related()", "SELECT * FROM covet_related",
                            "SELECT * FROM related WHERE source = 1"}) {
        INFO(sql);
        std::string missing = db.error(sql);
        CHECK(starts_with(missing, "covet: related(): the relation argument is required"));
        CHECK(contains(missing, "related('authors.books', 7)"));
    }

    std::string null_relation = db.error("SELECT * FROM related(NULL, 1)");
    CHECK(starts_with(null_relation, "covet: related(): the relation argument must be a relation name"));
    CHECK(contains(null_relation, "not NULL"));
    CHECK(starts_with(db.error("SELECT * FROM related(7)"), "covet: related(): the relation argument must be"));
    std::string blob_keys = db.error("SELECT * FROM related('authors.books', x'01')");
    CHECK(starts_with(blob_keys, "covet: related('authors.books', ...): keys must be one key or a JSON array"));
    CHECK(starts_with(db.error("SELECT * FROM related('authors.books') WHERE source IN (x'01', x'02')"),
                      "covet: related(): BLOB keys are not supported"));

    // A relation whose table went away names the relation and the problem.
    db.exec("PRAGMA foreign_keys = OFF; DROP TABLE profiles");
    std::string broken = db.error("SELECT * FROM related('authors.profile')");
    CHECK(starts_with(broken, "covet: related(): relation profiles.author no longer matches the schema"));
    CHECK(contains(broken, "from_table \"profiles\" is not an ordinary table"));
}
