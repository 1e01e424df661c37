// covet::QuerySet<T> (queryset.hpp) and the typed filters covet::f<&T::x> (filter.hpp), run on a
// real database: laziness, immutability, streaming, every lookup, ordering, slicing, first/last/get,
// count/exists, values/annotate, update, remove through covet_delete() and aggregates.
#include <covet/queryset.hpp>

#include <covet/database.hpp>
#include <covet/error.hpp>
#include <covet/filter.hpp>
#include <covet/model.hpp>

#include <doctest/doctest.h>

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <vector>

enum class Genre { Fiction, Science, History };
template <>
struct covet::enum_names<Genre> {
    static constexpr std::array names{"fiction", "science", "history"};
};

struct Author {
    std::int64_t id = 0;
    std::string name;
    std::string email;
    std::optional<std::string> website;
};
BOOST_HANA_ADAPT_STRUCT(Author, id, name, email, website);
template <>
struct covet::meta<Author> {
    static constexpr auto table = "authors";
    static constexpr auto ordering = std::array{"name"};
};

struct Book {
    std::int64_t id = 0;
    std::string title;
    std::int64_t author_id = 0;
    std::int32_t pages = 0;
    Genre genre = Genre::Fiction;
    std::optional<double> rating;
    std::chrono::sys_days published{};
};
BOOST_HANA_ADAPT_STRUCT(Book, id, title, author_id, pages, genre, rating, published);
template <>
struct covet::meta<Book> {
    static constexpr auto table = "books";
};

struct Number {
    std::int64_t id = 0;
    std::int64_t value = 0;
};
BOOST_HANA_ADAPT_STRUCT(Number, id, value);
template <>
struct covet::meta<Number> {
    static constexpr auto table = "numbers";
};

// covet::f is spelled out: doctest fixtures declare a member function f() that would hide it.
using Ids = std::vector<std::int64_t>;
using namespace std::chrono;

static_assert(std::ranges::input_range<covet::QuerySet<Author>>);
static_assert(std::input_iterator<covet::RowIterator<Author>>);
static_assert(std::is_same_v<std::ranges::range_reference_t<covet::QuerySet<Book>>, const Book&>);
static_assert(std::is_same_v<decltype(std::declval<covet::QuerySet<Book>>().values<&Book::title, &Book::pages>())::value_type,
                             std::tuple<std::string, std::int32_t>>);
static_assert(std::is_same_v<decltype(std::declval<covet::QuerySet<Book>>().sum<&Book::pages>()), std::optional<std::int64_t>>);
static_assert(std::is_same_v<decltype(std::declval<covet::QuerySet<Book>>().max<&Book::published>()), std::optional<sys_days>>);

namespace {

sys_days day(int y, int m, int d) { return sys_days{year{y} / m / d}; }

// Authors 1 Ann, 2 Bob, 3 Cid, 4 alice; books 1..6, by authors 1, 1, 2, 3, 3, 2.
struct Library {
    covet::Database db{":memory:"};

    Library() {
        db.execute_script(R"(
            CREATE TABLE authors(id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, website TEXT);
            CREATE TABLE books(id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL,
                               pages INTEGER NOT NULL, genre TEXT NOT NULL, rating REAL, published TEXT NOT NULL);
            INSERT INTO authors VALUES (1, 'Ann', 'ann@example.com', 'https://ann.dev'),
                                       (2, 'Bob', 'bob@Example.org', NULL),
                                       (3, 'Cid', 'cid@mail.net', NULL),
                                       (4, 'alice', 'alice@example.com', 'http://alice.io');
            INSERT INTO books VALUES (1, 'Dune', 1, 412, 'fiction', 4.5, '1965-08-01'),
                                     (2, 'Cosmos', 1, 365, 'science', 4.8, '1980-10-01'),
                                     (3, 'SPQR', 2, 608, 'history', NULL, '2015-10-20'),
                                     (4, 'The Hobbit', 3, 310, 'fiction', 4.7, '1937-09-21'),
                                     (5, 'A Brief History of Time', 3, 256, 'science', NULL, '1988-04-01'),
                                     (6, 'draft_notes', 2, 12, 'history', 1.0, '2020-01-01');
            INSERT INTO covet_relations(kind, from_table, from_column, to_table, on_delete, related_name)
            VALUES ('foreign_key', 'books', 'author_id', 'authors', 'CASCADE', 'books');
        )");
    }

