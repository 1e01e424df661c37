// covet's exception hierarchy and the mapping of SQLite errors to it.
#include <covet/database.hpp>
#include <covet/error.hpp>

#include "../fixtures.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

using covet::Value;

namespace {

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Runs sql, expecting exception type E; returns it.
template <class E>
E expect(covet::Database& db, const std::string& sql) {
    try {
        db.execute(sql);
    } catch (const E& e) {
        return e;
    } catch (const std::exception& e) {
        FAIL("another exception: " << e.what());
    }
    FAIL("no exception from " << sql);
    throw std::logic_error("unreachable");
}

// Django's RESTRICT example (tests/fixtures.hpp).
void artist_album_song(covet::Database& db) { db.execute_script(covet::test::artist_album_song_sql); }

std::int64_t count(covet::Database& db, const std::string& table) {
    return std::get<std::int64_t>(db.query_value("SELECT count(*) FROM " + table));
}

}  // namespace

TEST_CASE("one hierarchy rooted at covet::Error, a std::runtime_error") {
    static_assert(std::is_base_of_v<std::runtime_error, covet::Error>);
    static_assert(std::is_base_of_v<covet::Error, covet::DoesNotExist>);
    static_assert(std::is_base_of_v<covet::Error, covet::MultipleObjectsReturned>);
    static_assert(std::is_base_of_v<covet::Error, covet::IntegrityError>);
    static_assert(std::is_base_of_v<covet::IntegrityError, covet::ProtectedError>);
    static_assert(std::is_base_of_v<covet::IntegrityError, covet::RestrictedError>);
    static_assert(std::is_base_of_v<covet::Error, covet::SchemaError>);
    static_assert(std::is_base_of_v<covet::Error, covet::ValidationError>);
    static_assert(std::is_base_of_v<covet::Error, covet::UsageError>);
    static_assert(std::is_nothrow_copy_constructible_v<covet::Error>);

    covet::DoesNotExist e("Author matching query does not exist: id = 7",
                          {.model = "Author", .field = "id", .value = "7"});
    covet::DoesNotExist copy = e;
    CHECK(std::string(copy.what()) == "Author matching query does not exist: id = 7");
    CHECK(copy.model() == "Author");
    CHECK(copy.field() == "id");
    CHECK(copy.value() == "7");
    CHECK(copy.sqlite_code() == 0);
    CHECK(copy.sql().empty());
    CHECK_THROWS_AS(throw covet::ValidationError("Author.email: 'x' is not an e-mail address"), covet::Error);
}

TEST_CASE("a UNIQUE violation is an IntegrityError keeping the SQL, SQLite's message and the extended code") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE authors(id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)");
    db.execute("INSERT INTO authors(email) VALUES ('ann@example.com')");
    const std::string sql = "INSERT INTO authors(email) VALUES (?)";
    try {
        db.execute(sql, {Value{std::string("ann@example.com")}});
        FAIL("expected an IntegrityError");
    } catch (const covet::IntegrityError& e) {
        CHECK(e.sql() == sql);
        CHECK(e.sqlite_message() == "UNIQUE constraint failed: authors.email");
        CHECK(e.sqlite_code() == SQLITE_CONSTRAINT_UNIQUE);
        std::string what = e.what();
        CHECK(contains(what, "UNIQUE constraint failed: authors.email"));
        CHECK(contains(what, "SQLITE_CONSTRAINT_UNIQUE"));
        CHECK(contains(what, sql));
    }
    CHECK(count(db, "authors") == 1);
    // The statement that failed is usable again.
    db.execute(sql, {Value{std::string("bob@example.com")}});
    CHECK(count(db, "authors") == 2);

    covet::IntegrityError not_null = expect<covet::IntegrityError>(db, "INSERT INTO authors(email) VALUES (NULL)");
    CHECK(not_null.sqlite_code() == SQLITE_CONSTRAINT_NOTNULL);
}

