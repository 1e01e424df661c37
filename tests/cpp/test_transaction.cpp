// covet::Transaction and Database::transaction: commit, rollback on exceptions, savepoints.
#include <covet/database.hpp>
#include <covet/transaction.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using covet::Value;

namespace {

struct Fixture {
    covet::Database db{":memory:"};
    Fixture() { db.execute("CREATE TABLE t(x INTEGER UNIQUE)"); }
    void insert(std::int64_t x) { db.execute("INSERT INTO t VALUES (?)", {Value{x}}); }
    std::string values() {
        Value v = db.query_value("SELECT coalesce(group_concat(x, ','), '') FROM (SELECT x FROM t ORDER BY x)");
        return std::get<std::string>(v);
    }
};

}  // namespace

TEST_CASE_FIXTURE(Fixture, "db.transaction commits and returns the body's value") {
    std::int64_t result = db.transaction([&] {
        CHECK(db.in_transaction());
        insert(1);
        insert(2);
        return std::int64_t{42};
    });
    CHECK(result == 42);
    CHECK_FALSE(db.in_transaction());
    CHECK(values() == "1,2");

    std::string name = db.transaction([&]() -> std::string { return "named"; });
    CHECK(name == "named");
    std::int64_t counter = 0;
    std::int64_t& ref = db.transaction([&]() -> std::int64_t& { return counter; });
    ref = 5;
    CHECK(counter == 5);
}

TEST_CASE_FIXTURE(Fixture, "an exception rolls back and propagates") {
    insert(1);
    CHECK_THROWS_WITH_AS(db.transaction([&] {
        db.execute("UPDATE t SET x = 10");
        insert(2);
        CHECK(values() == "2,10");
        throw std::runtime_error("boom");
    }),
                         "boom", std::runtime_error);
    CHECK_FALSE(db.in_transaction());
    CHECK(values() == "1");
}

TEST_CASE_FIXTURE(Fixture, "a constraint failure inside a transaction rolls it all back") {
    CHECK_THROWS_AS(db.transaction([&] {
        insert(1);
        insert(1);
    }),
                    covet::IntegrityError);
    CHECK(values() == "");
    CHECK_FALSE(db.in_transaction());
}

TEST_CASE_FIXTURE(Fixture, "nested transactions are savepoints: a caught inner failure undoes only the inner part") {
    std::vector<std::string> statements;
    db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { statements.emplace_back(sql); });
    db.transaction([&] {
        insert(1);
        try {
            db.transaction([&] {
                insert(2);
                insert(3);
                throw std::runtime_error("inner");
            });
        } catch (const std::runtime_error&) {
        }
        CHECK(values() == "1");
        db.transaction([&] { insert(4); });  // a second inner one commits into the outer one
        CHECK(db.in_transaction());
    });
    db.on_query({});
    CHECK(values() == "1,4");
    CHECK(statements == std::vector<std::string>{"BEGIN", "INSERT INTO t VALUES (?)", "SAVEPOINT covet_2",
                                                 "INSERT INTO t VALUES (?)", "INSERT INTO t VALUES (?)",
                                                 "ROLLBACK TO covet_2", "RELEASE covet_2", "SELECT coalesce(group_concat(x, ','), '') FROM (SELECT x FROM t ORDER BY x)",
                                                 "SAVEPOINT covet_2", "INSERT INTO t VALUES (?)", "RELEASE covet_2",
                                                 "COMMIT"});
}

TEST_CASE_FIXTURE(Fixture, "an outer failure rolls back committed inner savepoints too") {
    CHECK_THROWS_AS(db.transaction([&] {
        insert(1);
        db.transaction([&] { insert(2); });
        throw std::logic_error("outer");
    }),
                    std::logic_error);
    CHECK(values() == "");
}

TEST_CASE_FIXTURE(Fixture, "the guard commits on commit() and rolls back without it") {
    {
        covet::Transaction t{db};
        CHECK(t.active());
        CHECK_FALSE(t.is_savepoint());
        CHECK(t.depth() == 1);
        insert(1);
        t.commit();
        CHECK_FALSE(t.active());
        CHECK_THROWS_AS(t.commit(), covet::UsageError);  // already finished
    }
    CHECK(values() == "1");
    {
        covet::Transaction t{db};
        insert(2);
        CHECK(values() == "1,2");
    }  // no commit
    CHECK(values() == "1");
    CHECK_FALSE(db.in_transaction());
    {
        covet::Transaction t{db, covet::TransactionMode::Immediate};
        insert(3);
        t.rollback();
        CHECK_FALSE(db.in_transaction());
    }
    CHECK(values() == "1");
}

TEST_CASE_FIXTURE(Fixture, "nested guards: only the innermost one may finish") {
    covet::Transaction outer{db};
    insert(1);
    {
        covet::Transaction inner{db};
        CHECK(inner.is_savepoint());
        CHECK(inner.depth() == 2);
        insert(2);
        CHECK_THROWS_AS(outer.commit(), covet::UsageError);
        CHECK(outer.active());
    }  // inner rolled back
    CHECK(values() == "1");
    outer.commit();
    CHECK(values() == "1");
    CHECK_FALSE(db.in_transaction());
}

TEST_CASE_FIXTURE(Fixture, "a guard inside a plain BEGIN is a savepoint and leaves that transaction open") {
    db.execute("BEGIN");
    insert(1);
    {
        covet::Transaction t{db};
        CHECK(t.is_savepoint());
        insert(2);
    }
    CHECK(db.in_transaction());
    CHECK(values() == "1");
    db.execute("COMMIT");
    CHECK(values() == "1");
}

TEST_CASE("another connection to the same database: a rolled-back write is not seen by another connection") {
    std::string path = "file:covet-transaction-test?mode=memory&cache=shared";
    covet::Database a{path};
    covet::Database b{path};
    a.execute("CREATE TABLE t(x)");
    {
        covet::Transaction t{a};
        a.execute("INSERT INTO t VALUES (1)");
    }
    a.transaction([&] { a.execute("INSERT INTO t VALUES (2)"); });
    CHECK(b.query_value("SELECT group_concat(x) FROM t") == Value{std::string("2")});
}
