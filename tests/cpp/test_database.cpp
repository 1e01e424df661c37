// covet::Database: opening, the execution API, streaming cursors, the statement cache, and
// observability (query_count, on_query, assert_num_queries). Public headers only.
#include <covet/database.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using covet::Value;

namespace {

// A database file in the temporary directory, removed (with its -wal and -shm) afterwards.
struct TempFile {
    std::filesystem::path path;
    explicit TempFile(const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               ("covet-test-" + std::to_string(::getpid()) + "-" + name + ".db")) {
        remove();
    }
    ~TempFile() { remove(); }
    void remove() const {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path.string() + suffix, ignored);
    }
};

std::string text(const Value& v) { return std::get<std::string>(v); }
std::int64_t integer(const Value& v) { return std::get<std::int64_t>(v); }

}  // namespace

TEST_CASE("a memory database has covet registered") {
    covet::Database db{":memory:"};
    REQUIRE(db.handle() != nullptr);
    Value version = db.query_value("SELECT covet_version()");
    REQUIRE(std::holds_alternative<std::string>(version));
    CHECK_FALSE(text(version).empty());
    // The extension's virtual tables are there too.
    db.execute("CREATE TABLE a(id INTEGER PRIMARY KEY)");
    db.execute("CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER)");
    db.execute("INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete) "
               "VALUES ('foreign_key', 'b', 'a_id', 'a', 'CASCADE')");
    CHECK(integer(db.query_value("SELECT count(*) FROM covet_relations")) == 1);
    CHECK(text(db.query_value("PRAGMA journal_mode")) == "memory");
}

TEST_CASE("a file database is opened in WAL mode with a busy timeout, and keeps its data") {
    TempFile file{"wal"};
    {
        covet::Database db{file.path.string()};
        CHECK(db.path() == file.path.string());
        CHECK(text(db.query_value("PRAGMA journal_mode")) == "wal");
        CHECK(integer(db.query_value("PRAGMA busy_timeout")) == 5000);
        db.execute("CREATE TABLE t(x)");
        db.execute("INSERT INTO t VALUES (?)", {Value{std::int64_t{7}}});
    }
    CHECK(std::filesystem::exists(file.path));
    covet::Database again{file.path.string(), {.busy_timeout = std::chrono::milliseconds(250)}};
    CHECK(integer(again.query_value("PRAGMA busy_timeout")) == 250);
    CHECK(integer(again.query_value("SELECT x FROM t")) == 7);
}

TEST_CASE("opening a database that cannot be opened throws covet::Error naming the path") {
    std::string path = "/nonexistent-covet-dir/sub/x.db";
    try {
        covet::Database db{path};
        FAIL("expected covet::Error");
    } catch (const covet::Error& e) {
        CHECK(std::string(e.what()).find(path) != std::string::npos);
        CHECK((e.sqlite_code() & 0xff) == SQLITE_CANTOPEN);
    }
}

TEST_CASE("every Value type is bound and read back") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE v(n, i, r, t, b)");
    covet::Blob blob{std::byte{0}, std::byte{0xff}, std::byte{0x10}};
    std::array<Value, 5> params{Value{nullptr}, Value{std::int64_t{-9'000'000'000'000}}, Value{3.25},
                                Value{std::string("h\xc3\xa9llo\0x", 8)}, Value{blob}};
    CHECK(db.execute("INSERT INTO v VALUES (?, ?, ?, ?, ?)", params) == 1);
    CHECK(db.last_insert_rowid() == 1);

    std::int64_t rows = db.query("SELECT n, i, r, t, b, typeof(n), typeof(i), typeof(r), typeof(t), typeof(b) FROM v",
                                 {}, [&](const covet::Row& row) {
                                     REQUIRE(row.size() == 10);
                                     for (int c = 0; c < 5; ++c) CHECK(row[c] == params[static_cast<std::size_t>(c)]);
                                     CHECK(text(row[5]) == "null");
                                     CHECK(text(row[6]) == "integer");
                                     CHECK(text(row[7]) == "real");
                                     CHECK(text(row[8]) == "text");
                                     CHECK(text(row[9]) == "blob");
                                     // The typed accessors over the same statement.
                                     CHECK(row.is_null(0));
                                     CHECK(row.int64(1) == -9'000'000'000'000);
                                     CHECK(row.real(2) == 3.25);
                                     CHECK(row.text(3) == std::string_view("h\xc3\xa9llo\0x", 8));
                                     CHECK(row.blob(4).size() == 3);
                                     CHECK(row.blob(4)[1] == std::byte{0xff});
                                     CHECK(row.name(1) == "i");
                                     CHECK(row.type(2) == SQLITE_FLOAT);
                                 });
    CHECK(rows == 1);

    // Binding each alone, used in an expression: the bound type reaches SQLite.
    CHECK(text(db.query_value("SELECT typeof(?)", {Value{nullptr}})) == "null");
    CHECK(text(db.query_value("SELECT typeof(?)", {Value{std::int64_t{1}}})) == "integer");
    CHECK(text(db.query_value("SELECT typeof(?)", {Value{1.5}})) == "real");
    CHECK(text(db.query_value("SELECT typeof(?)", {Value{std::string("x")}})) == "text");
    CHECK(text(db.query_value("SELECT typeof(?)", {Value{covet::Blob{}}})) == "blob");  // empty blob, not NULL
    CHECK(integer(db.query_value("SELECT ? + ?", {Value{std::int64_t{40}}, Value{std::int64_t{2}}})) == 42);
}

