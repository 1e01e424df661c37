// covet::Query (query.hpp) and the SQL printer (sql_printer.hpp): the exact SQL text and
// parameters of every lookup and query form, the errors for unknown fields and lookups, and the
// printed SQL run against a real SQLite database to prove the results.
#include <doctest/doctest.h>

#include <covet/query.hpp>
#include <covet/sql_printer.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

using namespace covet;
using V = std::vector<Value>;

namespace {

Column column(std::string field, ColumnType type, bool nullable = false, bool pk = false) {
    Column c;
    c.field = field;
    c.name = std::move(field);
    c.type = type;
    c.nullable = nullable;
    c.primary_key = pk;
    return c;
}

// Book: id, title, pages, published (nullable).
ModelInfo book_info() {
    ModelInfo m;
    m.name = "Book";
    m.table = "books";
    m.columns = {column("id", ColumnType::Integer, false, true), column("title", ColumnType::Text),
                 column("pages", ColumnType::Integer), column("published", ColumnType::Text, true)};
    m.primary_key = 0;
    return m;
}

const ModelInfo& book() {
    static const ModelInfo m = book_info();
    return m;
}

// The WHERE clause printed for one filter on Book.
Sql where(const Filter& f) {
    Sql sql = print_select(Query(book()).filter(f));
    const std::string prefix =
        R"(SELECT "books"."id", "books"."title", "books"."pages", "books"."published" FROM "books" WHERE )";
    REQUIRE(sql.text.starts_with(prefix));
    sql.text.erase(0, prefix.size());
    return sql;
}

std::string message_of(auto&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

// A real in-memory database with a few books.
class Db {
public:
    Db() {
        REQUIRE(sqlite3_open(":memory:", &db_) == SQLITE_OK);
        exec(R"(CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, pages INTEGER NOT NULL,
                                    published TEXT);
                INSERT INTO books VALUES (1, 'Dune', 412, '1965-08-01'),
                                         (2, 'dune messiah', 256, NULL),
                                         (3, '50% off', 50, '2001-01-01'),
                                         (4, '50x off', 50, NULL),
                                         (5, 'a_b\c', 10, '2020-02-02'),
                                         (6, 'axbxc', 10, NULL);)");
    }
    ~Db() { sqlite3_close(db_); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(const std::string& sql) {
        char* error = nullptr;
        const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
        const std::string message = error ? error : "";
        sqlite3_free(error);
        REQUIRE_MESSAGE(rc == SQLITE_OK, message);
    }

    // The first column of every row (as integers).
    std::vector<std::int64_t> column0(const Sql& sql) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v2(db_, sql.text.c_str(), -1, &stmt, nullptr);
        REQUIRE_MESSAGE(rc == SQLITE_OK, sqlite3_errmsg(db_), " in: ", sql.text);
        REQUIRE(sqlite3_bind_parameter_count(stmt) == static_cast<int>(sql.params.size()));
        for (std::size_t i = 0; i < sql.params.size(); ++i) {
            const int n = static_cast<int>(i + 1);
            const Value& v = sql.params[i];
            if (std::holds_alternative<std::nullptr_t>(v))
                sqlite3_bind_null(stmt, n);
            else if (const auto* x = std::get_if<std::int64_t>(&v))
                sqlite3_bind_int64(stmt, n, *x);
            else if (const auto* d = std::get_if<double>(&v))
                sqlite3_bind_double(stmt, n, *d);
            else if (const auto* s = std::get_if<std::string>(&v))
                sqlite3_bind_text(stmt, n, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
            else {
                const auto& b = std::get<Blob>(v);
                sqlite3_bind_blob(stmt, n, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
            }
        }
        std::vector<std::int64_t> out;
        int step;
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW) out.push_back(sqlite3_column_int64(stmt, 0));
        const std::string error = sqlite3_errmsg(db_);
        sqlite3_finalize(stmt);
        REQUIRE_MESSAGE(step == SQLITE_DONE, error);
        return out;
    }

    // The ids of the books a filter selects, in id order.
    std::vector<std::int64_t> ids(const Filter& f) {
        return column0(print_select(Query(book()).filter(f).order_by({"id"})));
    }

    std::int64_t scalar(const Sql& sql) {
        auto rows = column0(sql);
        REQUIRE(rows.size() == 1);
        return rows[0];
    }

private:
    sqlite3* db_ = nullptr;
};

using Ids = std::vector<std::int64_t>;

}  // namespace

TEST_CASE("lookup names round-trip") {
    CHECK(all_lookups().size() == 15);
    for (Lookup l : all_lookups()) CHECK(lookup_from_name(lookup_name(l)) == l);
    CHECK_FALSE(lookup_from_name("gtee"));
}

TEST_CASE("Q parses Django string lookups") {
    Filter f = Q("pages__gte", 100);
    REQUIRE(f.kind() == Filter::Kind::Condition);
    CHECK(f.condition().path == std::vector<std::string>{"pages"});
    CHECK(f.condition().lookup == Lookup::Gte);
    CHECK(f.condition().values == V{std::int64_t{100}});
    CHECK(f.condition().expression() == "pages__gte");

    Filter g = Q("title", "Dune");  // no lookup: exact
    CHECK(g.condition().path == std::vector<std::string>{"title"});
    CHECK(g.condition().lookup == Lookup::Exact);
    CHECK(g.condition().expression() == "title");

    Filter h = Q("author__email__icontains", "x");  // a path of several fields, for relations
    CHECK(h.condition().path == std::vector<std::string>{"author", "email"});
    CHECK(h.condition().lookup == Lookup::IContains);

    Filter t = Filter("pages", Lookup::In, {1, 2, 3});  // what f<&Book::pages>.in(...) builds
    CHECK(t.condition().values.size() == 3);
}

TEST_CASE("every lookup prints its SQL with bound parameters") {
    const std::string c = R"("books"."title")";
    const std::string p = R"("books"."pages")";
    auto check = [](const Filter& f, const std::string& text, const V& params) {
        Sql sql = where(f);
        CHECK(sql.text == text);
        CHECK(sql.params == params);
    };
    check(Q("title", "Dune"), c + " = ?1", {"Dune"});
    check(Q("title__exact", "Dune"), c + " = ?1", {"Dune"});
    check(Q("title__iexact", "dune"), c + R"( LIKE ?1 ESCAPE '\')", {"dune"});
    check(Q("title__contains", "un"), "instr(" + c + ", ?1) > 0", {"un"});
    check(Q("title__icontains", "UN"), c + R"( LIKE ?1 ESCAPE '\')", {"%UN%"});
    check(Q("title__startswith", "Du"), "substr(" + c + ", 1, length(?1)) = ?1", {"Du"});
    check(Q("title__istartswith", "du"), c + R"( LIKE ?1 ESCAPE '\')", {"du%"});
    check(Q("title__endswith", "ne"), "substr(" + c + ", length(" + c + ") - length(?1) + 1) = ?1", {"ne"});
    check(Q("title__iendswith", "NE"), c + R"( LIKE ?1 ESCAPE '\')", {"%NE"});
    check(Q("pages__gt", 5), p + " > ?1", {5});
    check(Q("pages__gte", 5), p + " >= ?1", {5});
    check(Q("pages__lt", 5), p + " < ?1", {5});
    check(Q("pages__lte", 5.5), p + " <= ?1", {5.5});
    check(Q("pages__in", V{1, 2, 3}), p + " IN (?1, ?2, ?3)", {1, 2, 3});
    check(Q("pages__in", V{}), "0", {});
    check(Q("pages__in", V{1, nullptr}), p + " IN (?1)", {1});  // NULL never matches: dropped
    check(Q("published__isnull", true), R"("books"."published" IS NULL)", {});
    check(Q("published__isnull", false), R"("books"."published" IS NOT NULL)", {});
    check(Q("pages__range", V{10, 20}), p + " BETWEEN ?1 AND ?2", {10, 20});
    check(Q("pk", 3), R"("books"."id" = ?1)", {3});
    // Numbers given to text lookups are compared as text.
    check(Q("pages__startswith", 4), "substr(" + p + ", 1, length(?1)) = ?1", {"4"});
}

TEST_CASE("exact and iexact with NULL print IS NULL") {
    CHECK(where(Q("published", nullptr)).text == R"("books"."published" IS NULL)");
    CHECK(where(Q("published", nullptr)).params.empty());
    CHECK(where(Q("published__iexact", nullptr)).text == R"("books"."published" IS NULL)");
    CHECK(where(!Q("published", nullptr)).text == R"(NOT ("books"."published" IS NULL))");
    CHECK_THROWS(Q("pages__gt", nullptr));
    CHECK_THROWS(Q("pages__range", V{1, nullptr}));
    CHECK_THROWS(Q("pages__range", V{1}));
    CHECK_THROWS(Q("published__isnull", "yes"));
    CHECK_THROWS(Q("pages__gt", V{1, 2}));
}

TEST_CASE("LIKE escaping of %, _ and \\") {
    CHECK(escape_like(R"(50%_a\b)") == R"(50\%\_a\\b)");
    CHECK(where(Q("title__icontains", "50%")).params == V{R"(%50\%%)"});
    CHECK(where(Q("title__istartswith", "a_b")).params == V{R"(a\_b%)"});
    CHECK(where(Q("title__iendswith", R"(\c)")).params == V{R"(%\\c)"});
    CHECK(where(Q("title__iexact", "a_b\\c")).params == V{R"(a\_b\\c)"});

    Db db;
    // icontains: '%' and '_' are literal, case-insensitive for ASCII
    CHECK(db.ids(Q("title__icontains", "50%")) == Ids{3});
    CHECK(db.ids(Q("title__icontains", "50")) == Ids{3, 4});
    CHECK(db.ids(Q("title__icontains", "_")) == Ids{5});
    CHECK(db.ids(Q("title__icontains", "\\")) == Ids{5});
    CHECK(db.ids(Q("title__icontains", "DUNE")) == Ids{1, 2});
    CHECK(db.ids(Q("title__iexact", "a_b\\c")) == Ids{5});
    CHECK(db.ids(Q("title__iexact", "axb\\c")) == Ids{});
    CHECK(db.ids(Q("title__iexact", "DUNE")) == Ids{1});
    CHECK(db.ids(Q("title__istartswith", "a_")) == Ids{5});
    CHECK(db.ids(Q("title__istartswith", "50%")) == Ids{3});
    CHECK(db.ids(Q("title__iendswith", "B\\C")) == Ids{5});
    CHECK(db.ids(Q("title__iendswith", "%")) == Ids{});
    // the case-sensitive ones
    CHECK(db.ids(Q("title__contains", "une")) == Ids{1, 2});
    CHECK(db.ids(Q("title__contains", "Dune")) == Ids{1});
    CHECK(db.ids(Q("title__contains", "%")) == Ids{3});
    CHECK(db.ids(Q("title__contains", "")) == Ids{1, 2, 3, 4, 5, 6});
    CHECK(db.ids(Q("title__startswith", "dune")) == Ids{2});
    CHECK(db.ids(Q("title__startswith", "50%")) == Ids{3});
    CHECK(db.ids(Q("title__startswith", "a_")) == Ids{5});
    CHECK(db.ids(Q("title__endswith", "Messiah")) == Ids{});
    CHECK(db.ids(Q("title__endswith", "messiah")) == Ids{2});
    CHECK(db.ids(Q("title__endswith", "off")) == Ids{3, 4});
    CHECK(db.ids(Q("title__endswith", "a very long suffix, longer than any title")) == Ids{});
    CHECK(db.ids(Q("title__endswith", "")) == Ids{1, 2, 3, 4, 5, 6});
    CHECK(db.ids(Q("pages__startswith", 4)) == Ids{1});
    CHECK(db.ids(Q("pages__endswith", 0)) == Ids{3, 4, 5, 6});
    // the others
    CHECK(db.ids(Q("title", "Dune")) == Ids{1});
    CHECK(db.ids(Q("published", nullptr)) == Ids{2, 4, 6});
    CHECK(db.ids(Q("published__isnull", false)) == Ids{1, 3, 5});
    CHECK(db.ids(Q("pages__in", V{10, 50})) == Ids{3, 4, 5, 6});
    CHECK(db.ids(Q("pages__in", V{})) == Ids{});
    CHECK(db.ids(Q("pages__range", V{50, 256})) == Ids{2, 3, 4});
    CHECK(db.ids(Q("pages__gt", 50)) == Ids{1, 2});
    CHECK(db.ids(Q("pages__lte", 10)) == Ids{5, 6});
}

TEST_CASE("&&, || and ! nest with the right parentheses") {
    Filter a = Q("pages__gt", 100);
    Filter b = Q("title", "x");
    Filter c = Q("id", 3);
    const std::string A = R"("books"."pages" > )", B = R"("books"."title" = )", C = R"("books"."id" = )";

    CHECK(where(a && b).text == A + "?1 AND " + B + "?2");
    CHECK(where(a || b).text == A + "?1 OR " + B + "?2");
    CHECK(where((a || b) && c).text == "(" + A + "?1 OR " + B + "?2) AND " + C + "?3");
    CHECK(where(a || (b && c)).text == A + "?1 OR (" + B + "?2 AND " + C + "?3)");
    CHECK(where(a && b && c).text == A + "?1 AND " + B + "?2 AND " + C + "?3");  // flattened
    CHECK((a && b && c).children().size() == 3);
    CHECK(where(!(a && b)).text == "NOT (" + A + "?1 AND " + B + "?2)");
    CHECK(where(!a || !b).text == "NOT (" + A + "?1) OR NOT (" + B + "?2)");
    CHECK(where(!!a).text == A + "?1");
    CHECK(where((a || !(b || c)) && !c).text ==
          "(" + A + "?1 OR NOT (" + B + "?2 OR " + C + "?3)) AND NOT (" + C + "?4)");
    CHECK(where((a || b) && c).params == V{100, "x", 3});

    Db db;
    CHECK(db.ids((Q("pages", 50) || Q("pages", 10)) && Q("title__contains", "x")) == Ids{4, 6});
    CHECK(db.ids(Q("pages", 50) || (Q("pages", 10) && Q("title__contains", "x"))) == Ids{3, 4, 6});
    CHECK(db.ids(!(Q("pages", 50) || Q("pages", 10))) == Ids{1, 2});
}

TEST_CASE("filter() calls are ANDed; exclude() is NOT, the complement even with NULLs") {
    Query q = Query(book()).filter(Q("pages__gt", 5)).exclude(Q("title", "x"));
    CHECK(where(*q.where()).text == R"("books"."pages" > ?1 AND NOT ("books"."title" = ?2))");

    // published is nullable: the negation keeps the rows where it is NULL (Django's exclude()).
    CHECK(where(!Q("published__gt", "2000")).text ==
          R"(NOT ("books"."published" > ?1 AND "books"."published" IS NOT NULL))");
    CHECK(where(!!Q("published__gt", "2000")).text == R"("books"."published" > ?1)");
    CHECK(where(!(Q("pages", 1) || !Q("published__gt", "2000"))).text ==
          R"(NOT ("books"."pages" = ?1 OR NOT ("books"."published" > ?2)))");

    Db db;
    const Query all = Query(book()).order_by({"id"});
    CHECK(db.column0(print_select(all.filter(Q("published__gt", "2000")))) == Ids{3, 5});
    CHECK(db.column0(print_select(all.exclude(Q("published__gt", "2000")))) == Ids{1, 2, 4, 6});
    CHECK(db.column0(print_select(all.exclude(Q("published__in", V{"2001-01-01"})))) == Ids{1, 2, 4, 5, 6});
    CHECK(db.column0(print_select(all.exclude(Q("published", nullptr)))) == Ids{1, 3, 5});
    CHECK(db.column0(print_select(all.exclude(!Q("published__gt", "2000")))) == Ids{3, 5});
    CHECK(db.column0(print_select(all.filter(Q("pages", 50)).exclude(Q("title__icontains", "%")))) == Ids{4});
}

TEST_CASE("select, order_by, default ordering, limit/offset, distinct") {
    const std::string cols = R"("books"."id", "books"."title", "books"."pages", "books"."published")";
    Query q(book());
    CHECK(print_select(q).text == "SELECT " + cols + R"( FROM "books")");
    CHECK(print_select(q).params.empty());

    CHECK(print_select(q.order_by({"-pages", "title"})).text ==
          "SELECT " + cols + R"( FROM "books" ORDER BY "books"."pages" DESC, "books"."title" ASC)");
    CHECK(print_select(q.order_by({"?"})).text == "SELECT " + cols + R"( FROM "books" ORDER BY random())");

    ModelInfo ordered = book_info();
    ordered.ordering = {"-published", "id"};
    Query o(ordered);
    CHECK(o.ordering() == std::vector<std::string>{"-published", "id"});
    CHECK(print_select(o).text ==
          "SELECT " + cols + R"( FROM "books" ORDER BY "books"."published" DESC, "books"."id" ASC)");
    CHECK(print_select(o.order_by({})).text == "SELECT " + cols + R"( FROM "books")");  // cleared

    Sql sliced = print_select(q.filter(Q("pages__gt", 1)).order_by({"id"}).slice(2, 5));
    CHECK(sliced.text == "SELECT " + cols +
                             R"( FROM "books" WHERE "books"."pages" > ?1 ORDER BY "books"."id" ASC LIMIT ?2 OFFSET ?3)");
    CHECK(sliced.params == V{1, 3, 2});
    CHECK(print_select(q.slice(0, 3)).text == "SELECT " + cols + R"( FROM "books" LIMIT ?1)");
    CHECK(print_select(q.slice(4, std::nullopt)).text == "SELECT " + cols + R"( FROM "books" LIMIT -1 OFFSET ?1)");

    // slices compose like Python's
    Query s = q.slice(2, 10).slice(1, 4);
    CHECK(s.offset() == 3);
    CHECK(s.limit() == 3);
    CHECK(q.slice(2, 4).slice(5, std::nullopt).limit() == 0);
    CHECK(q.slice(5, 2).limit() == 0);
    CHECK_THROWS(q.slice(1, 2).filter(Q("id", 1)));
    CHECK_THROWS(q.slice(1, 2).order_by({"id"}));

    CHECK(print_select(q.distinct().values({"pages"})).text == R"(SELECT DISTINCT "books"."pages" FROM "books")");

    Db db;
    CHECK(db.column0(print_select(q.order_by({"-pages", "id"}))) == Ids{1, 2, 3, 4, 5, 6});
    CHECK(db.column0(print_select(q.order_by({"pages", "-id"}))) == Ids{6, 5, 4, 3, 2, 1});
    CHECK(db.column0(print_select(q.order_by({"id"}).slice(2, 4))) == Ids{3, 4});
    CHECK(db.column0(print_select(q.order_by({"id"}).slice(4, std::nullopt))) == Ids{5, 6});
    CHECK(db.column0(print_select(q.values({"pages"}).distinct().order_by({"pages"}))) == Ids{10, 50, 256, 412});
    CHECK(q.values({"pages", "id"}).result_names() == std::vector<std::string>{"pages", "id"});
    CHECK(q.result_names() == std::vector<std::string>{"id", "title", "pages", "published"});
}

TEST_CASE("count and exists") {
    Query q(book());
    CHECK(print_count(q).text == R"(SELECT count(*) FROM "books")");
    Sql c = print_count(q.filter(Q("pages", 50)).order_by({"id"}));
    CHECK(c.text == R"(SELECT count(*) FROM "books" WHERE "books"."pages" = ?1)");
    CHECK(c.params == V{50});
    Sql limited = print_count(q.filter(Q("pages__gt", 1)).slice(1, 3));
    CHECK(limited.text ==
          R"(SELECT count(*) FROM (SELECT "books"."id", "books"."title", "books"."pages", "books"."published" FROM "books" WHERE "books"."pages" > ?1 LIMIT ?2 OFFSET ?3))");
    CHECK(limited.params == V{1, 2, 1});
    CHECK(print_count(q.values({"pages"}).distinct()).text ==
          R"(SELECT count(*) FROM (SELECT DISTINCT "books"."pages" FROM "books"))");

    CHECK(print_exists(q.filter(Q("id", 2))).text == R"(SELECT 1 FROM "books" WHERE "books"."id" = ?1 LIMIT 1)");
    CHECK(print_exists(q.slice(10, std::nullopt)).text ==
          R"(SELECT 1 FROM (SELECT "books"."id", "books"."title", "books"."pages", "books"."published" FROM "books" LIMIT -1 OFFSET ?1) LIMIT 1)");
    CHECK(to_sql(q.count()).text == print_count(q).text);
    CHECK(to_sql(q.exists()).text == print_exists(q).text);

    Db db;
    CHECK(db.scalar(print_count(q)) == 6);
    CHECK(db.scalar(print_count(q.filter(Q("pages", 50)))) == 2);
    CHECK(db.scalar(print_count(q.slice(0, 4))) == 4);
    CHECK(db.scalar(print_count(q.slice(4, 100))) == 2);
    CHECK(db.scalar(print_count(q.slice(10, 100))) == 0);
    CHECK(db.scalar(print_count(q.values({"pages"}).distinct())) == 4);
    CHECK(db.scalar(print_count(q.values({"pages"}).distinct().slice(1, std::nullopt))) == 3);
    CHECK(db.column0(print_exists(q.filter(Q("pages", 50)))) == Ids{1});
    CHECK(db.column0(print_exists(q.filter(Q("pages", 51)))).empty());
    CHECK(db.column0(print_exists(q.slice(5, std::nullopt))) == Ids{1});
    CHECK(db.column0(print_exists(q.slice(6, std::nullopt))).empty());
}

TEST_CASE("aggregates, and annotate() grouped by values()") {
    Query q(book());
    Sql a = print_select(q.filter(Q("pages__gt", 10)).aggregate({Count(), Sum("pages"), Max("pages", "longest")}));
    CHECK(a.text ==
          R"(SELECT count(*) AS "count", sum("books"."pages") AS "pages__sum", max("books"."pages") AS "longest" FROM "books" WHERE "books"."pages" > ?1)");
    CHECK(a.params == V{10});
    CHECK(q.aggregate({Count(), Sum("pages")}).result_names() == std::vector<std::string>{"count", "pages__sum"});
    CHECK(print_select(q.aggregate({Count("published", "", true), Avg("pages"), Min("id")})).text ==
          R"(SELECT count(DISTINCT "books"."published") AS "published__count", avg("books"."pages") AS "pages__avg", min("books"."id") AS "id__min" FROM "books")");

    // over a slice: a subquery
    Sql s = print_select(q.order_by({"id"}).slice(0, 3).aggregate({Sum("pages")}));
    CHECK(s.text ==
          R"(SELECT sum("pages") AS "pages__sum" FROM (SELECT "books"."id", "books"."title", "books"."pages", "books"."published" FROM "books" ORDER BY "books"."id" ASC LIMIT ?1))");

    Query g = q.values({"pages"}).annotate({Count("id", "n")}).order_by({"-n", "pages"});
    Sql gs = print_select(g);
    CHECK(gs.text ==
          R"(SELECT "books"."pages", count("books"."id") AS "n" FROM "books" GROUP BY "books"."pages" ORDER BY "n" DESC, "books"."pages" ASC)");
    CHECK(g.result_names() == std::vector<std::string>{"pages", "n"});
    CHECK(print_count(g).text ==
          R"(SELECT count(*) FROM (SELECT "books"."pages", count("books"."id") AS "n" FROM "books" GROUP BY "books"."pages"))");

    ModelInfo ordered = book_info();
    ordered.ordering = {"title"};  // the default ordering does not apply to aggregate queries
    CHECK(print_select(Query(ordered).aggregate({Count()})).text == R"(SELECT count(*) AS "count" FROM "books")");

    CHECK_THROWS(q.annotate({Count()}));  // needs values()
    CHECK_THROWS(q.aggregate({Sum("")}));
    CHECK_THROWS(q.aggregate({Sum("pags")}));
    CHECK_THROWS(q.aggregate({Sum("pages"), Sum("pages")}));
    CHECK_THROWS(q.order_by({"n"}));

    Db db;
    CHECK(db.column0(print_select(q.aggregate({Sum("pages")}))) == Ids{412 + 256 + 50 + 50 + 10 + 10});
    CHECK(db.column0(print_select(q.order_by({"id"}).slice(0, 3).aggregate({Sum("pages")}))) == Ids{412 + 256 + 50});
    CHECK(db.column0(print_select(q.filter(Q("pages", 50)).aggregate({Count()}))) == Ids{2});
    CHECK(db.column0(print_select(q.values({"pages"}).distinct().aggregate({Sum("pages")}))) == Ids{412 + 256 + 50 + 10});
    CHECK(db.column0(print_select(g)) == Ids{10, 50, 256, 412});
    CHECK(db.scalar(print_count(g)) == 4);
}

TEST_CASE("update and delete") {
    Query q(book());
    Sql u = print_update(q.filter(Q("pages__lt", 100)).update({{"title", "short"}, {"published", nullptr}}));
    CHECK(u.text == R"(UPDATE "books" SET "title" = ?1, "published" = ?2 WHERE "books"."pages" < ?3)");
    CHECK(u.params == V{"short", nullptr, 100});
    CHECK(to_sql(q.update({{"pages", 1}})).text == R"(UPDATE "books" SET "pages" = ?1)");
    CHECK_THROWS(q.update({}));
    CHECK_THROWS(q.update({{"titel", "x"}}));
    CHECK_THROWS(q.update({{"title", nullptr}}));  // not nullable
    CHECK_THROWS(q.update({{"title", "a"}, {"title", "b"}}));
    CHECK_THROWS(q.slice(0, 1).update({{"title", "a"}}));

    Sql d = print_delete(q.filter(Q("id__in", V{1, 2})));
    CHECK(d.text == R"(DELETE FROM "books" WHERE "books"."id" IN (?1, ?2))");
    CHECK(d.params == V{1, 2});
    CHECK(to_sql(q.delete_()).text == R"(DELETE FROM "books")");
    CHECK_THROWS(q.slice(0, 1).delete_());
    CHECK_THROWS(q.distinct().delete_());
    CHECK_THROWS(q.values({"id"}).delete_());

    Db db;
    db.column0(u);
    CHECK(db.scalar(print_count(q.filter(Q("title", "short")))) == 4);
    CHECK(db.scalar(print_count(q.filter(Q("published", nullptr)))) == 5);
    db.column0(d);
    CHECK(db.scalar(print_count(q)) == 4);
}

TEST_CASE("unknown fields and lookups: the message names the model, the field and the options") {
    Query q(book());
    CHECK(message_of([&] { (void)q.filter(Q("pags", 1)); }) ==
          "covet: Book has no field 'pags' (fields: id, title, pages, published)");
    CHECK(message_of([&] { (void)q.filter(Q("pags__gte", 1)); }) ==
          "covet: Book has no field 'pags' (fields: id, title, pages, published)");
    const std::string unknown = message_of([&] { (void)q.filter(Q("pages__gtee", 1)); });
    CHECK(unknown ==
          "covet: unknown lookup 'gtee' in 'pages__gtee' (lookups: exact, iexact, contains, icontains, "
          "startswith, istartswith, endswith, iendswith, gt, gte, lt, lte, in, isnull, range)");
    CHECK(message_of([&] { (void)q.filter(Q("title__author__icontains", "x")); })
              .ends_with("; Book.title is not a relation"));
    CHECK(message_of([&] { (void)q.filter(Filter("title__author", Lookup::Gt, {1})); })
              .starts_with("covet: unknown lookup 'author' in 'title__author__gt' (lookups: exact,"));
    CHECK(message_of([&] { (void)q.filter(Q("author__email__icontains", "x")); }) ==
          "covet: Book has no field 'author' (fields: id, title, pages, published)");
    CHECK(message_of([&] { (void)q.order_by({"-titel"}); }) ==
          "covet: Book has no field 'titel' (fields: id, title, pages, published)");
    CHECK(message_of([&] { (void)q.values({"x"}); }) ==
          "covet: Book has no field 'x' (fields: id, title, pages, published)");
    // inside a tree
    CHECK_THROWS_WITH(q.filter(Q("id", 1) || !Q("nope", 2)),
                      "covet: Book has no field 'nope' (fields: id, title, pages, published)");
    // a bad default ordering is reported when printed
    ModelInfo bad = book_info();
    bad.ordering = {"nope"};
    CHECK_THROWS(print_select(Query(bad)));
    CHECK_THROWS(Q("", 1));
    CHECK_THROWS(Q("pages__", 1));
}

TEST_CASE("identifiers are quoted, embedded quotes doubled") {
    CHECK(quote_identifier("books") == R"("books")");
    CHECK(quote_identifier(R"(we"ird)") == R"("we""ird")");
    ModelInfo m;
    m.name = "Weird";
    m.table = R"(my "table")";
    m.columns = {column("id", ColumnType::Integer, false, true), column("na\"me", ColumnType::Text)};
    m.columns[1].name = R"(col "x")";
    Sql sql = print_select(Query(m).filter(Filter("na\"me", Lookup::Exact, {"v"})).order_by({"-id"}));
    CHECK(sql.text ==
          R"(SELECT "my ""table"""."id", "my ""table"""."col ""x""" FROM "my ""table""" WHERE "my ""table"""."col ""x""" = ?1 ORDER BY "my ""table"""."id" DESC)");

    Db db;
    db.exec(R"(CREATE TABLE "my ""table""" (id INTEGER PRIMARY KEY, "col ""x""" TEXT); INSERT INTO "my ""table""" VALUES (7, 'v'), (8, 'w');)");
    CHECK(db.column0(sql) == Ids{7});
}

TEST_CASE("injection attempts in values end up as parameters") {
    const std::string evil = "'; DROP TABLE books; --";
    const std::string evil2 = "\" OR 1=1; DROP TABLE books; --";
    Db db;
    Query q(book());
    for (const Filter& f : {Q("title", evil), Q("title__icontains", evil), Q("title__contains", evil2),
                            Q("title__startswith", evil), Q("title__iendswith", evil2), Q("title__in", V{evil, evil2}),
                            Q("title__range", V{evil, evil2}), Q("title__iexact", evil2)}) {
        Sql sql = print_select(q.filter(f));
        CHECK(sql.text.find("DROP") == std::string::npos);
        CHECK(db.column0(sql).empty());
    }
    Sql u = print_update(q.filter(Q("title", evil)).update({{"title", evil2}}));
    CHECK(u.text.find("DROP") == std::string::npos);
    db.column0(u);
    db.column0(print_update(q.filter(Q("id", 1)).update({{"title", evil}})));
    db.column0(print_delete(q.filter(Q("title", evil2))));
    // the table survives, and the evil text was stored as data
    CHECK(db.scalar(print_count(q)) == 6);
    CHECK(db.column0(print_select(q.filter(Q("title", evil)))) == Ids{1});
    CHECK(db.column0(print_select(q.values({"id"}).filter(Q("title__icontains", "drop table")))) == Ids{1});
    // and field names are never taken from values: an evil field name is just unknown
    CHECK_THROWS(q.filter(Q("title\" = 1 OR \"1", 1)));
    CHECK_THROWS(q.order_by({"title; DROP TABLE books"}));
}

TEST_CASE("Query and Filter are immutable values") {
    Query base(book());
    Query a = base.filter(Q("pages__gt", 10));
    Query b = a.order_by({"-id"});
    CHECK_FALSE(base.where());
    CHECK(a.where());
    CHECK(a.ordering().empty());
    CHECK(b.ordering() == std::vector<std::string>{"-id"});
    Query copy = b;  // cheap: shares the state
    CHECK(print_select(copy).text == print_select(b).text);
    CHECK(&copy.model() == &book());
    CHECK(a.action() == Query::Action::Select);
    CHECK(a.count().action() == Query::Action::Count);
    CHECK(a.delete_().action() == Query::Action::Delete);
}
