// covet_relations: defaults, validation, updates, deletes, persistence, quoting.
#include "support.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

using namespace covet::test;

namespace {

void two_tables(Db& db) {
    db.exec(R"(
        CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT, code TEXT UNIQUE, nick TEXT);
        CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER NOT NULL,
                           editor_id INTEGER, fallback_id INTEGER DEFAULT 1, author_code TEXT);
        CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT);
    )");
}



}  // namespace

TEST_CASE("defaults are filled in as documented") {
    Db db;
    two_tables(db);
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) "
            "VALUES ('foreign_key', 'books', 'author_id', 'authors')");
    auto rows = db.rows("SELECT name, kind, from_table, from_column, to_table, to_column, on_delete, related_name, "
                        "through_table, default_value FROM covet_relations");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0] == Row{"books.author", "foreign_key", "books", "author_id", "authors", "id", "CASCADE", "books",
                         "NULL", "NULL"});

    db.exec("INSERT INTO covet_relations(name, kind, from_table, to_table, related_name) "
            "VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'tagged')");
    CHECK(db.rows("SELECT through_table, through_from_column, through_to_column, on_delete FROM covet_relations "
                  "WHERE name = 'books.categories'") == std::vector<Row>{{"books_categories", "books_id",
                                                                          "categories_id", "NULL"}});
    // The auto-created junction: id, the two keys, UNIQUE over the pair, index on the second key.
    CHECK(db.integer("SELECT count(*) FROM pragma_table_info('books_categories')") == 3);
    CHECK(db.integer("SELECT count(*) FROM pragma_index_list('books_categories') WHERE \"unique\"") == 1);
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'covet_index:books_categories(categories_id)'") == 1);
}

TEST_CASE("spellings are canonicalized: kind, on_delete, table and column names") {
    Db db;
    two_tables(db);
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
            "VALUES ('FOREIGN_KEY', 'BOOKS', 'Editor_ID', 'Authors', 'set_null')");
    CHECK(db.rows("SELECT kind, from_table, from_column, to_table, on_delete, name FROM covet_relations") ==
          std::vector<Row>{{"foreign_key", "books", "editor_id", "authors", "SET_NULL", "books.editor"}});
}

TEST_CASE("self-referential many_to_many gets from_/to_ junction columns") {
    Db db;
    db.exec("CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT)");
    db.exec("INSERT INTO covet_relations(name, kind, from_table, to_table, related_name) "
            "VALUES ('people.friends', 'many_to_many', 'people', 'people', 'friend_of')");
    CHECK(db.rows("SELECT through_table, through_from_column, through_to_column FROM covet_relations") ==
          std::vector<Row>{{"people_friends", "from_people_id", "to_people_id"}});
}

TEST_CASE("creates an index on every referencing column and a UNIQUE index for one_to_one") {
    Db db;
    two_tables(db);
    db.exec("CREATE TABLE profiles(id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL)");
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES "
            "('foreign_key', 'books', 'author_id', 'authors')");
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES "
            "('one_to_one', 'profiles', 'author_id', 'authors')");
    CHECK(db.integer("SELECT count(*) FROM pragma_index_list('books') WHERE name = 'covet_index:books(author_id)'") == 1);
    CHECK(db.integer("SELECT \"unique\" FROM pragma_index_list('profiles') WHERE name = 'covet_unique:profiles(author_id)'") == 1);
    // The unique index enforces one_to_one for every client.
    db.exec("INSERT INTO authors(id) VALUES (1)");
    db.exec("INSERT INTO profiles VALUES (1, 1)");
    CHECK(contains(db.error("INSERT INTO profiles VALUES (2, 1)"), "UNIQUE"));
}

TEST_CASE("an existing index on the column is reused, not duplicated") {
    Db db;
    two_tables(db);
    db.exec("CREATE INDEX mine ON books(author_id, title)");
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES "
            "('foreign_key', 'books', 'author_id', 'authors')");
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name GLOB 'covet_index:*'") == 0);
}