TEST_CASE("execute returns the rows changed, 0 for reads and schema statements") {
    covet::Database db{":memory:"};
    CHECK(db.execute("CREATE TABLE t(x)") == 0);
    CHECK(db.execute("INSERT INTO t VALUES (1), (2), (3)") == 3);
    CHECK(db.execute("UPDATE t SET x = x + 1 WHERE x >= ?", {Value{std::int64_t{2}}}) == 2);
    CHECK(db.execute("SELECT * FROM t") == 0);
    CHECK(db.execute("CREATE INDEX tx ON t(x)") == 0);
    CHECK(db.execute("DELETE FROM t WHERE x = 99") == 0);
    CHECK(db.execute("DELETE FROM t") == 3);
}

TEST_CASE("wrong parameter counts and several statements are usage errors; execute_script runs several") {
    covet::Database db{":memory:"};
    CHECK_THROWS_AS(db.execute("SELECT ?", {}), covet::UsageError);
    CHECK_THROWS_AS(db.execute("SELECT 1", {Value{std::int64_t{1}}}), covet::UsageError);
    CHECK_THROWS_AS(db.execute("CREATE TABLE a(x); CREATE TABLE b(x)"), covet::UsageError);
    CHECK_THROWS_AS(db.execute("   "), covet::UsageError);
    CHECK(integer(db.query_value("SELECT count(*) FROM sqlite_schema")) == 0);  // nothing ran
    CHECK(db.execute("SELECT 1; -- a comment\n") == 0);  // trailing ; and comments are fine

    std::int64_t before = db.query_count();
    db.execute_script("CREATE TABLE a(x); CREATE TABLE b(x);\n INSERT INTO a VALUES (1); -- done\n");
    CHECK(db.query_count() - before == 3);
    CHECK(integer(db.query_value("SELECT count(*) FROM sqlite_schema")) == 2);
    CHECK(integer(db.query_value("SELECT x FROM a")) == 1);
}

TEST_CASE("a cursor streams: 10 rows of a 100000-row query, then the statement is reused") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE big(id INTEGER PRIMARY KEY, x INTEGER)");
    db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
               "INSERT INTO big SELECT i, i * 2 FROM n");
    const std::string sql = "SELECT id, x FROM big WHERE id >= ? ORDER BY id";

    sqlite3_stmt* first = nullptr;
    {
        covet::Cursor cursor = db.query(sql, {Value{std::int64_t{1}}});
        std::int64_t seen = 0;
        for (const covet::Row& row : cursor) {
            first = row.handle();
            CHECK(row.int64(0) == seen + 1);
            CHECK(row.int64(1) == 2 * (seen + 1));
            if (++seen == 10) break;
        }
        CHECK(seen == 10);
        // Only a handful of virtual machine steps: the 100000 rows were not all read.
        int vm_steps = sqlite3_stmt_status(cursor.handle(), SQLITE_STMTSTATUS_VM_STEP, 0);
        CHECK(vm_steps > 0);
        CHECK(vm_steps < 1000);
        CHECK_FALSE(cursor.done());
    }  // released here, unfinished
    std::int64_t prepares = db.prepare_count();
    covet::Cursor again = db.query(sql, {Value{std::int64_t{99999}}});
    REQUIRE(again.next());
    CHECK(again.row().handle() == first);  // the same statement, reset and rebound
    CHECK(again.row().int64(0) == 99999);
    REQUIRE(again.next());
    CHECK(again.row().int64(0) == 100000);
    CHECK_FALSE(again.next());
    CHECK(again.done());
    CHECK_FALSE(again.next());  // stays done
    CHECK_THROWS_AS(again.row(), covet::UsageError);
    CHECK(db.prepare_count() == prepares);
}