    covet::QuerySet<Book> books() { return db.objects<Book>(); }
    covet::QuerySet<Author> authors() { return db.objects<Author>(); }

    // The ids of the books a set selects, in id order.
    Ids ids(const covet::QuerySet<Book>& set) {
        Ids out;
        for (const Book& b : set.order_by("id")) out.push_back(b.id);
        return out;
    }
    template <class F>
    Ids ids(const F& filter) {
        return ids(books().filter(filter));
    }
};

template <class S>
std::vector<std::string> names(const S& set) {
    std::vector<std::string> out;
    for (const Author& a : set) out.push_back(a.name);
    return out;
}

// How many statements of the connection are running (stepped, not reset).
int busy_statements(const covet::Database& db) {
    int n = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s; s = sqlite3_next_stmt(db.handle(), s))
        n += sqlite3_stmt_busy(s) ? 1 : 0;
    return n;
}

template <class E, class F>
std::string message_of(F&& body) {
    try {
        body();
    } catch (const E& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

TEST_CASE_FIXTURE(Library, "the issue's example: typed startswith, order_by(\"-email\"), a string lookup count") {
    std::vector<std::string> seen;
    for (const Author& a : db.objects<Author>().filter(covet::f<&Author::name>.startswith("A")).order_by("-email"))
        seen.push_back(a.name);
    CHECK(seen == std::vector<std::string>{"Ann"});  // startswith is case-sensitive: not "alice"
    CHECK(db.objects<Author>().filter(covet::f<&Author::name>.istartswith("A")).order_by("-email").to_vector().size() == 2);
    CHECK(names(authors().filter(covet::f<&Author::name>.istartswith("a")).order_by("-email")) ==
          std::vector<std::string>{"Ann", "alice"});
    CHECK(db.objects<Author>().filter("email__icontains", "example").count() == 3);
}

TEST_CASE_FIXTURE(Library, "a query set is lazy: nothing runs until it is iterated") {
    const auto before = db.query_count();
    auto set = authors().filter(covet::f<&Author::name> != "Bob").exclude("email__endswith", ".net").order_by("-name").slice(0, 2);
    auto values = set.values<&Author::name>();
    CHECK(db.query_count() == before);
    CHECK(names(set) == std::vector<std::string>{"alice", "Ann"});
    CHECK(db.query_count() == before + 1);
    CHECK(values.to_vector() == std::vector<std::tuple<std::string>>{{"alice"}, {"Ann"}});
    CHECK(db.query_count() == before + 2);
    // Iterating again runs the query again (no result cache: the set is a description).
    CHECK(names(set).size() == 2);
    CHECK(db.query_count() == before + 3);
}

TEST_CASE_FIXTURE(Library, "a query set is immutable: every builder returns a new one") {
    const auto all = authors();
    const auto bobs = all.filter(covet::f<&Author::name> == "Bob");
    const auto ordered = all.order_by("-id");
    const auto sliced = all.limit(1);
    CHECK_FALSE(all.query().where().has_value());
    CHECK(all.query().ordering() == std::vector<std::string>{"name"});
    CHECK(all.count() == 4);
    CHECK(bobs.count() == 1);
    CHECK(names(ordered) == std::vector<std::string>{"alice", "Cid", "Bob", "Ann"});
    CHECK(names(sliced) == std::vector<std::string>{"Ann"});
    CHECK(names(all) == std::vector<std::string>{"Ann", "Bob", "Cid", "alice"});
}

TEST_CASE("iteration streams: breaking after 2 of 10,000 rows releases the cursor") {
    covet::Database db{":memory:"};
    db.execute("CREATE TABLE numbers(id INTEGER PRIMARY KEY, value INTEGER NOT NULL)");
    db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) "
               "INSERT INTO numbers SELECT x, 2 * x FROM c");
    int finished = 0;
    db.on_query([&](std::string_view, std::chrono::nanoseconds) { ++finished; });
    const auto before = db.query_count();

    std::vector<std::int64_t> seen;
    {
        const auto set = db.objects<Number>().order_by("id");
        auto it = set.begin();
        CHECK(busy_statements(db) == 1);  // running, not run to the end
        for (; it != set.end(); ++it) {
            seen.push_back(it->value);
            if (seen.size() == 2) break;
        }
        CHECK(finished == 0);  // still open while the iterator lives
    }
    CHECK(seen == std::vector<std::int64_t>{2, 4});
    CHECK(busy_statements(db) == 0);
    CHECK(finished == 1);
    CHECK(db.query_count() == before + 1);

    // A range-for that breaks releases it too; the statement is then reused from the cache.
    const auto prepared = db.prepare_count();
    for (const Number& n : db.objects<Number>().order_by("id")) {
        if (n.id == 3) break;
    }
    CHECK(busy_statements(db) == 0);
    CHECK(finished == 2);
    CHECK(db.prepare_count() == prepared);
    // And all of them, for the record.
    std::int64_t total = 0;
    for (const Number& n : db.objects<Number>()) total += n.value;
    CHECK(total == 10000 * 10001);
}