TEST_CASE("bad input is refused with a clear error and changes nothing") {
    Db db;
    two_tables(db);
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES "
            "('foreign_key', 'books', 'author_id', 'authors')");
    auto insert = [](const std::string& values) {
        return "INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, to_column, on_delete, "
               "related_name, default_value) VALUES (" + values + ")";
    };
    CHECK(contains(refused(db, insert("NULL, 'foreign', 'books', 'editor_id', 'authors', NULL, NULL, NULL, NULL")),
                   "unknown kind 'foreign'"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'nope', 'editor_id', 'authors', NULL, NULL, 'edited', NULL")),
                   "from_table \"nope\" is not an ordinary table"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'nope', NULL, NULL, 'edited', NULL")),
                   "to_table \"nope\""));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'ghost_id', 'authors', NULL, NULL, 'edited', NULL")),
                   "from_column \"ghost_id\" does not exist in table books"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', NULL, 'authors', NULL, NULL, 'edited', NULL")),
                   "from_column is required"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', 'ghost', NULL, 'edited', NULL")),
                   "to_column \"ghost\" does not exist in table authors"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', 'nick', NULL, 'edited', NULL")),
                   "authors.nick is neither the primary key nor a single-column UNIQUE key"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', NULL, 'CASCADE_ALL', 'edited', NULL")),
                   "unknown on_delete 'CASCADE_ALL'"));
    CHECK(contains(refused(db, insert("'books.writer', 'foreign_key', 'books', 'author_id', 'authors', NULL, 'SET_NULL', 'written', NULL")),
                   "SET_NULL needs a nullable column, but books.author_id is NOT NULL"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', NULL, 'SET_DEFAULT', 'edited', NULL")),
                   "SET_DEFAULT needs a default: books.editor_id declares no DEFAULT"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', NULL, 'CASCADE', 'edited', 5")),
                   "default_value is only used by on_delete SET_DEFAULT"));
    // Names: unique, and reverse names must not clash (Django's fields.E304).
    CHECK(contains(refused(db, insert("'books.author', 'foreign_key', 'books', 'editor_id', 'authors', NULL, NULL, 'edited', NULL")),
                   "a relation with this name already exists"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', NULL, NULL, NULL, NULL")),
                   "reverse name authors.books clashes with relation books.author"));
    CHECK(contains(refused(db, insert("'authors.books', 'foreign_key', 'books', 'editor_id', 'authors', NULL, NULL, 'edited', NULL")),
                   "clashes with the reverse name of relation books.author"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', 'authors', NULL, NULL, 'a.b', NULL")),
                   "may not contain '.'"));
    // many_to_many specifics.
    CHECK(contains(refused(db, "INSERT INTO covet_relations(kind, from_table, to_table) VALUES ('many_to_many', 'books', 'categories')"),
                   "needs a name"));
    CHECK(contains(refused(db, "INSERT INTO covet_relations(name, kind, from_table, from_column, to_table) "
                               "VALUES ('books.cats', 'many_to_many', 'books', 'author_id', 'categories')"),
                   "from_column must be NULL for many_to_many"));
    CHECK(contains(refused(db, "INSERT INTO covet_relations(name, kind, from_table, to_table, on_delete) "
                               "VALUES ('books.cats', 'many_to_many', 'books', 'categories', 'CASCADE')"),
                   "on_delete must be NULL for many_to_many"));
    CHECK(contains(refused(db, "INSERT INTO covet_relations(name, kind, from_table, to_table, through_table) "
                               "VALUES ('books.cats', 'many_to_many', 'books', 'categories', 'no_such_junction')"),
                   "through_table \"no_such_junction\""));
    CHECK(contains(refused(db, "INSERT INTO covet_relations(kind, from_table, from_column, to_table, through_table) "
                               "VALUES ('foreign_key', 'books', 'editor_id', 'authors', 'x')"),
                   "only for many_to_many"));
    // Internal tables, views and virtual tables are not relation endpoints.
    db.exec("CREATE VIEW v AS SELECT * FROM books");
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'v', 'editor_id', 'authors', NULL, NULL, 'edited', NULL")),
                   "from_table \"v\" is not an ordinary table"));
    CHECK(contains(refused(db, insert("NULL, 'foreign_key', 'books', 'editor_id', '_covet_relations', NULL, NULL, 'edited', NULL")),
                   "is not an ordinary table"));
}