TEST_CASE("a cursor's parameters are copied: temporaries may go away") {
    covet::Database db{":memory:"};
    covet::Cursor cursor = db.query("SELECT ? || '!'", {Value{std::string(100, 'a')}});
    REQUIRE(cursor.next());
    CHECK(cursor.row().text(0) == std::string(100, 'a') + "!");
}

TEST_CASE("query_unbound: the caller binds on the handle, NULL until then, nothing left from the last use") {
    covet::Database db{":memory:"};
    const std::int64_t before = db.query_count();
    {
        covet::Cursor cursor = db.query_unbound("SELECT ?1 + 1, ?2 IS NULL");
        sqlite3_bind_int64(cursor.handle(), 1, 41);
        REQUIRE(cursor.next());
        CHECK(cursor.row().int64(0) == 42);
        CHECK(cursor.row().int64(1) == 1);
    }
    covet::Cursor again = db.query_unbound("SELECT ?1 + 1, ?2 IS NULL");
    REQUIRE(again.next());
    CHECK(again.row().is_null(0));  // the cached statement's bindings were cleared
    CHECK(db.query_count() == before + 2);
    CHECK(db.prepare_count() == 1);
}

TEST_CASE("execute_each: one statement run per row, each a query seen by the hook; the first error stops it") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE t(x INTEGER UNIQUE, y TEXT)");
    std::vector<std::string> seen;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds d) {
        CHECK(d.count() > 0);
        seen.emplace_back(sql);
    });
    const std::vector<Value> xs{Value{std::int64_t{1}}, Value{std::int64_t{2}}, Value{std::int64_t{3}}};
    const std::int64_t queries = db.query_count(), prepares = db.prepare_count();
    db.execute_each("INSERT INTO t VALUES (?1, ?2)", xs.size(), [&](sqlite3_stmt* stmt, std::size_t i) {
        covet::detail::bind_value(stmt, 1, xs[i]);
        if (i == 0) covet::detail::bind_value(stmt, 2, Value{"first"}, true);  // copied; runs 1 and 2 keep it
    });
    CHECK(db.query_count() - queries == 3);
    CHECK(db.prepare_count() - prepares == 1);
    CHECK(seen == std::vector<std::string>(3, "INSERT INTO t VALUES (?1, ?2)"));
    CHECK(db.query_value("SELECT group_concat(x || y, ',') FROM t") == Value{"1first,2first,3first"});
    db.execute_each("INSERT INTO t VALUES (?1, NULL)", 0, [](sqlite3_stmt*, std::size_t) { FAIL("no run"); });

    // Run 2 breaks the UNIQUE constraint: an IntegrityError; the transaction around it undoes run 1.
    const std::vector<Value> more{Value{std::int64_t{4}}, Value{std::int64_t{2}}, Value{std::int64_t{5}}};
    std::size_t bound = 0;
    std::vector<std::int64_t> rowids;  // ran(i): each run done, its row the last inserted
    CHECK_THROWS_AS(db.transaction([&] {
        db.execute_each(
            "INSERT INTO t VALUES (?1, NULL)", more.size(),
            [&](sqlite3_stmt* stmt, std::size_t i) {
                covet::detail::bind_value(stmt, 1, more[i]);
                ++bound;
            },
            [&](std::size_t i) {
                CHECK(i == rowids.size());
                rowids.push_back(db.last_insert_rowid());
            });
    }),
                    covet::IntegrityError);
    CHECK(bound == 2);
    CHECK(rowids == std::vector<std::int64_t>{4});  // run 0 only: run 1 failed
    CHECK(db.query_value("SELECT count(*) FROM t") == Value{std::int64_t{3}});
    // The statement went back to the cache, ready for the next use.
    db.execute_each("INSERT INTO t VALUES (?1, NULL)", 1, [&](sqlite3_stmt* stmt, std::size_t) {
        covet::detail::bind_value(stmt, 1, Value{std::int64_t{9}});
    });
    CHECK(db.query_value("SELECT max(x) FROM t") == Value{std::int64_t{9}});
}