TEST_CASE_FIXTURE(Library, "typed comparisons convert values with the member's field_traits") {
    CHECK(ids(covet::f<&Book::title> == "Dune") == Ids{1});
    CHECK(ids(covet::f<&Book::title> != "Dune") == Ids{2, 3, 4, 5, 6});
    CHECK(ids(covet::f<&Book::pages> < 310) == Ids{5, 6});
    CHECK(ids(covet::f<&Book::pages> <= 310) == Ids{4, 5, 6});
    CHECK(ids(covet::f<&Book::pages> > 412) == Ids{3});
    CHECK(ids(covet::f<&Book::pages> >= 412) == Ids{1, 3});
    // Enums (stored as their names), dates, optionals.
    CHECK(ids(covet::f<&Book::genre> == Genre::Science) == Ids{2, 5});
    CHECK(ids(covet::f<&Book::genre>.in({Genre::History, Genre::Science})) == Ids{2, 3, 5, 6});
    CHECK(ids(covet::f<&Book::published> < day(1970, 1, 1)) == Ids{1, 4});
    CHECK(ids(covet::f<&Book::published>.between(day(1980, 1, 1), day(2015, 12, 31))) == Ids{2, 3, 5});
    CHECK(ids(covet::f<&Book::rating> == std::nullopt) == Ids{3, 5});
    CHECK(ids(covet::f<&Book::rating> == 4.5) == Ids{1});
    CHECK(ids(covet::f<&Book::rating> > 4.6) == Ids{2, 4});
    // != on a nullable field is Django's exclude(rating=4.5): NULL ratings are kept.
    CHECK(ids(covet::f<&Book::rating> != 4.5) == Ids{2, 3, 4, 5, 6});
}

TEST_CASE_FIXTURE(Library, "typed in, isnull, between and the text lookups") {
    CHECK(ids(covet::f<&Book::id>.in({5, 1, 3})) == Ids{1, 3, 5});
    CHECK(ids(covet::f<&Book::id>.in(std::vector<int>{2, 4})) == Ids{2, 4});
    CHECK(ids(covet::f<&Book::id>.in(std::vector<int>{})).empty());
    CHECK(ids(covet::f<&Book::title>.in({"SPQR", "Dune", "Nope"})) == Ids{1, 3});
    CHECK(ids(covet::f<&Book::rating>.isnull()) == Ids{3, 5});
    CHECK(ids(covet::f<&Book::rating>.isnull(false)) == Ids{1, 2, 4, 6});
    CHECK(ids(covet::f<&Book::pages>.between(300, 412)) == Ids{1, 2, 4});
    CHECK(ids(covet::f<&Book::title>.contains("o")) == Ids{2, 4, 5, 6});
    CHECK(ids(covet::f<&Book::title>.contains("S")) == Ids{3});  // case-sensitive
    CHECK(ids(covet::f<&Book::title>.icontains("s")) == Ids{2, 3, 5, 6});
    CHECK(ids(covet::f<&Book::title>.icontains("_")) == Ids{6});  // LIKE wildcards are escaped
    CHECK(ids(covet::f<&Book::title>.startswith("The")) == Ids{4});
    CHECK(ids(covet::f<&Book::title>.startswith("the")).empty());
    CHECK(ids(covet::f<&Book::title>.istartswith("the")) == Ids{4});
    CHECK(ids(covet::f<&Book::title>.endswith("e")) == Ids{1, 5});
    CHECK(ids(covet::f<&Book::title>.endswith("E")).empty());
    CHECK(ids(covet::f<&Book::title>.iendswith("S")) == Ids{2, 6});
    CHECK(ids(covet::f<&Book::title>.iexact("spqr")) == Ids{3});
    CHECK(ids(covet::f<&Book::title> == "spqr").empty());
}

