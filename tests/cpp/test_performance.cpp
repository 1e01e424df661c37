// The statement shapes covet's speed depends on (docs/performance.md): what the benchmark's
// profiles led to. Results are checked as well as the SQL, so that a faster shape never changes
// what a query returns.
#include "library_fixture.hpp"

#include <covet/covet.hpp>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace library;

namespace {

template <class Set>
std::vector<std::string> sorted_titles(const Set& set) {
    std::vector<std::string> out;
    for (const Book& b : set) out.push_back(b.title);
    std::sort(out.begin(), out.end());
    return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The SQL of every statement body() runs.
template <class F>
std::vector<std::string> statements(covet::Database& db, F&& body) {
    std::vector<std::string> seen;
    auto previous = db.on_query([&](std::string_view sql, std::chrono::nanoseconds) { seen.emplace_back(sql); });
    body();
    db.on_query(previous);
    return seen;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE_FIXTURE(Library, "a ManyToMany filter is an IN subquery on the junction, with the same rows") {
    const auto fiction = db.objects<Book>().filter("categories__name", "Fiction");
    const std::string sql = fiction.sql().text;
    CHECK(contains(sql, R"("books"."id" IN (SELECT "T1"."book_id" FROM "books_categories" AS "T1" JOIN "categories")"));
    CHECK(!contains(sql, R"(JOIN "books_categories")"));
    CHECK(sql.starts_with("SELECT DISTINCT "));  // kept: a filter across a relation to several objects
    CHECK(sorted_titles(fiction) == Strings{"Dune", "Emma"});
    CHECK(fiction.count() == 2);
    CHECK(fiction.exists());
    // The key of the related object alone needs no join to the target table.
    const auto sf_books = db.objects<Book>().filter("categories", sf.id);
    CHECK(contains(sf_books.sql().text, R"(IN (SELECT "T1"."book_id" FROM "books_categories" AS "T1" WHERE "T1"."category_id" = ?1))"));
    CHECK(sorted_titles(sf_books) == Strings{"Dune"});
    // From the other side, with a relation crossed inside the subquery.
    const auto by_ann = db.objects<Category>().filter("books__author__name", "Ann");
    CHECK(contains(by_ann.sql().text, R"("categories"."id" IN (SELECT "T1"."category_id" FROM "books_categories")"));
    CHECK(by_ann.count() == 2);
    // With other conditions and a forward join in the same call, and update() / remove().
    const auto mixed = db.objects<Book>().filter(covet::Q("author__name", "Ann") && covet::Q("categories__name", "SF"));
    CHECK(sorted_titles(mixed) == Strings{"Dune"});
    CHECK(db.objects<Book>().filter("categories__name", "History").update(covet::f<&Book::pages> = 600) == 1);
    CHECK(db.get<Book>(spqr.id).pages == 600);
    CHECK(db.objects<Book>().filter("categories__name", "History").remove().per_table.at("books") == 1);
}

TEST_CASE_FIXTURE(Library, "conditions of one filter() call on one ManyToMany share one subquery: one related row") {
    const auto both = db.objects<Book>().filter(covet::Q("categories__name", "Fiction") && covet::Q("categories__name", "SF"));
    const std::string sql = both.sql().text;
    CHECK(contains(sql, R"("T2"."name" = ?1 AND "T2"."name" = ?2)"));  // one subquery, both conditions
    CHECK(both.count() == 0);  // no single category is named both
    // Two calls: two subqueries, each met by its own row.
    CHECK(sorted_titles(db.objects<Book>().filter("categories__name", "Fiction").filter("categories__name", "SF")) ==
          Strings{"Dune"});
    CHECK(sorted_titles(db.objects<Book>().filter(covet::Q("categories__name", "SF") && covet::Q("categories__id", sf.id))) ==
          Strings{"Dune"});
}

TEST_CASE_FIXTURE(Library, "OR, NOT, NULL lookups and aggregates across a ManyToMany keep their joins") {
    const Book bare = db.create(Book{.title = "Bare", .author = cid, .published_date = "2000-01-01", .pages = 10});
    // OR: a LEFT JOIN, so that a book without categories still matches the other side.
    const auto either = db.objects<Book>().filter(covet::Q("categories__name", "History") || covet::Q("pages__lt", 100));
    CHECK(contains(either.sql().text, R"(LEFT JOIN "books_categories")"));
    CHECK(sorted_titles(either) == Strings{"Bare", "SPQR"});
    // isnull: only a LEFT JOIN finds the books without a category; the other condition of the
    // call on the same relation stays on that join too.
    const auto none = db.objects<Book>().filter("categories__isnull", true);
    CHECK(contains(none.sql().text, R"(LEFT JOIN "books_categories")"));
    CHECK(sorted_titles(none) == Strings{"Bare"});
    // exclude: NOT EXISTS, as before.
    CHECK(contains(db.objects<Book>().exclude("categories__name", "SF").sql().text, "NOT (EXISTS"));
    // An aggregate over rows filtered across the relation: the join, as before.
    const auto counted =
        db.objects<Book>().filter("categories__name", "Fiction").values<&Book::title>().annotate(covet::Count("categories"));
    CHECK(contains(counted.sql().text, R"(JOIN "books_categories")"));
}

TEST_CASE_FIXTURE(Library, "prefetch_related joins the extension's related() pairs as a subquery: one query per relation") {
    // The pairs' SELECT is the extension's (covet_related_sql), so what related() reads is what a
    // prefetch reads; as a subquery SQLite flattens it into a plain join, without related()'s
    // virtual-table cost per pair.
    auto from_pairs = [&](const char* relation, const char* table) {
        const std::string pairs = std::get<std::string>(db.query_value("SELECT covet_related_sql(?)", {relation}));
        CHECK(contains(pairs, "SELECT "));
        return fmt::format(R"(FROM ({}) AS "r" JOIN "{}" ON "{}"."id" = "r"."target")", pairs, table, table);
    };
    std::vector<std::string> seen;
    std::vector<std::string> result;
    seen = statements(db, [&] {
        for (const Book& b : db.objects<Book>().order_by("title").prefetch_related("categories", "author__profile")) {
            std::string line = b.title + ":";
            for (const Category& c : b.categories.all()) line += " " + c.name;
            line += " /" + b.author->name + (b.author->profile.has_value() ? " " + b.author->profile->bio : "");
            result.push_back(line);
        }
    });
    CHECK(result == Strings{"Dune: Fiction SF /Ann Ann's bio", "Emma: Fiction /Ann Ann's bio", "SPQR: History /Bob"});
    REQUIRE(seen.size() == 4);
    CHECK(contains(seen[1], from_pairs("books.categories", "categories")));
    CHECK(contains(seen[2], from_pairs("books.author", "authors")));
    CHECK(contains(seen[3], from_pairs("authors.profile", "profiles")));
    // Flattened: the plan searches the junction's index and the categories by key, as the join
    // written by hand does; no related() and no subquery of its own (json_each is the IN list).
    std::string plan;
    for (const covet::Row& row : db.query("EXPLAIN QUERY PLAN " + seen[1], {covet::Value{"[1,2,3]"}}))
        plan += std::string(row.text(3)) + "\n";
    CHECK(contains(plan, "SEARCH main.books_categories USING COVERING INDEX"));
    CHECK(contains(plan, "SEARCH categories USING INTEGER PRIMARY KEY"));
    CHECK_FALSE(contains(plan, "related"));
    CHECK_FALSE(contains(plan, "CO-ROUTINE"));
    CHECK_FALSE(contains(plan, "MATERIALIZE"));
    // The pair's source is selected where the related row does not hold it (a ManyToMany's target,
    // the author of a book): the prefetch of a reverse ForeignKey finds the parent by the key the
    // book holds, and SQLite then reads no source.
    CHECK(contains(seen[1], R"(SELECT "r"."source", "categories"."id")"));
    CHECK(contains(seen[2], R"(SELECT "r"."source", "authors"."id")"));
    // Reverse ForeignKey and reverse ManyToMany, a self relation, and a custom query.
    std::vector<std::string> books_of;
    seen = statements(db, [&] {
        for (const Author& a : db.objects<Author>().order_by("name").prefetch_related("books"))
            books_of.push_back(a.name + " " + std::to_string(a.books.count()));
    });
    CHECK(books_of == Strings{"Ann 2", "Bob 1", "Cid 0"});
    REQUIRE(seen.size() == 2);
    CHECK(contains(seen[1], R"(SELECT "books"."id", )"));
    CHECK(contains(seen[1], from_pairs("authors.books", "books")));
    std::vector<std::string> per_category;
    for (const Category& c : db.objects<Category>().order_by("name").prefetch_related("books", "parent", "children"))
        per_category.push_back(c.name + " " + std::to_string(c.books.count()) + " " + std::to_string(c.children.count()) +
                               " " + (c.parent.has_value() ? c.parent->name : "-"));
    CHECK(per_category == Strings{"Fiction 2 1 -", "History 1 0 -", "SF 1 0 Fiction"});
    const auto long_ones = db.objects<Author>().order_by("name").prefetch_related(
        covet::Prefetch("books", db.objects<Book>().filter("pages__gte", 400).filter("categories__name", "SF"), "long_books"));
    std::vector<std::string> longs;
    for (const Author& a : long_ones) longs.push_back(a.name + " " + std::to_string(a.long_books.size()));
    CHECK(longs == Strings{"Ann 1", "Bob 0", "Cid 0"});
}

TEST_CASE_FIXTURE(Library, "a ManyToMany or reverse member is a range: the prefetch cache in place, or one query") {
    const auto authors = db.objects<Author>().order_by("name").prefetch_related("books").to_vector();
    std::vector<std::string> seen;
    CHECK(queries([&] {
              for (const Author& a : authors)
                  for (const Book& b : a.books) seen.push_back(a.name + " " + b.title);
          }) == 0);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == Strings{"Ann Dune", "Ann Emma", "Bob SPQR"});
    // In place: every iteration reads the same cached objects (all() returns copies).
    CHECK(&*authors[0].books.begin() == &*authors[0].books.begin());
    CHECK(&*authors[0].books.begin() != &authors[0].books.all()[0]);
    // Without a prefetch: one query, streamed, each time it is iterated.
    const Book d = db.get<Book>(dune.id);
    Strings names;
    CHECK(queries([&] {
              for (const Category& c : d.categories) names.push_back(c.name);
          }) == 1);
    std::sort(names.begin(), names.end());
    CHECK(names == Strings{"Fiction", "SF"});
    // An empty cache.
    std::size_t empty = 0;
    for (const Book& b : authors[2].books) empty += b.id > 0 ? 1 : 0;
    CHECK(empty == 0);
}

namespace {
// A member outside the reflected fields that counts the objects made of its model, to see which
// objects iterating makes.
struct Tally {
    static inline int made = 0;
    Tally() { ++made; }
    Tally(const Tally&) { ++made; }
    Tally(Tally&&) noexcept { ++made; }
    Tally& operator=(const Tally&) = default;
    Tally& operator=(Tally&&) noexcept = default;
    ~Tally() = default;
};
struct Shelf;
struct Volume {
    std::int64_t id = 0;
    covet::ForeignKey<Shelf, {.on_delete = covet::Cascade, .related_name = "volumes"}> shelf{};
    Tally tally{};
};
struct Shelf {
    std::int64_t id = 0;
    covet::ReverseMany<Volume> volumes{};
};
}  // namespace
BOOST_HANA_ADAPT_STRUCT(Volume, id, shelf);
BOOST_HANA_ADAPT_STRUCT(Shelf, id, volumes);
template <>
struct covet::meta<Volume> {
    static constexpr auto table = "volumes";
};
template <>
struct covet::meta<Shelf> {
    static constexpr auto table = "shelves";
};

TEST_CASE("iterating a prefetched member makes no object: only reading rows does, one per row") {
    covet::Database db{":memory:"};
    db.migrate<Shelf, Volume>();
    const Shelf shelf = db.create(Shelf{});
    db.bulk_create(std::vector<Volume>(3, Volume{.shelf = shelf.id}));
    const auto shelves = db.objects<Shelf>().prefetch_related("volumes").to_vector();
    REQUIRE(shelves.size() == 1);
    Tally::made = 0;
    std::int64_t keys = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (const Volume& v : shelves[0].volumes) keys += v.id;
    CHECK(keys == 2 * (1 + 2 + 3));
    CHECK(Tally::made == 0);
    // A streamed query makes the one object each row is read into (and none per row after it).
    int rows = 0;
    for (const Volume& v : db.objects<Volume>()) rows += v.id > 0 ? 1 : 0;
    CHECK(rows == 3);
    CHECK(Tally::made == 1);
}

TEST_CASE_FIXTURE(Library, "ManyToMany add(): one INSERT of a VALUES list with ON CONFLICT, idempotent") {
    const Category essays = db.create(Category{.name = "Essays"});
    Book b = db.get<Book>(emma.id);
    const auto seen = statements(db, [&] { b.categories.add(essays, fiction, essays.id); });
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == R"(INSERT INTO "books_categories"("book_id", "category_id") VALUES (?1, ?2), (?1, ?3), (?1, ?4) ON CONFLICT ("book_id", "category_id") DO NOTHING)");
    CHECK(b.categories.count() == 2);  // Fiction was there; Essays once
    // Many keys: one statement over a JSON array.
    std::vector<std::int64_t> keys;
    for (int i = 0; i < 20; ++i) keys.push_back(db.create(Category{.name = "C" + std::to_string(i)}).id);
    keys.push_back(fiction.id);
    const auto many = statements(db, [&] { b.categories.add(keys); });
    REQUIRE(many.size() == 1);
    CHECK(contains(many[0], "json_each(?2)"));
    CHECK(b.categories.count() == 22);
    // A key that is not there: refused by the extension's trigger, nothing added.
    CHECK(message_of([&] { b.categories.add(essays.id, 999); }).starts_with("covet: Book.categories.add([" ));
    CHECK(b.categories.count() == 22);
}

namespace {
struct Tag;
struct Note {
    std::int64_t id = 0;
    std::string text{};
    covet::ManyToMany<Tag, {.related_name = "notes"}> tags{};
};
struct Tag {
    std::int64_t id = 0;
    std::string name{};
    covet::ReverseMany<Note> notes{};
};
}  // namespace
BOOST_HANA_ADAPT_STRUCT(Note, id, text, tags);
BOOST_HANA_ADAPT_STRUCT(Tag, id, name, notes);
template <>
struct covet::meta<Note> {
    static constexpr auto table = "notes";
};
template <>
struct covet::meta<Tag> {
    static constexpr auto table = "tags";
};

TEST_CASE("add() and bulk_add() on a junction made by hand without UNIQUE (from, to) fall back to the general INSERT") {
    covet::Database db{":memory:"};
    db.migrate<Note, Tag>();
    // The junction rebuilt by hand without its UNIQUE constraint.
    db.execute_script("ALTER TABLE notes_tags RENAME TO old_notes_tags; DROP TABLE old_notes_tags; "
                      "CREATE TABLE notes_tags (id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, tag_id INTEGER NOT NULL)");
    const Note n = db.create(Note{.text = "n"});
    const Tag t = db.create(Tag{.name = "t"});
    n.tags.add(db, t, t);
    n.tags.add(db, t);
    CHECK(n.tags.count(db) == 1);
    // bulk_add too: a pair already there or given twice is still one row; a bad key still names itself.
    const Tag u = db.create(Tag{.name = "u"});
    const std::vector<std::pair<covet::Value, covet::Value>> pairs{{n.id, t.id}, {n.id, u.id}, {n.id, u.id}};
    covet::bulk_add<&Note::tags>(db, pairs);
    CHECK(n.tags.count(db) == 2);
    const std::vector<std::pair<covet::Value, covet::Value>> bad{{n.id, std::int64_t{999}}};
    CHECK_THROWS_WITH_AS(covet::bulk_add<&Note::tags>(db, bad),
                         doctest::Contains("there is no tags.id = 999 (pair 0 of bulk_add to Note.tags)"),
                         covet::IntegrityError);
    CHECK(n.tags.count(db) == 2);
}

namespace {
struct Legacy {
    std::int64_t id = 0;
    std::string name{};
};
}  // namespace
BOOST_HANA_ADAPT_STRUCT(Legacy, id, name);
template <>
struct covet::meta<Legacy> {
    static constexpr auto table = "legacy";
};

TEST_CASE("create(): no RETURNING when the key is the rowid; RETURNING for a key column that is not") {
    covet::Database db{":memory:"};
    db.migrate<Legacy>();
    Legacy a{.name = "a"};
    const auto plain = statements(db, [&] { a = db.create(a); });
    REQUIRE(plain.size() == 1);
    CHECK(!contains(plain[0], "RETURNING"));
    CHECK(a.id == 1);
    CHECK(db.create(Legacy{.name = "b"}).id == 2);
    CHECK(db.create(Legacy{.id = 10, .name = "c"}).id == 10);
    CHECK(db.bulk_create(std::vector<Legacy>{{.name = "d"}, {.name = "e"}})[1].id == 12);
    // INT PRIMARY KEY is not the rowid: the key comes back from the column (NULL here, so 0, as
    // it always did).
    covet::Database old{":memory:"};
    old.execute("CREATE TABLE legacy (id INT PRIMARY KEY, name TEXT NOT NULL)");
    Legacy x{.name = "x"};
    const auto returning = statements(old, [&] { x = old.create(x); });
    REQUIRE(returning.size() == 1);
    CHECK(contains(returning[0], R"(RETURNING "id")"));
    CHECK(x.id == 0);
}

TEST_CASE("migrate keeps a database's statistics complete: the new indexes are analyzed") {
    // Analyzed categories, as covet's benchmark has them, then migrated: categories gains a
    // column and the extension's index on it, which the statistics must cover.
    covet::Database db{":memory:"};
    db.execute(R"(CREATE TABLE "categories" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL))");
    db.execute("INSERT INTO categories(name) VALUES ('a'), ('b'), ('c')");
    db.execute("ANALYZE");
    db.migrate<Author, Profile, Category, Book>();
    CHECK(db.query_value("SELECT stat FROM sqlite_stat1 WHERE idx = 'covet_index:categories(parent_id)'") ==
          covet::Value{std::string("3 3")});
    // Never analyzed: migrate does not start.
    covet::Database fresh{":memory:"};
    fresh.migrate<Author, Profile, Category, Book>();
    CHECK(fresh.query_value("SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'") ==
          covet::Value{std::int64_t{0}});
}

TEST_CASE_FIXTURE(Library, "iterating rows reads no clock without an on_query hook, and times them with one") {
    std::int64_t total = 0;
    db.on_query([&](std::string_view, std::chrono::nanoseconds d) { total += d.count(); });
    for (const Book& b : db.objects<Book>()) (void)b;
    CHECK(total > 0);
    db.on_query({});
    CHECK(db.objects<Book>().count() == 3);
}