TEST_CASE("cursors move, and a moved-from cursor is empty") {
    covet::Database db{":memory:"};
    covet::Cursor a = db.query("SELECT 1 UNION ALL SELECT 2");
    REQUIRE(a.next());
    covet::Cursor b = std::move(a);
    CHECK(a.done());  // NOLINT(bugprone-use-after-move): the documented moved-from state
    CHECK_FALSE(a.next());
    CHECK(b.row().int64(0) == 1);
    REQUIRE(b.next());
    CHECK(b.row().int64(0) == 2);
    b = db.query("SELECT 3");
    REQUIRE(b.next());
    CHECK(b.row().int64(0) == 3);
}

TEST_CASE("the statement cache prepares each SQL text once") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE t(x)");
    std::int64_t before = db.prepare_count();
    sqlite3_stmt* handle = nullptr;
    for (std::int64_t i = 0; i < 50; ++i) {
        db.execute("INSERT INTO t VALUES (?)", {Value{i}});
        covet::Cursor c = db.query("SELECT count(*) FROM t WHERE x <= ?", {Value{i}});
        REQUIRE(c.next());
        CHECK(c.row().int64(0) == i + 1);
        if (i == 0) handle = c.handle();
        CHECK(c.handle() == handle);
    }
    CHECK(db.prepare_count() - before == 2);
    CHECK(db.statement_cache_size() == 3);  // with the CREATE TABLE

    // The same SQL while it is running (nested): a second statement, not the busy one.
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    const std::string sql = "SELECT x FROM t WHERE x < ? ORDER BY x";
    db.query(sql, std::array{Value{std::int64_t{2}}}, [&](const covet::Row& outer) {
        db.query(sql, std::array{Value{std::int64_t{2}}},
                 [&](const covet::Row& inner) { pairs.emplace_back(outer.int64(0), inner.int64(0)); });
    });
    CHECK(pairs == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});

    db.clear_statement_cache();
    CHECK(db.statement_cache_size() == 0);
    before = db.prepare_count();
    db.execute("INSERT INTO t VALUES (?)", {Value{std::int64_t{1}}});
    CHECK(db.prepare_count() - before == 1);
}

TEST_CASE("the statement cache evicts the least recently used beyond its capacity") {
    covet::Database db{":memory:", {.statement_cache_capacity = 2}};
    db.query_value("SELECT 1");
    db.query_value("SELECT 2");
    db.query_value("SELECT 1");  // 2 is now the oldest
    db.query_value("SELECT 3");
    CHECK(db.statement_cache_size() == 2);
    std::int64_t before = db.prepare_count();
    db.query_value("SELECT 1");
    CHECK(db.prepare_count() == before);
    db.query_value("SELECT 2");
    CHECK(db.prepare_count() == before + 1);
}

TEST_CASE("query_count and on_query see every statement with its SQL and a positive duration") {
    covet::Database db{":memory:"};
    CHECK(db.query_count() == 0);
    std::vector<std::pair<std::string, std::chrono::nanoseconds>> seen;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds d) { seen.emplace_back(std::string(sql), d); });
    db.execute("CREATE TABLE t(x)");
    db.execute("INSERT INTO t VALUES (?)", {Value{std::int64_t{1}}});
    {
        covet::Cursor c = db.query("SELECT x FROM t");
        REQUIRE(c.next());
        CHECK(seen.size() == 2);  // a running query is reported when it finishes
    }
    CHECK(db.query_value("SELECT count(*) FROM t") == Value{std::int64_t{1}});
    CHECK(db.query_count() == 4);
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].first == "CREATE TABLE t(x)");
    CHECK(seen[1].first == "INSERT INTO t VALUES (?)");
    CHECK(seen[2].first == "SELECT x FROM t");
    CHECK(seen[3].first == "SELECT count(*) FROM t");
    for (auto& [sql, duration] : seen) CHECK_MESSAGE(duration.count() > 0, sql);

    // A failing statement is reported too; removing the hook stops the reports.
    CHECK_THROWS_AS(db.execute("INSERT INTO t VALUES (abs(-9223372036854775807 - 1))"), covet::Error);
    CHECK(seen.size() == 5);
    CHECK(db.query_count() == 5);
    auto previous = db.on_query({});
    CHECK(static_cast<bool>(previous));
    db.execute("SELECT 1");
    CHECK(seen.size() == 5);
    CHECK(db.query_count() == 6);
}