TEST_CASE_FIXTURE(Library, "Django string lookups take any value field_traits or covet::Value can hold") {
    CHECK(ids(books().filter("pages__gte", 400)) == Ids{1, 3});
    CHECK(ids(books().filter("pages__lt", std::int16_t{300})) == Ids{5, 6});
    CHECK(ids(books().filter("title", "Dune")) == Ids{1});
    CHECK(ids(books().filter("title__icontains", std::string("HISTORY"))) == Ids{5});
    CHECK(ids(books().filter("genre", Genre::History)) == Ids{3, 6});
    CHECK(ids(books().filter("published__gte", day(2000, 1, 1))) == Ids{3, 6});
    CHECK(ids(books().filter("rating", std::nullopt)) == Ids{3, 5});
    CHECK(ids(books().filter("rating__isnull", false)) == Ids{1, 2, 4, 6});
    CHECK(ids(books().filter("rating__gt", std::optional<double>(4.6))) == Ids{2, 4});
    CHECK(ids(books().filter("id__in", std::vector<std::int64_t>{6, 2})) == Ids{2, 6});
    CHECK(ids(books().filter("id__in", {1, 4})) == Ids{1, 4});
    CHECK(ids(books().filter("pages__range", {300, 400})) == Ids{2, 4});
    CHECK(ids(books().filter("pk", covet::Value{std::int64_t{3}})) == Ids{3});
    CHECK(ids(books().filter("title__iendswith", "TIME")) == Ids{5});
    // Validated against the model by the Query, when the filter is added (before any query).
    CHECK(message_of<covet::UsageError>([&] { (void)books().filter("colour", "red"); }) ==
          "covet: Book has no field 'colour' (fields: id, title, author_id, pages, genre, rating, published)");
    CHECK(message_of<covet::UsageError>([&] { (void)books().filter("pages__above", 3); })
              .starts_with("covet: unknown lookup 'above' in 'pages__above'"));
}

TEST_CASE_FIXTURE(Library, "filters combine with &&, || and !, typed and string ones together") {
    CHECK(ids(covet::f<&Book::genre> == Genre::Fiction && covet::f<&Book::pages> > 400) == Ids{1});
    CHECK(ids(covet::f<&Book::genre> == Genre::Fiction || covet::f<&Book::pages> > 600) == Ids{1, 3, 4});
    CHECK(ids(!(covet::f<&Book::author_id> == 1)) == Ids{3, 4, 5, 6});
    CHECK(ids(!(covet::f<&Book::genre> == Genre::Fiction || covet::f<&Book::rating>.isnull()) && covet::f<&Book::pages> > 100) == Ids{2});
    const covet::Filter mixed = covet::f<&Book::author_id> == 2 && covet::Q("title__startswith", "d");
    CHECK(ids(mixed) == Ids{6});
    CHECK(ids(covet::Q("pages__lt", 100) || covet::f<&Book::title> == "SPQR") == Ids{3, 6});
    // filter() twice is AND; exclude() is NOT, keeping NULLs as Django does.
    CHECK(ids(books().filter(covet::f<&Book::author_id> == 3).filter("pages__gt", 300)) == Ids{4});
    CHECK(ids(books().exclude(covet::f<&Book::rating> > 4.6)) == Ids{1, 3, 5, 6});
    CHECK(ids(books().exclude("genre", Genre::Science).exclude(covet::f<&Book::author_id> == 2)) == Ids{1, 4});
    CHECK(ids(books().exclude(covet::f<&Book::id>.in({1, 2, 3}) || covet::f<&Book::pages> < 100)) == Ids{4, 5});
}