TEST_CASE("existing dangling references and duplicate one_to_one keys are refused") {
    Db db;
    two_tables(db);
    db.exec("INSERT INTO authors(id) VALUES (1); INSERT INTO books(id, author_id) VALUES (1, 1), (2, 99), (3, 98)");
    std::string message = refused(db, "INSERT INTO covet_relations(kind, from_table, from_column, to_table) "
                                      "VALUES ('foreign_key', 'books', 'author_id', 'authors')");
    CHECK(contains(message, "2 row(s) of books reference missing authors.id (first: books.author_id = 98)"));

    db.exec("CREATE TABLE profiles(id INTEGER PRIMARY KEY, author_id INTEGER); INSERT INTO profiles VALUES (1, 1), (2, 1)");
    CHECK(contains(refused(db, "INSERT INTO covet_relations(kind, from_table, from_column, to_table) "
                               "VALUES ('one_to_one', 'profiles', 'author_id', 'authors')"),
                   "profiles.author_id = 1 appears in 2 rows"));
}

TEST_CASE("a failed row inside a transaction leaves the earlier work intact and adds nothing") {
    Db db;
    two_tables(db);
    db.exec("BEGIN");
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES ('foreign_key', 'books', 'author_id', 'authors')");
    std::string before = db.snapshot();
    db.error("INSERT INTO covet_relations(name, kind, from_table, to_table) VALUES ('books.author', 'many_to_many', 'books', 'categories')");
    CHECK(db.snapshot() == before);  // no junction table books_author, no trigger, no row
    db.exec("ROLLBACK");
    CHECK(db.integer("SELECT count(*) FROM covet_relations") == 0);
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name GLOB 'covet_*:*'") == 0);
}

TEST_CASE("UPDATE may change name, on_delete, related_name, default_value and regenerates triggers") {
    Db db;
    two_tables(db);
    db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table) VALUES ('foreign_key', 'books', 'author_id', 'authors')");
    db.exec("INSERT INTO authors(id) VALUES (1); INSERT INTO books(id, author_id) VALUES (1, 1)");
    std::string cascade_trigger = db.value("SELECT sql FROM sqlite_schema WHERE name = 'covet_delete:authors'");
    db.exec("UPDATE covet_relations SET on_delete = 'protect', name = 'books.writer', related_name = 'works' "
            "WHERE name = 'books.author'");
    CHECK(db.rows("SELECT name, on_delete, related_name FROM covet_relations") ==
          std::vector<Row>{{"books.writer", "PROTECT", "works"}});
    CHECK(db.value("SELECT sql FROM sqlite_schema WHERE name = 'covet_delete:authors'") != cascade_trigger);
    std::string message = db.error("DELETE FROM authors WHERE id = 1");
    CHECK(contains(message, "covet: PROTECT"));
    CHECK(contains(message, "books.writer"));

    CHECK(contains(refused(db, "UPDATE covet_relations SET from_column = 'editor_id'"),
                   "from_column cannot be changed"));
    CHECK(contains(refused(db, "UPDATE covet_relations SET kind = 'one_to_one'"), "kind cannot be changed"));
    CHECK(contains(refused(db, "UPDATE covet_relations SET on_delete = 'SET_NULL'"),
                   "SET_NULL needs a nullable column"));
}