TEST_CASE("the hook may itself run statements") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE log(sql TEXT)");
    bool inside = false;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds) {
        if (inside) return;
        inside = true;
        db.execute("INSERT INTO log VALUES (?)", {Value{std::string(sql)}});
        inside = false;
    });
    db.execute("SELECT 42");
    db.on_query({});
    CHECK(db.query_value("SELECT group_concat(sql, '|') FROM log") == Value{std::string("SELECT 42")});
}

TEST_CASE("assert_num_queries passes on the right count and lists the queries otherwise") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE t(x)");
    covet::assert_num_queries(db, 2, [&] {
        db.execute("INSERT INTO t VALUES (1)");
        db.query_value("SELECT count(*) FROM t");
    });
    covet::assert_num_queries(db, 0, [] {});
    try {
        covet::assert_num_queries(db, 1, [&] {
            db.execute("INSERT INTO t VALUES (2)");
            db.query_value("SELECT max(x) FROM t");
        });
        FAIL("expected covet::Error");
    } catch (const covet::Error& e) {
        std::string message = e.what();
        CHECK(message.find("expected 1 query, 2 were run") != std::string::npos);
        CHECK(message.find("1. INSERT INTO t VALUES (2)") != std::string::npos);
        CHECK(message.find("2. SELECT max(x) FROM t") != std::string::npos);
    }
    // Nested: the inner statements count for the outer one as well.
    covet::assert_num_queries(db, 3, [&] {
        db.execute("SELECT 1");
        covet::assert_num_queries(db, 2, [&] {
            db.execute("SELECT 2");
            db.execute("SELECT 3");
        });
    });
    // The body's exception propagates unchanged.
    CHECK_THROWS_AS(covet::assert_num_queries(db, 5, [] { throw covet::DoesNotExist("none"); }), covet::DoesNotExist);
    // Counting does not disturb a hook.
    int hooked = 0;
    db.on_query([&](std::string_view, std::chrono::nanoseconds) { ++hooked; });
    covet::assert_num_queries(db, 1, [&] { db.execute("SELECT 4"); });
    CHECK(hooked == 1);
}

TEST_CASE("using a Database from another thread is a UsageError, not a crash") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE t(x)");
    covet::Cursor open = db.query("SELECT 1 UNION ALL SELECT 2");
    REQUIRE(open.next());
    std::vector<std::string> caught;
    std::thread other([&] {
        auto attempt = [&](auto&& f) {
            try {
                f();
                caught.emplace_back("no error");
            } catch (const covet::UsageError& e) {
                caught.emplace_back(e.what());
            } catch (...) {
                caught.emplace_back("another exception");
            }
        };
        attempt([&] { db.execute("INSERT INTO t VALUES (1)"); });
        attempt([&] { db.query("SELECT * FROM t"); });
        attempt([&] { open.next(); });
        attempt([&] { db.transaction([] {}); });
        attempt([&] { db.last_insert_rowid(); });
    });
    other.join();
    REQUIRE(caught.size() == 5);
    for (const std::string& message : caught) {
        CHECK_MESSAGE(message.find("one Database per thread") != std::string::npos, message);
    }
    // Nothing ran; the owning thread carries on.
    CHECK(db.query_value("SELECT count(*) FROM t") == Value{std::int64_t{0}});
    REQUIRE(open.next());
    CHECK(open.row().int64(0) == 2);
}

TEST_CASE("a Database opened on another thread is used there") {
    std::string result;
    std::thread worker([&] {
        covet::Database db{":memory:"};
        result = std::get<std::string>(db.query_value("SELECT 'ok'"));
    });
    worker.join();
    CHECK(result == "ok");
}