TEST_CASE_FIXTURE(Library, "order_by: '-' for descending, several fields, typed terms, the model's default") {
    CHECK(names(authors()) == std::vector<std::string>{"Ann", "Bob", "Cid", "alice"});  // meta ordering
    CHECK(names(authors().order_by("-name")) == std::vector<std::string>{"alice", "Cid", "Bob", "Ann"});
    CHECK(names(authors().order_by(-covet::f<&Author::id>)) == std::vector<std::string>{"alice", "Cid", "Bob", "Ann"});
    CHECK(names(authors().order_by("website", "-name")) == std::vector<std::string>{"Cid", "Bob", "alice", "Ann"});
    CHECK(names(authors().order_by(covet::f<&Author::website>, covet::f<&Author::name>.desc())) ==
          std::vector<std::string>{"Cid", "Bob", "alice", "Ann"});
    CHECK(names(authors().order_by("-name").reverse()) == std::vector<std::string>{"Ann", "Bob", "Cid", "alice"});
    CHECK(names(authors().reverse()) == std::vector<std::string>{"alice", "Cid", "Bob", "Ann"});
    // order_by() clears every ordering, the default included.
    CHECK(authors().order_by().sql().text.find("ORDER BY") == std::string::npos);
    CHECK(authors().sql().text.find(R"(ORDER BY "authors"."name" ASC)") != std::string::npos);
    std::vector<std::int32_t> pages;
    for (const Book& b : books().order_by("-pages")) pages.push_back(b.pages);
    CHECK(pages == std::vector<std::int32_t>{608, 412, 365, 310, 256, 12});
    CHECK_THROWS_AS((void)authors().order_by("nickname"), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "distinct and slicing") {
    CHECK(books().values<&Book::author_id>().distinct().order_by("author_id").to_vector() ==
          std::vector<std::tuple<std::int64_t>>{{1}, {2}, {3}});
    CHECK(books().values<&Book::author_id>().count() == 6);
    CHECK(books().values<&Book::author_id>().distinct().count() == 3);
    auto by_id = books().order_by("id");
    auto taken = [](const covet::QuerySet<Book>& set) {
        Ids out;
        for (const Book& b : set) out.push_back(b.id);
        return out;
    };
    CHECK(taken(by_id.limit(2)) == Ids{1, 2});
    CHECK(taken(by_id.offset(4)) == Ids{5, 6});
    CHECK(taken(by_id.slice(1, 3)) == Ids{2, 3});
    CHECK(taken(by_id.slice(1, 5).slice(1, 3)) == Ids{3, 4});
    CHECK(taken(by_id.slice(2)) == Ids{3, 4, 5, 6});
    CHECK(by_id.slice(1, 5).count() == 4);
    CHECK(by_id.offset(5).count() == 1);
    CHECK(taken(by_id.slice(10, 20)).empty());
    CHECK_THROWS_AS((void)by_id.limit(2).filter(covet::f<&Book::id> == 1), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "first() and last(): the ordering in force, else the primary key") {
    CHECK(authors().first()->name == "Ann");   // meta ordering: name
    CHECK(authors().last()->name == "alice");
    CHECK(books().first()->id == 1);  // unordered: by pk
    CHECK(books().last()->id == 6);
    CHECK(books().order_by("-pages").first()->title == "SPQR");
    CHECK(books().order_by("-pages").last()->title == "draft_notes");
    CHECK(books().filter(covet::f<&Book::genre> == Genre::Science).last()->id == 5);
    CHECK_FALSE(books().filter(covet::f<&Book::pages> > 1000).first().has_value());
    CHECK_FALSE(books().filter(covet::f<&Book::pages> > 1000).last().has_value());
    const std::optional<Book> b = books().filter(covet::f<&Book::title> == "Cosmos").first();
    REQUIRE(b);
    CHECK(b->genre == Genre::Science);
    CHECK(b->rating == 4.8);
    CHECK(b->published == day(1980, 10, 1));
    CHECK(books().order_by("id").slice(2, 4).first()->id == 3);
    const auto count = db.query_count();
    CHECK(books().values<&Book::title>().first() == std::tuple<std::string>{"Dune"});
    CHECK(db.query_count() == count + 1);
}

TEST_CASE_FIXTURE(Library, "get(): the one row, or DoesNotExist / MultipleObjectsReturned naming model and filter") {
    CHECK(authors().get(covet::f<&Author::id> == 3).name == "Cid");
    CHECK(authors().get("email", "bob@Example.org").id == 2);
    CHECK(authors().filter(covet::f<&Author::name>.startswith("C")).get().email == "cid@mail.net");
    CHECK(books().values<&Book::pages>().get(covet::f<&Book::title> == "SPQR") == std::tuple<std::int32_t>{608});

    try {
        (void)authors().get(covet::f<&Author::name> == "Zed");
        FAIL("no exception");
    } catch (const covet::DoesNotExist& e) {
        CHECK(std::string(e.what()) == "covet: Author matching query does not exist (name='Zed')");
        CHECK(e.model() == "Author");
    }
    try {
        (void)books().filter(covet::f<&Book::genre> == Genre::Fiction || covet::f<&Book::pages> < 100).get(covet::f<&Book::author_id>.in({1, 3}));
        FAIL("no exception");
    } catch (const covet::MultipleObjectsReturned& e) {
        CHECK(std::string(e.what()) ==
              "covet: get() returned more than one Book -- it returned 2! ((genre='fiction' OR pages__lt=100) AND "
              "author_id__in=[1, 3])");
        CHECK(e.model() == "Book");
    }
    CHECK(message_of<covet::MultipleObjectsReturned>([&] { (void)authors().get(); }) ==
          "covet: get() returned more than one Author -- it returned 4!");
    CHECK(message_of<covet::DoesNotExist>([&] { (void)authors().get(!covet::f<&Author::website>.isnull() && covet::f<&Author::name> == "Bob"); }) ==
          "covet: Author matching query does not exist (NOT (website__isnull=true) AND name='Bob')");
    // At most 21 rows are read, as Django.
    db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) "
               "INSERT INTO books(title, author_id, pages, genre, published) SELECT 'copy', 1, x, 'fiction', '2000-01-01' FROM c");
    CHECK(message_of<covet::MultipleObjectsReturned>([&] { (void)books().get(covet::f<&Book::title> == "copy"); }) ==
          "covet: get() returned more than one Book -- it returned more than 20! (title='copy')");
}