TEST_CASE("a delete refused by a PROTECT relation is a ProtectedError") {
    covet::Database db{":memory:"};
    db.execute_script(R"(
        CREATE TABLE publishers(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE books(id INTEGER PRIMARY KEY, publisher_id INTEGER);
        INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('foreign_key', 'books', 'publisher_id', 'publishers', 'PROTECT', 'books');
        INSERT INTO publishers VALUES (1, 'P1'), (2, 'P2');
        INSERT INTO books VALUES (1, 1);
    )");
    const std::string sql = "DELETE FROM publishers WHERE id = 1";
    covet::ProtectedError e = expect<covet::ProtectedError>(db, sql);
    CHECK(e.sql() == sql);
    CHECK(e.sqlite_message().rfind("covet: PROTECT", 0) == 0);
    CHECK(contains(e.sqlite_message(), "books"));
    CHECK((e.sqlite_code() & 0xff) == SQLITE_CONSTRAINT);
    CHECK(contains(e.what(), sql));
    CHECK(count(db, "publishers") == 2);
    // An unreferenced row goes; and ProtectedError is caught as an IntegrityError too.
    CHECK(db.execute("DELETE FROM publishers WHERE id = 2") == 1);
    CHECK_THROWS_AS(db.execute(sql), covet::IntegrityError);
}

TEST_CASE("a delete refused by a RESTRICT relation is a RestrictedError; the cascade that takes the row is not") {
    covet::Database db{":memory:"};
    artist_album_song(db);
    const std::string sql = "DELETE FROM album WHERE id = 1";
    covet::RestrictedError e = expect<covet::RestrictedError>(db, sql);
    CHECK(e.sql() == sql);
    CHECK(e.sqlite_message().rfind("covet: RESTRICT", 0) == 0);
    CHECK(count(db, "album") == 2);
    CHECK(count(db, "song") == 2);
    // Deleting the artist cascades to its album and its song together: allowed.
    CHECK(db.execute("DELETE FROM artist WHERE id = 1") == 1);
    CHECK(count(db, "album") == 1);
    CHECK(count(db, "song") == 1);
}

TEST_CASE("other covet refusals are IntegrityErrors with covet's message") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE a(id INTEGER PRIMARY KEY)");
    const std::string sql = "INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
                            "VALUES ('foreign_key', 'missing', 'a_id', 'a', 'CASCADE')";
    try {
        db.execute(sql);
        FAIL("expected an IntegrityError");
    } catch (const covet::ProtectedError& e) {
        FAIL("not a ProtectedError: " << e.what());
    } catch (const covet::RestrictedError& e) {
        FAIL("not a RestrictedError: " << e.what());
    } catch (const covet::IntegrityError& e) {
        CHECK(e.sqlite_message().rfind("covet:", 0) == 0);
        CHECK(e.sql() == sql);
    }
    CHECK(std::get<std::int64_t>(db.query_value("SELECT count(*) FROM covet_relations")) == 0);
}

TEST_CASE("a syntax error is a covet::Error with the SQL; a missing table or column is a SchemaError") {
    covet::Database db{":memory:"};
    const std::string sql = "SELEC 1";
    try {
        db.execute(sql);
        FAIL("expected covet::Error");
    } catch (const covet::Error& e) {
        CHECK(e.sql() == sql);
        CHECK(contains(e.sqlite_message(), "syntax error"));
        CHECK(e.sqlite_code() == SQLITE_ERROR);
        CHECK(contains(e.what(), sql));
        CHECK(contains(e.what(), "SQLITE_ERROR"));
        CHECK(dynamic_cast<const covet::IntegrityError*>(&e) == nullptr);
        CHECK(dynamic_cast<const covet::SchemaError*>(&e) == nullptr);
    }
    covet::SchemaError table = expect<covet::SchemaError>(db, "SELECT * FROM nowhere");
    CHECK(table.sqlite_message() == "no such table: nowhere");
    db.execute("CREATE TABLE t(x)");
    expect<covet::SchemaError>(db, "SELECT y FROM t");
    expect<covet::SchemaError>(db, "INSERT INTO t(y) VALUES (1)");
    // A query's error surfaces when stepping.
    CHECK_THROWS_AS(db.query_value("SELECT abs(-9223372036854775807 - 1)"), covet::Error);
}

TEST_CASE("throw_sqlite_error maps by covet's message prefix whatever the code, then by code") {
    auto kind = [](int code, std::string_view message) -> std::string {
        try {
            covet::throw_sqlite_error(code, message, "SQL");
        } catch (const covet::ProtectedError&) {
            return "protected";
        } catch (const covet::RestrictedError&) {
            return "restricted";
        } catch (const covet::IntegrityError&) {
            return "integrity";
        } catch (const covet::SchemaError&) {
            return "schema";
        } catch (const covet::UsageError&) {
            return "usage";
        } catch (const covet::Error&) {
            return "error";
        }
        return "none";
    };
    // covet_delete() reports a refusal as a function error.
    CHECK(kind(SQLITE_CONSTRAINT_FUNCTION, "covet: PROTECT: cannot delete from a") == "protected");
    CHECK(kind(SQLITE_ERROR, "covet: PROTECT: cannot delete from a") == "protected");
    CHECK(kind(SQLITE_CONSTRAINT_TRIGGER, "covet: RESTRICT: cannot delete from a") == "restricted");
    CHECK(kind(SQLITE_CONSTRAINT_TRIGGER, "covet: SET_DEFAULT: cannot delete from a") == "integrity");
    CHECK(kind(SQLITE_CONSTRAINT_CHECK, "CHECK constraint failed: x") == "integrity");
    CHECK(kind(SQLITE_ERROR, "no such column: y") == "schema");
    CHECK(kind(SQLITE_MISUSE, "bad parameter or other API misuse") == "usage");
    CHECK(kind(SQLITE_BUSY, "database is locked") == "error");
    CHECK(covet::sqlite_code_name(SQLITE_CONSTRAINT_UNIQUE) == "SQLITE_CONSTRAINT_UNIQUE");
    CHECK(covet::sqlite_code_name(SQLITE_BUSY) == "SQLITE_BUSY");
    CHECK(covet::sqlite_code_name(SQLITE_IOERR | (99 << 8)) == "SQLITE_IOERR");
}