TEST_CASE("DELETE removes the relation's triggers and indexes; an auto junction table and its rows stay") {
    Db db;
    library_schema(db);
    library_rows(db);
    db.exec("DELETE FROM covet_relations WHERE name = 'books.categories'");
    CHECK(db.integer("SELECT count(*) FROM books_categories") == 3);
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name GLOB 'covet_*:books_categories'") == 0);
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'covet_delete:categories'") == 0);
    db.exec("DELETE FROM covet_relations");
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name GLOB 'covet_*:*'") == 0);
    // Indexes cannot be dropped from inside the DELETE statement (SQLite: "database table is
    // locked"); they stay until dropped by hand, and covet_check() lists them.
    db.exec("DROP INDEX \"covet_index:books(author_id)\"");
    CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'covet_index:books(author_id)'") == 0);
    // Re-registering reuses the junction table and its rows.
    db.exec("INSERT INTO covet_relations(name, kind, from_table, to_table, related_name) "
            "VALUES ('books.categories', 'many_to_many', 'books', 'categories', 'books')");
    db.exec("DELETE FROM categories WHERE id = 2");
    CHECK(db.integer("SELECT count(*) FROM books_categories") == 1);
}

TEST_CASE("relations persist in the database file and are transactional") {
    std::string path = "/tmp/covet-test-relations-" + std::to_string(::getpid()) + ".db";
    std::remove(path.c_str());
    {
        Db db(path);
        two_tables(db);
        db.exec("BEGIN; INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
                "VALUES ('foreign_key', 'books', 'editor_id', 'authors', 'SET_NULL'); ROLLBACK");
    }
    {
        Db db(path);
        CHECK(db.integer("SELECT count(*) FROM covet_relations") == 0);
        CHECK(db.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'") == 0);
        db.exec("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
                "VALUES ('foreign_key', 'books', 'editor_id', 'authors', 'SET_NULL')");
    }
    {
        Db db(path);
        CHECK(db.rows("SELECT name, on_delete FROM covet_relations") == std::vector<Row>{{"books.editor", "SET_NULL"}});
    }
    std::remove(path.c_str());
}

TEST_CASE("identifiers with spaces, quotes and keywords are quoted; values cannot inject SQL") {
    Db db;
    db.exec(R"(CREATE TABLE "order"(id INTEGER PRIMARY KEY, "the ""key""" TEXT UNIQUE);
               CREATE TABLE "my books"(id INTEGER PRIMARY KEY, "order ref" TEXT);)");
    db.exec(R"(INSERT INTO covet_relations(name, kind, from_table, from_column, to_table, to_column, related_name)
               VALUES ('x''); DROP TABLE "order"; --', 'foreign_key', 'my books', 'order ref', 'order', 'the "key"', 'books'))");
    db.exec(R"(INSERT INTO "order" VALUES (1, 'k1'); INSERT INTO "my books" VALUES (1, 'k1');)");
    CHECK(contains(db.error(R"(INSERT INTO "my books" VALUES (2, 'nope'))"), "x'); DROP TABLE \"order\"; --"));
    db.exec(R"(DELETE FROM "order" WHERE id = 1)");
    CHECK(db.integer(R"(SELECT count(*) FROM "my books")") == 0);
    CHECK(db.integer(R"(SELECT count(*) FROM sqlite_schema WHERE name = 'order')") == 1);
}

TEST_CASE("covet_version and covet_graph") {
    Db db;
    CHECK(db.value("SELECT covet_version()") == COVET_VERSION);
    library_schema(db);
    std::string dot = db.value("SELECT covet_graph()");
    CHECK(dot.rfind("digraph covet {", 0) == 0);
    CHECK(contains(dot, "\"books\" -> \"authors\" [label=\"books.author\\nforeign_key CASCADE\"]"));
    CHECK(contains(dot, "\"profiles\" -> \"authors\" [label=\"profiles.author\\none_to_one CASCADE\"]"));
    CHECK(contains(dot, "\"books\" -> \"categories\" [label=\"books.categories\\nmany_to_many via books_categories\""));
}