TEST_CASE_FIXTURE(Library, "count() and exists() run one query each") {
    std::int64_t n = 0;
    covet::assert_num_queries(db, 1, [&] { n = books().filter(covet::f<&Book::pages> > 300).count(); });
    CHECK(n == 4);
    bool found = false;
    covet::assert_num_queries(db, 1, [&] { found = books().filter("title__icontains", "hobbit").exists(); });
    CHECK(found);
    covet::assert_num_queries(db, 1, [&] { found = books().filter(covet::f<&Book::pages> > 1000).exists(); });
    CHECK_FALSE(found);
    CHECK(authors().filter(covet::f<&Author::website>.isnull()).count() == 2);
    CHECK(authors().count() == 4);
}

TEST_CASE_FIXTURE(Library, "values<...>(): tuples of the fields' C++ types") {
    using Row = std::tuple<std::string, std::int32_t, Genre, std::optional<double>>;
    const auto rows = books()
                          .values<&Book::title, &Book::pages, &Book::genre, &Book::rating>()
                          .filter(covet::f<&Book::author_id> == 2)
                          .order_by("-pages")
                          .to_vector();
    CHECK(rows == std::vector<Row>{{"SPQR", 608, Genre::History, std::nullopt},
                                   {"draft_notes", 12, Genre::History, 1.0}});
    std::vector<std::string> titles;
    for (const auto& [title, published] : books().values<&Book::title, &Book::published>().filter(
             covet::f<&Book::published> < day(1970, 1, 1)).order_by("published"))
        titles.push_back(title + "@" + std::to_string(static_cast<int>(year_month_day{published}.year())));
    CHECK(titles == std::vector<std::string>{"The Hobbit@1937", "Dune@1965"});
    CHECK(books().values<&Book::author_id>().filter(covet::f<&Book::pages> > 400).order_by("id").to_vector() ==
          std::vector<std::tuple<std::int64_t>>{{1}, {2}});
}

TEST_CASE_FIXTURE(Library, "update(): typed assignments or {field, value} pairs; returns the rows changed") {
    CHECK(books().filter(covet::f<&Book::genre> == Genre::Fiction).update(covet::f<&Book::pages> = 300) == 2);
    CHECK(ids(covet::f<&Book::pages> == 300) == Ids{1, 4});
    CHECK(books().filter(covet::f<&Book::author_id> == 3).update(covet::f<&Book::genre> = Genre::History, covet::f<&Book::rating> = std::nullopt) == 2);
    CHECK(ids(covet::f<&Book::genre> == Genre::History) == Ids{3, 4, 5, 6});
    CHECK(ids(covet::f<&Book::rating>.isnull()) == Ids{3, 4, 5});
    CHECK(books().filter("title__startswith", "draft").update({{"pages", 13}, {"title", "notes"}}) == 1);
    CHECK(books().get(covet::f<&Book::id> == 6).title == "notes");
    CHECK(books().get(covet::f<&Book::id> == 6).pages == 13);
    CHECK(books().update(covet::f<&Book::published> = day(2001, 2, 3)) == 6);
    CHECK(books().filter(covet::f<&Book::published> == day(2001, 2, 3)).count() == 6);
    CHECK(books().filter(covet::f<&Book::pages> > 10000).update(covet::f<&Book::pages> = 1) == 0);
    CHECK_THROWS_AS((void)books().update({{"pages", nullptr}}), covet::UsageError);  // NOT NULL field
    CHECK_THROWS_AS((void)books().limit(1).update(covet::f<&Book::pages> = 1), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "remove() deletes through covet_delete(): cascades and per-table counts") {
    const covet::DeleteResult r = authors().filter(covet::f<&Author::name>.in({"Ann", "Cid"})).remove();
    CHECK(r.total == 6);
    CHECK(r.per_table == std::map<std::string, std::int64_t>{{"authors", 2}, {"books", 4}});
    CHECK(names(authors()) == std::vector<std::string>{"Bob", "alice"});
    CHECK(ids(books()) == Ids{3, 6});
    // Nothing matched: nothing deleted, as Django's (0, {}).
    CHECK(authors().filter(covet::f<&Author::id> == 99).remove() == covet::DeleteResult{});
    // Deleting the referencing side cascades nowhere.
    const auto r2 = books().filter(covet::f<&Book::pages> < 100).remove();
    CHECK(r2 == covet::DeleteResult{1, {{"books", 1}}});
    CHECK_THROWS_AS((void)books().limit(1).remove(), covet::UsageError);
}

TEST_CASE_FIXTURE(Library, "remove() of a PROTECT-referenced row raises ProtectedError and deletes nothing") {
    db.execute("UPDATE covet_relations SET on_delete = 'PROTECT' WHERE name = 'books.author'");
    try {
        (void)authors().filter(covet::f<&Author::id> == 2).remove();
        FAIL("no exception");
    } catch (const covet::ProtectedError& e) {
        CHECK(std::string(e.what()).starts_with("covet: PROTECT: cannot delete from authors"));
        CHECK(std::string(e.what()).find("books.author") != std::string::npos);
        // The rows that block it, by table: this fixture creates its tables by hand, so no model is
        // registered for them (test_relations.cpp shows the model names).
        CHECK(e.blocking_objects() == std::vector<std::string>{"books(3)", "books(6)"});
    }
    CHECK(authors().count() == 4);
    CHECK(books().count() == 6);
    // An author nobody references can go.
    CHECK(authors().filter(covet::f<&Author::id> == 4).remove() == covet::DeleteResult{1, {{"authors", 1}}});
    db.execute("UPDATE covet_relations SET on_delete = 'RESTRICT' WHERE name = 'books.author'");
    CHECK_THROWS_AS((void)authors().filter(covet::f<&Author::id> == 1).remove(), covet::RestrictedError);
}

TEST_CASE_FIXTURE(Library, "aggregates: plain (a map of Values) and typed (a tuple)") {
    const auto plain = books().aggregate(covet::Count(), covet::Sum("pages"), covet::Max("title"));
    CHECK(plain == std::map<std::string, covet::Value>{{"count", covet::Value{std::int64_t{6}}},
                                                     {"pages__sum", covet::Value{std::int64_t{1963}}},
                                                     {"title__max", covet::Value{std::string("draft_notes")}}});
    const auto [n, rated, pages, rating] = books().filter(covet::f<&Book::author_id> != 2).aggregate(
        covet::count_rows(), covet::f<&Book::rating>.count(), covet::f<&Book::pages>.sum(), covet::f<&Book::rating>.avg());
    CHECK(n == 4);
    CHECK(rated == 3);
    CHECK(pages == 412 + 365 + 310 + 256);
    REQUIRE(rating);
    CHECK(*rating == doctest::Approx((4.5 + 4.8 + 4.7) / 3));

    CHECK(books().count<&Book::rating>() == 4);
    CHECK(books().sum<&Book::pages>() == 1963);
    CHECK(books().avg<&Book::pages>() == doctest::Approx(1963.0 / 6));
    CHECK(books().min<&Book::published>() == day(1937, 9, 21));
    CHECK(books().max<&Book::genre>() == Genre::Science);  // by name: "science" > "history" > "fiction"
    CHECK(books().max<&Book::rating>() == 4.8);
    // Over no rows: nullopt (Django's None), count 0.
    const auto none = books().filter(covet::f<&Book::pages> > 1000);
    CHECK(none.count<&Book::id>() == 0);
    CHECK_FALSE(none.sum<&Book::pages>().has_value());
    CHECK_FALSE(none.avg<&Book::pages>().has_value());
    CHECK_FALSE(none.min<&Book::title>().has_value());
    // On a slice: over the sliced rows.
    CHECK(books().order_by("-pages").limit(2).sum<&Book::pages>() == 608 + 412);
    covet::assert_num_queries(db, 1, [&] { (void)books().max<&Book::pages>(); });
}

TEST_CASE_FIXTURE(Library, "values<...>().annotate(...): one tuple per group") {
    using Row = std::tuple<std::int64_t, std::int64_t, std::optional<std::int64_t>, std::optional<double>>;
    const auto rows = books()
                          .values<&Book::author_id>()
                          .annotate(covet::count_rows(), covet::f<&Book::pages>.sum(), covet::f<&Book::rating>.max())
                          .order_by("author_id")
                          .to_vector();
    CHECK(rows == std::vector<Row>{{1, 2, 777, 4.8}, {2, 2, 620, 1.0}, {3, 2, 566, 4.7}});

    std::vector<std::tuple<Genre, std::int64_t>> by_genre;
    for (auto [genre, total] : books().values<&Book::genre>().annotate(covet::f<&Book::pages>.sum().as("total")).order_by("-total"))
        by_genre.emplace_back(genre, total.value_or(-1));
    CHECK(by_genre == std::vector<std::tuple<Genre, std::int64_t>>{
                          {Genre::Fiction, 722}, {Genre::Science, 621}, {Genre::History, 620}});
}

TEST_CASE("covet_delete()'s JSON result is parsed, escapes included") {
    using covet::detail::delete_result_from_json;
    CHECK(delete_result_from_json(R"({"total": 0, "per_table": {}})") == covet::DeleteResult{});
    CHECK(delete_result_from_json(R"({"total": 5, "per_table": {"a\"b": 2, "caf\u00e9": 3}})") ==
          covet::DeleteResult{5, {{"a\"b", 2}, {"caf\xc3\xa9", 3}}});
    CHECK_THROWS_AS(delete_result_from_json(R"({"total": 1)"), covet::Error);
    CHECK_THROWS_AS(delete_result_from_json(R"({"per_table": {}})"), covet::Error);
}
